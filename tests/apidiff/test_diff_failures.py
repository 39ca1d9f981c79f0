"""make diff fails, in one short line, when the new spec does not generate; it never says "not breaking"."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest

from tests.support.diff_specs import OVERLAY, SHAPE, Mutation, Spec, schema, write_pair
from tools.apidiff.__main__ import main
from tools.apidiff._build import summarise


def integer_with_string_default(s: Spec) -> None:
    schema(s, SHAPE.request)["properties"]["rating"] = {"type": "integer", "default": "five"}


def broken_ref(s: Spec) -> None:
    content = s["paths"][SHAPE.path][SHAPE.method]["responses"][SHAPE.status]["content"]
    content["application/json"]["schema"]["$ref"] = "#/components/schemas/Missing"


def run(
    tmp_path: Path, mutate: Mutation, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    old, new = write_pair(tmp_path, mutate)
    code = main(["--old", str(old), "--new", str(new), "--overlay", str(OVERLAY), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_spec_that_does_not_generate_fails_make_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An integer field with default "five": non-zero exit, one stderr line besides the timed progress lines,
    a FAILED verdict, even with ALLOW_BREAKING."""
    code, out, err = run(tmp_path, integer_with_string_default, capsys, "--allow-breaking")
    assert code == 2
    [err] = [line for line in err.splitlines() if not re.fullmatch(r"make diff: [^:]+ \(\d+\.\d s\)", line)]
    assert err.startswith("make diff: failed: the new spec does not generate")
    assert "'five' is not of type 'integer'" in err
    assert "**Verdict: FAILED.**" in out
    assert "not breaking" not in out


def test_failure_is_in_the_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON report carries the failure, so a machine reader cannot mistake it for a clean diff."""
    code, out, _ = run(tmp_path, integer_with_string_default, capsys, "--format", "json")
    assert code == 2
    assert "does not generate" in json.loads(out)["failure"]


def test_broken_ref_is_reported_without_dumping_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A $ref to nowhere names the reference in a short line; the spec is not quoted, no scratch path shown."""
    code, out, err = run(tmp_path, broken_ref, capsys)
    assert code == 2
    assert "#/components/schemas/Missing" in err
    assert len(err) < 400, err
    for text in (out, err):
        assert "'openapi':" not in text
        assert SHAPE.request not in text, "a schema name from the spec's body leaked in"
        assert tempfile.gettempdir() + "/" not in text
    assert "**Verdict: FAILED.**" in out


def test_old_spec_that_does_not_generate_only_skips_the_python_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken old spec is the past's problem: the report notes it and still gives a verdict."""
    new_path = tmp_path / "fixed.json"
    old, new = write_pair(tmp_path, integer_with_string_default)
    new_path.write_bytes(old.read_bytes())
    code = main(["--old", str(new), "--new", str(new_path), "--overlay", str(OVERLAY)])
    out = capsys.readouterr().out
    assert code == 0
    assert "the old spec does not generate ('five' is not of type 'integer')" in out
    assert "Verdict: not breaking" in out


def test_generation_messages_are_summarised_in_one_line() -> None:
    """The validator's quoted document, scratch paths and generate.sh's trailer give way to the precise lines."""
    dump = "{'openapi': '3.0.0', " + "'x': 1, " * 500 + "}"
    stderr = (
        f"upstream /somewhere/spec.json: '/components/schemas/Gone' does not exist within {dump}\n"
        f"/tmp/tmp.Ab12Cd/corrected.json: '/components/schemas/Gone' does not exist within {dump}\n"
        "generate.sh: the corrected spec is not a valid OpenAPI document; generated client left unchanged.\n"
    )
    assert summarise(stderr) == "'/components/schemas/Gone' does not exist"
    only_trailer = "generate.sh: could not apply spec/overlay.yaml; generated client left unchanged.\n"
    assert summarise(only_trailer) == only_trailer.strip()
