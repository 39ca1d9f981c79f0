"""Issue 25 item 11: `make generate` and `make diff` print a line per step on stderr, with its time.

`make diff`'s own lines (with stdout holding only the report) are pinned by
tests/spec_update/test_makefile_values.py::test_make_diff_works_on_files_with_spaces_and_dollars.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.frozen import FROZEN_SPEC, generate
from tools.apidiff._build import summarise
from tools.codegen import api_md as apimd

STEP = re.compile(r"generate: \S.* \(\d+\.\d s\)")


def test_generate_sh_reports_every_step_with_its_time(tmp_path: Path) -> None:
    """generate.sh over the frozen spec: a timed line per step, from reading the spec to writing the package."""
    result = generate(FROZEN_SPEC, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stderr.splitlines() if line.startswith("generate: ")]
    assert all(STEP.fullmatch(line) for line in steps), steps
    assert len(steps) >= 10, steps
    assert steps[0].startswith("generate: spec read and checked")
    assert "openapi-python-client" in " ".join(steps)
    assert steps[-1].startswith(f"generate: written to {tmp_path / 'out'}")
    assert result.stdout == ""


def test_a_failing_generation_reports_the_steps_it_finished(tmp_path: Path) -> None:
    """A spec that is not JSON: no step line claims it was read; the failure is the last line."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = generate(bad, tmp_path / "out")
    assert result.returncode != 0
    assert not [line for line in result.stderr.splitlines() if line.startswith("generate: ")]


def test_api_md_is_the_last_timed_step_of_make_generate(capsys: pytest.CaptureFixture[str]) -> None:
    """tools.codegen.api_md (run by `make generate` after generate.sh) reports its step the same way."""
    assert apimd.main(["--check"]) == 0
    assert STEP.fullmatch(capsys.readouterr().err.strip())


def test_a_failure_summary_leaves_the_progress_lines_out() -> None:
    """make diff and update-spec quote generate.sh's failure in one line: its progress lines are not it."""
    stderr = "generate: spec read and checked (0.4 s)\nnaming: a clash\ngenerate.sh: naming failed\n"
    assert summarise(stderr) == "naming: a clash"
    assert summarise("generate: spec read and checked (0.4 s)\n") == "generate.sh failed without a message"
