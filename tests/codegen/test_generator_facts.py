"""spec/generator.yaml's `exports`, `server` and `cli` sections become the generated package's facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.codegen.surface import settings as surface_facts

ROOT = Path(__file__).parents[2]
SPEC = json.loads((ROOT / "tests" / "specs" / "openapi.frozen.json").read_text(encoding="utf-8"))
FROZEN = ROOT / "tests" / "specs" / "generator.frozen.yaml"
PACKAGE = ROOT / "generated_client" / "raia_agent_api"
ROUTE = "POST /external/conversation-message-feedbacks"
OTHER = "PUT /external/conversation-message-feedbacks"
# what generation passes: each route's client path
CLIENT_PATHS = {ROUTE: "feedback.create_or_update", OTHER: "feedback.replace"}


def with_put(spec: dict[str, object]) -> dict[str, object]:
    """SPEC with a PUT beside the POST, taking the same body: a second upsert route."""
    doc = json.loads(json.dumps(spec))
    item = doc["paths"]["/external/conversation-message-feedbacks"]
    item["put"] = {**item["post"], "operationId": "replace"}
    return doc


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "generator.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_frozen_config_gives_the_feedback_facts() -> None:
    """The frozen config's sections come out as written: exports, timestamps, upsert key, aliases."""
    facts = surface_facts.load(FROZEN, SPEC, PACKAGE, CLIENT_PATHS)
    assert facts.models["VoteType"] == "FeedbackRequestVoteType"
    assert facts.timestamps == {"created": "createdAt", "updated": "updatedAt"}
    assert facts.upsert_keys == {ROUTE: ("conversationMessageId", "userId")}
    assert facts.cli_aliases == {"voteType": ("--vote",)}
    assert facts.cli_operation == "feedback.create_or_update"  # the one upsert route


UPSERTS = f"server:\n  upsert_keys:\n    {ROUTE}: [conversationMessageId, userId]\n    {OTHER}: [conversationMessageId, userId]\n"  # fmt: skip


def test_with_two_upsert_routes_cli_upsert_chooses_the_one_send_and_import_call(tmp_path: Path) -> None:
    """Two upsert routes and no cli.upsert stop generation asking for it; cli.upsert picks one."""
    with pytest.raises(surface_facts.FactsError, match=r"cli\.upsert: choose the import.s route"):
        surface_facts.load(config(tmp_path, UPSERTS), with_put(SPEC), PACKAGE, CLIENT_PATHS)
    chosen = config(tmp_path, UPSERTS + f"cli:\n  upsert: {OTHER}\n")
    assert (
        surface_facts.load(chosen, with_put(SPEC), PACKAGE, CLIENT_PATHS).cli_operation == "feedback.replace"
    )


def test_no_upsert_route_means_no_send_or_import_operation(tmp_path: Path) -> None:
    """Without server.upsert_keys the facts name no operation for the CLI's send and import."""
    facts = surface_facts.load(config(tmp_path, "literal_enums: true\n"), SPEC, PACKAGE, CLIENT_PATHS)
    assert facts.cli_operation is None


def test_a_config_without_the_sections_gets_the_defaults(tmp_path: Path) -> None:
    """An older config: every model under its own name, createdAt/updatedAt, no upsert key, no alias."""
    facts = surface_facts.load(config(tmp_path, "literal_enums: true\n"), SPEC, PACKAGE, CLIENT_PATHS)
    assert facts.models == {name: name for name in surface_facts.generated_models(PACKAGE)}
    assert facts.timestamps == surface_facts.DEFAULT_TIMESTAMPS
    assert facts.upsert_keys == {} and facts.cli_aliases == {}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("exports:\n  class: Feedback\n", "exports entry 'class': not a Python identifier"),
        ("server:\n  upsert_keys:\n    GET /nowhere: [id]\n", "server.upsert_keys entry 'GET /nowhere' matches no operation"),
        (f"server:\n  upsert_keys:\n    {ROUTE}: [userID]\n", "'userID' is no request field"),
        ("server:\n  timestamps:\n    deleted: deletedAt\n", "server.timestamps: unknown entry 'deleted'"),
        ("cli:\n  aliases:\n    voteTyp: [--vote]\n", "cli.aliases entry 'voteTyp' is no request field"),
        ("cli:\n  aliases:\n    voteType: ['-v; rm']\n", "'-v; rm' is not a long option"),
        ("cli:\n  upsert: GET /nowhere\n", "cli.upsert 'GET /nowhere' matches no operation"),
        (f"server:\n  upsert_keys:\n    {ROUTE}: [userId]\n", "server.upsert_keys must give it two request fields"),
    ],
)  # fmt: skip
def test_an_entry_matching_nothing_stops_generation_naming_it(tmp_path: Path, text: str, named: str) -> None:
    """A stale or malformed entry fails with a message naming the entry, before anything is written."""
    with pytest.raises(surface_facts.FactsError) as info:
        surface_facts.load(config(tmp_path, text), SPEC, PACKAGE, CLIENT_PATHS)
    assert named in str(info.value)


def test_an_export_of_a_model_that_went_is_left_out_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exports entry whose model the spec dropped is not exported, and the warning names it."""
    facts = surface_facts.load(
        config(tmp_path, "exports:\n  Thing: NoSuchModel\n  Feedback: Feedback\n"),
        SPEC,
        PACKAGE,
        CLIENT_PATHS,
    )
    assert facts.models == {"Feedback": "Feedback"}
    assert "exports entry 'Thing': no generated model 'NoSuchModel'" in capsys.readouterr().err


def test_names_are_written_as_escaped_literals() -> None:
    """A field name with quotes or a newline stays a string in _facts.py, never code."""
    odd = 'a"b\nimport os'
    text = surface_facts.render(surface_facts.Facts({}, {"created": odd, "updated": "u"}, {ROUTE: (odd,)}))
    namespace: dict[str, object] = {}
    exec(compile(text, "_facts.py", "exec"), namespace)
    assert namespace["TIMESTAMPS"] == {"created": odd, "updated": "u"}
    assert namespace["UPSERT_KEYS"] == {ROUTE: (odd,)}
    assert namespace["CLI_OPERATION"] is None
    assert "os" not in namespace
