"""Issue 15 (tests) and 19 items 12-13: vendor updates reach the command line with no CLI edit.

The updated spec is built from the frozen base (tests/specs/openapi.frozen.json) with a
frozen overlay and generator config (tests/specs/), regenerated into a temporary directory,
and the installed `raia-agent` runs on it, against `raia-agent serve` on the same package.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli_helpers import wait_for
from tests.support.frozen import FROZEN_GENERATOR, FROZEN_OVERLAY
from tests.support.vendor_updates.updates import (
    BASE,
    BODY,
    COLLECTION,
    REPLY,
    get_by_id,
    list_with_query,
    optional_field,
)

ROOT = Path(__file__).resolve().parents[2]
RAIA_AGENT = str(Path(sys.executable).parent / "raia-agent")
KEY = "sk-vendor-cli"


def nested_metadata(spec: dict[str, Any]) -> None:
    """An optional nested object, written as NestJS writes it (a single-$ref allOf with a description),
    echoed by the response as a nullable field; and an optional Idempotency-Key header."""
    schemas = spec["components"]["schemas"]
    schemas["FeedbackMetadataDTO"] = {
        "type": "object",
        "properties": {"source": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
        "required": ["source"],
    }
    ref = [{"$ref": "#/components/schemas/FeedbackMetadataDTO"}]
    schemas[BODY]["properties"]["metadata"] = {"description": "Where it came from.", "allOf": ref}
    schemas[REPLY]["properties"]["metadata"] = {
        "nullable": True,
        "description": "Where it came from.",
        "allOf": ref,
    }
    spec["paths"][COLLECTION]["post"].setdefault("parameters", []).append(
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
        }
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen base plus a GET by id, a list with query parameters, an optional integer `rating`,
    an optional nested `metadata` and a header parameter, generated with the frozen overlay and config."""
    tmp = tmp_path_factory.mktemp("vendor_cli")
    spec = json.loads(BASE.read_text(encoding="utf-8"))
    for change in (get_by_id, list_with_query, optional_field, nested_metadata):
        change(spec)
    (tmp / "openapi.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")
    env = {**os.environ, "SPEC": str(tmp / "openapi.json"), "OVERLAY": str(FROZEN_OVERLAY),
           "GENERATOR": str(FROZEN_GENERATOR), "PYTHON": sys.executable}  # fmt: skip
    result = subprocess.run([str(ROOT / "generate.sh"), "--out", str(tmp / "generated")], env=env,
                            capture_output=True, text=True, check=False, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return tmp / "generated"


@pytest.fixture(scope="module")
def cli_env(generated: Path) -> Iterator[dict[str, str]]:
    """The environment of a `raia-agent` that uses the updated package, and a server serving it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated), str(ROOT / "src")])}
    log = generated.parent / "serve.log"  # a file, not a pipe: nobody reads the server's log lines
    with log.open("w") as sink:
        server = subprocess.Popen([RAIA_AGENT, "serve", "--port", "0", "--secret-key", KEY], env=env,
                                  stderr=sink)  # fmt: skip
    try:
        wait_for(lambda: "Ctrl-C to stop" in log.read_text() or server.poll() is not None, "the server")
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", log.read_text())
        assert match, f"the server did not start:\n{log.read_text()}"
        yield {**env, "RAIA_AGENT_SECRET_KEY": KEY, "RAIA_AGENT_BASE_URL": match.group(1)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RAIA_AGENT, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def ids() -> list[str]:
    return ["--conversation-message-id", str(uuid.uuid4()), "--user-id", str(uuid.uuid4())]


def test_a_get_by_id_is_a_command_with_no_cli_edit(cli_env: dict[str, str]) -> None:
    """`feedback retrieve --id` appears in --help, fetches a stored feedback, and an unknown id exits 4."""
    listing = cli(cli_env, "feedback", "--help")
    assert {"retrieve", "list", "create-or-update", "send", "import"} <= set(listing.stdout.split())
    created = cli(cli_env, "feedback", "send", *ids(), "--vote", "up", "--question", "Q", "--json")
    assert created.returncode == 0, created.stderr
    feedback_id = json.loads(created.stdout)["id"]
    found = cli(cli_env, "feedback", "retrieve", "--id", feedback_id, "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["id"] == feedback_id
    missing = cli(cli_env, "feedback", "retrieve", "--id", str(uuid.uuid4()))
    assert missing.returncode == 4 and "404" in missing.stderr
    bad = cli(cli_env, "feedback", "retrieve", "--id", "not-a-uuid")
    assert bad.returncode == 2 and "id" in bad.stderr


def test_query_parameters_are_options_with_bounds_and_choices(cli_env: dict[str, str]) -> None:
    """feedback list takes --limit (bounds checked before sending) and --vote-type as a choice."""
    page = cli(cli_env, "feedback", "list", "--limit", "5", "--vote-type", "up", "--json")
    assert page.returncode == 0, page.stderr
    assert "items" in json.loads(page.stdout)
    assert cli(cli_env, "feedback", "list", "--limit", "0").returncode == 2
    wrong = cli(cli_env, "feedback", "list", "--vote-type", "sideways")
    assert wrong.returncode == 2 and "is not one of" in wrong.stderr


def test_an_optional_integer_field_is_imported_from_csv_and_tsv(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`rating` cells become integers; a cell that is not one rejects its row naming the column; empty is absent."""
    for delimiter, suffix in ((",", "csv"), ("\t", "tsv")):
        lines = ["conversationMessageId userId voteType question rating".replace(" ", delimiter)]
        for rating in ("5", "", "five"):
            lines.append(delimiter.join([str(uuid.uuid4()), str(uuid.uuid4()), "up", "Q", rating]))
        path = tmp_path / f"ratings.{suffix}"
        path.write_text("\n".join(lines) + "\n")
        result = cli(cli_env, "feedback", "import", str(path))
        assert result.returncode == 1, result.stderr
        assert "2 sent" in result.stdout and "1 rejected" in result.stdout
        [reject] = [
            json.loads(x) for x in path.with_name(path.name + ".rejects.jsonl").read_text().splitlines()
        ]
        assert reject["line"] == 4 and reject["reason"] == "column 'rating': 'five' is not an integer"
    sent = cli(
        cli_env, "feedback", "send", *ids(), "--vote", "up", "--question", "Q", "--rating", "3", "--json"
    )
    assert json.loads(sent.stdout)["rating"] == 3


def test_an_optional_nested_object_is_sent_from_jsonl_csv_and_the_command_line(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`metadata` is taken as JSON by send, as a JSON object in JSONL and as a JSON cell in CSV; a missing
    nested field rejects the row."""
    sent = cli(cli_env, "feedback", "send", *ids(), "--vote", "up", "--question", "Q",
               "--metadata", '{"source": "chat", "tags": ["a"]}', "--json")  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["metadata"] == {"source": "chat", "tags": ["a"]}
    assert cli(cli_env, "feedback", "send", *ids(), "--vote", "up", "--question", "Q",
               "--metadata", "{broken").returncode == 2  # fmt: skip

    def row(**extra: Any) -> dict[str, Any]:
        return {"conversationMessageId": str(uuid.uuid4()), "userId": str(uuid.uuid4()), "voteType": "down",
                "question": "Q", **extra}  # fmt: skip

    jsonl = tmp_path / "nested.jsonl"
    records = [row(metadata={"source": "import"}), row(metadata={"tags": ["no source"]})]
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = cli(cli_env, "feedback", "import", str(jsonl))
    assert result.returncode == 1 and "1 sent" in result.stdout, result.stdout + result.stderr
    [reject] = [json.loads(x) for x in (tmp_path / "nested.jsonl.rejects.jsonl").read_text().splitlines()]
    # The path of the missing nested field (metadata.source) is the client core's to name (issue 19 item 9).
    assert reject["line"] == 2 and "metadata" in reject["reason"] and "required" in reject["reason"]

    csv_path = tmp_path / "nested.csv"
    first = row()
    csv_path.write_text(
        "conversationMessageId,userId,voteType,question,metadata\n"
        f'{first["conversationMessageId"]},{first["userId"]},up,Q,"{{""source"": ""csv""}}"\n'
    )
    result = cli(cli_env, "feedback", "import", str(csv_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_header_parameter_is_an_option_and_a_column(cli_env: dict[str, str], tmp_path: Path) -> None:
    """Idempotency-Key is --idempotency-key on send and an `Idempotency-Key` column in the import,
    validated by its schema (maxLength) before anything is sent."""
    ok = cli(
        cli_env, "feedback", "send", *ids(), "--vote", "up", "--question", "Q", "--idempotency-key", "k-1"
    )
    assert ok.returncode == 0, ok.stderr
    too_long = cli(cli_env, "feedback", "send", *ids(), "--vote", "up", "--question", "Q",
                   "--idempotency-key", "k" * 300)  # fmt: skip
    assert too_long.returncode == 2 and "idempotency_key" in too_long.stderr
    path = tmp_path / "keys.csv"
    path.write_text(
        "conversationMessageId,userId,voteType,question,Idempotency-Key\n"
        + "".join(f"{uuid.uuid4()},{uuid.uuid4()},up,Q,{key}\n" for key in ("k-2", "k" * 300))
    )
    result = cli(cli_env, "feedback", "import", str(path))
    assert result.returncode == 1 and "1 sent" in result.stdout and "1 rejected" in result.stdout
    assert "ignored column" not in result.stdout
