"""make diff judges each Python change by whether callers send it or receive it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.diff_specs import (
    OVERLAY,
    SHAPE,
    Mutation,
    Spec,
    frozen,
    literal_row,
    report_for,
    row,
    schema,
    write_pair,
)
from tools.apidiff.__main__ import main
from tools.apidiff._model import Report

BASE = frozen()
REQ_PROPS = schema(BASE, SHAPE.request)["properties"]
RES_REQUIRED = [f for f in schema(BASE, SHAPE.response)["required"] if f != SHAPE.enum_field]
# A property both sides carry (same name), and two only the response has.
SHARED = next(f for f in RES_REQUIRED if f in schema(BASE, SHAPE.request)["required"])
RES_ONLY = [f for f in RES_REQUIRED if f not in REQ_PROPS]
NEW_VALUE = SHAPE.new_value()


def loosen_request_tighten_response(s: Spec) -> None:
    req, res = schema(s, SHAPE.request), schema(s, SHAPE.response)
    req["required"].remove(SHARED)
    req["properties"][SHAPE.enum_field]["enum"].append(NEW_VALUE)
    req["properties"]["rating"] = {"type": "integer"}
    res["properties"][SHARED]["nullable"] = True
    res["required"].remove(RES_ONLY[0])
    res["properties"][SHAPE.enum_field]["enum"].append(NEW_VALUE)
    del res["properties"][RES_ONLY[1]]
    res["required"].remove(RES_ONLY[1])
    res["properties"]["rating"] = {"type": "integer"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return report_for(tmp_path_factory.mktemp("mixed"), loosen_request_tighten_response, python=True)


def test_loosened_request_fields_are_compatible(mixed: Report) -> None:
    """A request field made optional, a request enum value added and a new optional request field are info."""
    assert "now optional" in row(mixed, SHARED, "sent").message
    assert row(mixed, "rating", "sent").message == "field added (optional)"
    assert literal_row(mixed, "sent").message == f"values added: {NEW_VALUE}"
    assert [p for p in mixed.python if p.direction == "sent" and p.level != "info"] == []


def test_tightened_response_fields_break_readers(mixed: Report) -> None:
    """A response field made nullable or optional, a removed one and a new enum value are breaking."""
    assert row(mixed, SHARED, "received").message == "field changed: now nullable"
    assert row(mixed, RES_ONLY[0], "received").message == "field changed: now optional"
    assert row(mixed, RES_ONLY[1], "received").message == "field removed: readers of it fail"
    assert literal_row(mixed, "received").level == "breaking"
    assert {row(mixed, f, "received").level for f in (SHARED, *RES_ONLY[:2])} == {"breaking"}


def test_new_optional_response_field_is_compatible(mixed: Report) -> None:
    """Readers are not broken by a field they have never read."""
    assert row(mixed, "rating", "received").level == "info"


def test_causes_are_linked_on_the_same_side(mixed: Report) -> None:
    """A property changed in both request and response links each Python row to its own side's change."""
    assert " request" in row(mixed, SHARED, "sent").cause
    assert " response " in row(mixed, SHARED, "received").cause
    assert " request" in literal_row(mixed, "sent").cause
    assert " response " in literal_row(mixed, "received").cause


def run_main(tmp_path: Path, mutate: Mutation, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    old, new = write_pair(tmp_path, mutate)
    code = main(["--old", str(old), "--new", str(new), "--overlay", str(OVERLAY), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_make_diff_request_field_made_optional_is_not_breaking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hidden case of issue 11: a request field no longer required gives a non-breaking verdict, exit 0."""
    code, report = run_main(tmp_path, lambda s: schema(s, SHAPE.request)["required"].remove(SHARED), capsys)
    assert (code, report["breaking"]) == (0, False)
    rows = {(p["direction"], p["level"]) for p in report["python"]}
    assert ("sent", "info") in rows
    assert {level for _, level in rows} == {"info"}


def test_make_diff_response_field_made_nullable_is_breaking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A response field that may now be None breaks readers: a breaking verdict, exit 1."""
    code, report = run_main(
        tmp_path, lambda s: schema(s, SHAPE.response)["properties"][RES_ONLY[0]].update(nullable=True), capsys
    )
    assert (code, report["breaking"]) == (1, True)
    assert [(p["direction"], p["level"]) for p in report["python"]] == [("received", "breaking")]


def test_operation_parameters_are_judged_as_sent(tmp_path: Path) -> None:
    """A new optional query parameter of the generated functions is info; a new required one breaks."""

    def add_query_parameters(s: Spec) -> None:
        s["paths"][SHAPE.path][SHAPE.method]["parameters"] = [
            {"name": "dryRun", "in": "query", "schema": {"type": "boolean"}},
            {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}},
        ]

    report = report_for(tmp_path, add_query_parameters, python=True)
    optional = [p for p in report.python if p.symbol.endswith("(dry_run)")]
    required = [p for p in report.python if p.symbol.endswith("(tenant)")]
    assert optional
    assert required
    assert {(p.level, p.direction) for p in optional} == {("info", "sent")}
    assert {(p.level, p.direction) for p in required} == {("breaking", "sent")}
    assert all(" parameter" in p.cause for p in optional + required), [p.cause for p in optional + required]
