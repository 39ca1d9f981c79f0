"""make diff: each kind of spec change is classified as the generated client experiences it.

Every spec is the frozen copy in tests/specs/diff/ changed programmatically; the names,
enum values and header read from it, so a vendor update of openapi.json changes nothing here.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.diff_specs import (
    FIXTURES,
    OVERLAY,
    SHAPE,
    frozen,
    literal_row,
    minimal_overlay,
    operation,
    schema,
)
from tests.support.diff_specs import report_for as _report_for
from tools.apidiff._link import link

Spec = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]
BASE: Spec = frozen()
PATH = SHAPE.path
REQ = SHAPE.request
RES = SHAPE.response
ENUM = SHAPE.enum_field
NEW_VALUE = SHAPE.new_value()


def post(spec: Spec) -> Spec:
    return operation(spec)


def rename_path(s: Spec) -> None:
    s["paths"]["/external/feedbacks"] = s["paths"].pop(PATH)


def add_required(s: Spec) -> None:
    schema(s, REQ)["properties"]["source"] = {"type": "string"}
    schema(s, REQ)["required"].append("source")


OPTIONAL_REQ = next(f for f in schema(BASE, REQ)["properties"] if f not in schema(BASE, REQ)["required"])
TEXT_REQ = next(f for f, p in schema(BASE, REQ)["properties"].items() if p.get("type") == "string" and "enum" not in p and "format" not in p and f in schema(BASE, REQ)["required"])  # fmt: skip
RES_FIELDS = [f for f in schema(BASE, RES)["required"] if f != ENUM]


def remove_response_property(s: Spec) -> None:
    del schema(s, RES)["properties"][RES_FIELDS[-1]]
    schema(s, RES)["required"].remove(RES_FIELDS[-1])


def change_status(s: Spec) -> None:
    other = next(code for code in ("200", "202", "201") if code != SHAPE.status)
    post(s)["responses"][other] = post(s)["responses"].pop(SHAPE.status)


def add_endpoint(s: Spec) -> None:
    s["paths"]["/external/health"] = {
        "get": {"operationId": "health", "responses": {"200": {"description": "ok"}}}
    }


def change_docs(s: Spec) -> None:
    schema(s, REQ)["properties"][TEXT_REQ]["description"] = "Reworded."
    schema(s, REQ)["properties"][TEXT_REQ]["example"] = "An example."


BREAKING: dict[str, Callable[[Spec], None]] = {
    "request property becomes required": lambda s: schema(s, REQ)["required"].append(OPTIONAL_REQ),
    "request property added as required": add_required,
    "request enum loses a value": lambda s: schema(s, REQ)["properties"][ENUM].update(
        enum=list(SHAPE.enum[:1])
    ),
    "request property changes type": lambda s: schema(s, REQ)["properties"][TEXT_REQ].update(type="integer"),
    "response property removed": remove_response_property,
    "response property becomes optional": lambda s: schema(s, RES)["required"].remove(RES_FIELDS[0]),
    "response property becomes nullable": lambda s: schema(s, RES)["properties"][RES_FIELDS[0]].update(
        nullable=True
    ),
    "response enum gains a value": lambda s: schema(s, RES)["properties"][ENUM]["enum"].append(NEW_VALUE),
    "success status code changes": change_status,
    "path removed or renamed": rename_path,
    "security header name changes": lambda s: s["components"]["securitySchemes"][SHAPE.scheme].update(
        name="X-Renamed-Key"
    ),
}
NOT_BREAKING: dict[str, Callable[[Spec], None]] = {
    "new optional request property": lambda s: schema(s, REQ)["properties"].update(source={"type": "string"}),
    "request enum gains a value": lambda s: schema(s, REQ)["properties"][ENUM]["enum"].append(NEW_VALUE),
    "required request property becomes optional": lambda s: schema(s, REQ)["required"].remove(TEXT_REQ),
    "new endpoint": add_endpoint,
    # methods are named by route in spec/generator.yaml, so callers see no change
    "operationId changes": lambda s: post(s).update(operationId="upsertFeedback"),
    "description or example change": change_docs,
}


@pytest.fixture(scope="module")
def overlay(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("overlay") / "overlay.yaml"
    path.write_text(minimal_overlay())
    return path


def report_for(
    mutate: Callable[[Spec], None] | None, tmp_path: Path, overlay: Path, text: str | None = None
) -> Any:
    return _report_for(tmp_path, mutate, overlay=overlay, text=text)


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


FORBIDDEN = str(operation(BASE)["responses"]["403"]["content"]["application/json"]["schema"]["$ref"]).rsplit(
    "/", 1
)[-1]
CLEAN_403 = FORBIDDEN.removesuffix("DTO") + "Renamed"


def rename_forbidden_schema(s: Spec) -> None:
    s["components"]["schemas"][CLEAN_403] = s["components"]["schemas"].pop(FORBIDDEN)
    post(s)["responses"]["403"]["content"]["application/json"]["schema"]["$ref"] = (
        f"#/components/schemas/{CLEAN_403}"
    )


def test_overlay_action_that_stops_matching_is_breaking(tmp_path: Path) -> None:
    """A schema rename leaves the overlay action without a target: reported as breaking."""
    report = report_for(rename_forbidden_schema, tmp_path, OVERLAY)
    missing = [o for o in report.overlay if o.rule == "overlay-target-missing"]
    assert [o.location for o in missing] == [f"action 1 ($.components.schemas.{FORBIDDEN}.properties.name)"]
    assert any(c.rule == "schema-name-removed" for c in report.changes)
    assert report.breaking


def test_overlay_action_made_unnecessary_by_the_vendor(tmp_path: Path) -> None:
    """When the vendor fixes a bug the overlay corrects, the report says the action can go."""
    report = report_for(
        lambda s: schema(s, FORBIDDEN)["properties"]["name"].update(type="string"), tmp_path, OVERLAY
    )
    unnecessary = [o for o in report.overlay if o.rule == "overlay-action-unnecessary"]
    assert len(unnecessary) == 1
    assert FORBIDDEN in unnecessary[0].location
    assert not report.breaking
    assert all(c.view == "upstream" for c in report.changes), "the corrected spec did not change"


def test_upstream_rename_absorbed_by_overlay_is_info(tmp_path: Path) -> None:
    """An operationId rename that the overlay pins again never reaches Python: info, marked upstream."""
    report = report_for(NOT_BREAKING["operationId changes"], tmp_path, OVERLAY)
    assert [(c.level, c.view, c.rule) for c in report.changes] == [
        ("info", "upstream", "operation-id-changed")
    ]


def python_report(mutate: Callable[[Spec], None], tmp_path: Path, overlay: Path) -> Any:
    return _report_for(tmp_path, mutate, overlay=overlay, python=True)


def test_python_level_changes_name_symbols_and_causes(tmp_path: Path, overlay: Path) -> None:
    """A new required request field and a response enum value show up in Python, linked to the spec."""

    def mutate(s: Spec) -> None:
        add_required(s)
        schema(s, RES)["properties"][ENUM]["enum"].append(NEW_VALUE)

    report = python_report(mutate, tmp_path, overlay)
    field = next(p for p in report.python if p.symbol.endswith(".source"))
    assert field.level == "breaking"
    assert field.after == "str required"
    assert field.cause.startswith("required-properties-added")
    literal = literal_row(report, "received")
    assert literal.message == f"values added: {NEW_VALUE}"
    assert "enum-values-added" in literal.cause
    assert literal.before == "Literal[" + ", ".join(repr(v) for v in sorted(SHAPE.enum)) + "]"


def test_an_operation_id_rename_needs_no_naming_edit_and_is_info(tmp_path: Path, overlay: Path) -> None:
    """naming.methods is keyed by route: a renamed operationId generates, changes no Python name and is info."""
    report = python_report(NOT_BREAKING["operationId changes"], tmp_path, overlay)
    assert not report.failure and not report.breaking
    assert report.python == []
    assert [(c.level, c.rule) for c in report.changes if c.view == "corrected"] == [
        ("info", "operation-id-changed")
    ]


def test_make_diff_base_in_a_repository(repo_copy: Path) -> None:
    """`make -s diff BASE=HEAD~1` in a repository: stdout is the report, exit code is the verdict."""
    clone = repo_copy
    (clone / "node_modules").symlink_to(ROOT / "node_modules")
    git = ["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    (clone / "openapi.json").write_text((FIXTURES.parent / "openapi.frozen.json").read_text())
    (clone / "spec" / "overlay.yaml").write_text(OVERLAY.read_text())
    subprocess.run([*git, "commit", "-qam", "frozen spec", "--allow-empty"], check=True)
    spec = frozen()
    schema(spec, RES)["properties"][ENUM]["enum"].append(NEW_VALUE)
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


def test_a_change_is_credited_to_the_most_specific_spec_change(tmp_path: Path, overlay: Path) -> None:
    """A request enum losing a value and reworded: every breaking row is caused by the enum change, in any order."""

    def mutate(s: Spec) -> None:
        schema(s, REQ)["properties"][ENUM].update(enum=list(SHAPE.enum[:1]), description="Reworded.")

    report = python_report(mutate, tmp_path, overlay)
    assert {c.rule for c in report.changes} >= {"enum-values-removed", "description-modified"}
    breaking = [p for p in report.python if p.level == "breaking"]
    assert breaking and all(p.cause.startswith("enum-values-removed at ") for p in breaking), breaking
    plain = [replace(p, cause="") for p in report.python]
    for changes in (report.changes, report.changes[::-1]):
        relinked = link(plain, changes, report.operations, report.schema_sides)
        assert [p.cause for p in relinked] == [p.cause for p in report.python]
