"""make diff: each kind of spec change is classified as the generated client experiences it."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from tools.apidiff._build import add_python, spec_report

Spec = dict[str, Any]
BASE: Spec = json.loads((ROOT / "openapi.json").read_text())
PATH = "/external/conversation-message-feedbacks"
REQ = "ExternalApiCrateOrUpdateConversationMessageFeedbackBodyDTO"
RES = "ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO"
# Only the ForbiddenErrorDTO fix: these fixtures pin the differ's rules, which the
# operationId-pinning action would otherwise hide.
MINIMAL_OVERLAY = """overlay: 1.0.0
info: {title: test, version: 1.0.0}
actions:
  - target: $.components.schemas.ForbiddenErrorDTO.properties.name
    description: name is a string.
    update: {type: string}
"""


def schema(spec: Spec, name: str) -> Spec:
    return spec["components"]["schemas"][name]  # type: ignore[no-any-return]


def post(spec: Spec) -> Spec:
    return spec["paths"][PATH]["post"]  # type: ignore[no-any-return]


def rename_path(s: Spec) -> None:
    s["paths"]["/external/feedbacks"] = s["paths"].pop(PATH)


def add_required(s: Spec) -> None:
    schema(s, REQ)["properties"]["source"] = {"type": "string"}
    schema(s, REQ)["required"].append("source")


def remove_response_property(s: Spec) -> None:
    del schema(s, RES)["properties"]["answer"]
    schema(s, RES)["required"].remove("answer")


def change_status(s: Spec) -> None:
    post(s)["responses"]["200"] = post(s)["responses"].pop("201")


def add_endpoint(s: Spec) -> None:
    s["paths"]["/external/health"] = {
        "get": {"operationId": "health", "responses": {"200": {"description": "ok"}}}
    }


def change_docs(s: Spec) -> None:
    schema(s, REQ)["properties"]["question"]["description"] = "The user's question."
    schema(s, REQ)["properties"]["question"]["example"] = "How?"


BREAKING: dict[str, Callable[[Spec], None]] = {
    "request property becomes required": lambda s: schema(s, REQ)["required"].append("answer"),
    "request property added as required": add_required,
    "request enum loses a value": lambda s: schema(s, REQ)["properties"]["voteType"].update(enum=["up"]),
    "request property changes type": lambda s: schema(s, REQ)["properties"]["question"].update(
        type="integer"
    ),
    "response property removed": remove_response_property,
    "response property becomes optional": lambda s: schema(s, RES)["required"].remove("question"),
    "response property becomes nullable": lambda s: schema(s, RES)["properties"]["createdAt"].update(
        nullable=True
    ),
    "response enum gains a value": lambda s: schema(s, RES)["properties"]["voteType"]["enum"].append(
        "neutral"
    ),
    "success status code changes": change_status,
    "path removed or renamed": rename_path,
    "operationId changes": lambda s: post(s).update(operationId="upsertFeedback"),
    "security header name changes": lambda s: s["components"]["securitySchemes"]["Agent-Secret-Key"].update(
        name="X-Agent-Key"
    ),
}
NOT_BREAKING: dict[str, Callable[[Spec], None]] = {
    "new optional request property": lambda s: schema(s, REQ)["properties"].update(source={"type": "string"}),
    "request enum gains a value": lambda s: schema(s, REQ)["properties"]["voteType"]["enum"].append(
        "neutral"
    ),
    "required request property becomes optional": lambda s: schema(s, REQ)["required"].remove("question"),
    "new endpoint": add_endpoint,
    "description or example change": change_docs,
}


@pytest.fixture(scope="module")
def overlay(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("overlay") / "overlay.yaml"
    path.write_text(MINIMAL_OVERLAY)
    return path


def report_for(
    mutate: Callable[[Spec], None] | None, tmp_path: Path, overlay: Path, text: str | None = None
) -> Any:
    new = copy.deepcopy(BASE)
    if mutate:
        mutate(new)
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    old_path.write_text(json.dumps(BASE))
    new_path.write_text(text if text is not None else json.dumps(new))
    work = tmp_path / "work"
    work.mkdir()
    return spec_report(old_path, overlay, new_path, overlay, work, ("old", "new"))


@pytest.mark.parametrize("name", sorted(BREAKING))
def test_breaking_changes_are_breaking(name: str, tmp_path: Path, overlay: Path) -> None:
    """Each change that breaks existing callers is reported as breaking."""
    report = report_for(BREAKING[name], tmp_path, overlay)
    assert report.breaking, name
    assert any(c.level == "breaking" for c in report.changes), report.changes


@pytest.mark.parametrize("name", sorted(NOT_BREAKING))
def test_compatible_changes_are_reported_but_not_breaking(name: str, tmp_path: Path, overlay: Path) -> None:
    """Each compatible change is reported, and none of them as breaking."""
    report = report_for(NOT_BREAKING[name], tmp_path, overlay)
    assert report.changes, f"{name}: no change reported"
    assert not report.breaking, [c for c in report.changes if c.level == "breaking"]


def test_description_change_is_info(tmp_path: Path, overlay: Path) -> None:
    """Descriptions and examples are info."""
    report = report_for(change_docs, tmp_path, overlay)
    assert {c.level for c in report.changes} == {"info"}


def test_reformatting_is_no_change(tmp_path: Path, overlay: Path) -> None:
    """Reindented, key-sorted JSON is zero changes."""
    report = report_for(None, tmp_path, overlay, text=json.dumps(BASE, indent=4, sort_keys=True))
    assert report.changes == []


def rename_forbidden_schema(s: Spec) -> None:
    s["components"]["schemas"]["ForbiddenError"] = s["components"]["schemas"].pop("ForbiddenErrorDTO")
    post(s)["responses"]["403"]["content"]["application/json"]["schema"]["$ref"] = (
        "#/components/schemas/ForbiddenError"
    )


def test_overlay_action_that_stops_matching_is_breaking(tmp_path: Path) -> None:
    """A schema rename leaves the overlay action without a target: reported as breaking."""
    overlay = ROOT / "spec" / "overlay.yaml"
    report = report_for(rename_forbidden_schema, tmp_path, overlay)
    missing = [o for o in report.overlay if o.rule == "overlay-target-missing"]
    assert [o.location for o in missing] == [
        "action 1 ($.components.schemas.ForbiddenErrorDTO.properties.name)"
    ]
    assert any(c.rule == "schema-name-removed" for c in report.changes)
    assert report.breaking


def test_overlay_action_made_unnecessary_by_the_vendor(tmp_path: Path) -> None:
    """When the vendor fixes a bug the overlay corrects, the report says the action can go."""
    overlay = ROOT / "spec" / "overlay.yaml"
    report = report_for(
        lambda s: schema(s, "ForbiddenErrorDTO")["properties"]["name"].update(type="string"),
        tmp_path,
        overlay,
    )
    unnecessary = [o for o in report.overlay if o.rule == "overlay-action-unnecessary"]
    assert len(unnecessary) == 1
    assert "ForbiddenErrorDTO" in unnecessary[0].location
    assert not report.breaking
    assert all(c.view == "upstream" for c in report.changes), "the corrected spec did not change"


def test_upstream_rename_absorbed_by_overlay_is_info(tmp_path: Path) -> None:
    """An operationId rename that the overlay pins again never reaches Python: info, marked upstream."""
    overlay = ROOT / "spec" / "overlay.yaml"
    report = report_for(BREAKING["operationId changes"], tmp_path, overlay)
    assert [(c.level, c.view, c.rule) for c in report.changes] == [
        ("info", "upstream", "operation-id-changed")
    ]


def python_report(mutate: Callable[[Spec], None], tmp_path: Path, overlay: Path) -> Any:
    report = report_for(mutate, tmp_path, overlay)
    return add_python(
        report, tmp_path / "old.json", overlay, tmp_path / "new.json", overlay, tmp_path / "work"
    )


def test_python_level_changes_name_symbols_and_causes(tmp_path: Path, overlay: Path) -> None:
    """A new required request field and a response enum value show up in Python, linked to the spec."""

    def mutate(s: Spec) -> None:
        add_required(s)
        schema(s, RES)["properties"]["voteType"]["enum"].append("neutral")

    report = python_report(mutate, tmp_path, overlay)
    rows = {p.symbol: p for p in report.python}
    field = rows["models.feedback_request.FeedbackRequest.source"]
    assert field.level == "breaking"
    assert field.after == "str required"
    assert field.cause.startswith("required-properties-added")
    literal = rows["models.feedback_vote_type.FeedbackVoteType"]
    assert literal.message == "values added: neutral"
    assert "enum-values-added" in literal.cause
    assert literal.before == "Literal['down', 'up']"


def test_python_function_rename_follows_operation_id(tmp_path: Path, overlay: Path) -> None:
    """A renamed operationId removes the old function module and adds the new one, as breaking."""
    report = python_report(BREAKING["operationId changes"], tmp_path, overlay)
    removed = [p for p in report.python if p.level == "breaking" and p.symbol.endswith(".sync")]
    assert any("external_api_conversation_message_feedbacks_controller" in p.symbol for p in removed)
    assert any("upsert_feedback" in p.symbol for p in report.python)
    assert all(p.cause.startswith("operation-id-changed") for p in removed)


def test_make_diff_base_in_a_repository(repo_copy: Path) -> None:
    """`make -s diff BASE=HEAD~1` in a repository: stdout is the report, exit code is the verdict."""
    clone = repo_copy
    (clone / "node_modules").symlink_to(ROOT / "node_modules")
    git = ["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    spec = json.loads((clone / "openapi.json").read_text())
    schema(spec, RES)["properties"]["voteType"]["enum"].append("neutral")
    (clone / "openapi.json").write_text(json.dumps(spec))
    subprocess.run([*git, "commit", "-qam", "vendor update"], check=True)
    env = {**os.environ, "MAKEFLAGS": ""}
    result = subprocess.run(["make", "-s", "-o", ".venv/.installed", "diff", "BASE=HEAD~1", "FORMAT=json"],
                            cwd=clone, capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert result.returncode != 0, result.stderr
    report = json.loads(result.stdout)
    assert report["breaking"] is True
    assert {c["rule"] for c in report["changes"]} == {"enum-values-added"}
    assert set(report["changes"][0]) == {"level", "location", "message", "rule"}
    assert {"level", "symbol", "before", "after", "message"} <= set(report["python"][0])
    allowed = subprocess.run(["make", "-s", "-o", ".venv/.installed", "diff", "BASE=HEAD~1", "ALLOW_BREAKING=1"],
                             cwd=clone, capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.startswith("## API change report")
    same = subprocess.run(["make", "-s", "-o", ".venv/.installed", "diff", "BASE=HEAD"],
                          cwd=clone, capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert same.returncode == 0
    assert "Verdict: not breaking" in same.stdout
