"""Issue 25 item 2: every value a user gives a make target reaches the tool verbatim, as one argument.

Most tests run the real Makefile in a scratch copy whose `.venv/bin/python` and `pytest` only record
what they were given, so each target's hand-over is seen exactly; one runs the real `make diff`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.frozen import FROZEN_GENERATOR, FROZEN_OVERLAY, FROZEN_SPEC

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# The branch name that ran `echo`, a make function, a space, and shell quoting and expansion.
ATTACKS = [
    "x;echo${IFS}INJECTED>&2;true",
    "$(shell touch pwned)",
    "a b.json",
    "`touch pwned`$HOME'\"$$",
]
RECORDER = """#!{python}
import json, os, sys
with open(os.environ["RECORD"], "a", encoding="utf-8") as out:
    out.write(json.dumps({{"argv": sys.argv[1:], "quick": os.environ.get("BENCH_QUICK")}}) + "\\n")
sys.exit(1)
"""
# (target, variable, what the tool must receive, given the value)
HANDOVERS: list[tuple[str, str, Any]] = [
    ("diff", "BASE", lambda v, _: ["--base", v]),
    ("diff", "OLD", lambda v, _: ["--old", v]),
    ("diff", "NEW", lambda v, _: ["--new", v]),
    ("diff", "FORMAT", lambda v, _: ["--format", v]),
    ("test", "JOBS", lambda v, _: ["-n", v]),
    ("generate", "SPEC", lambda v, repo: [os.path.realpath(repo) + "/" + v]),
]


@pytest.fixture
def recording_copy(repo_copy: Path) -> Path:
    """The repository copy with a `.venv` whose python and pytest record their arguments and fail."""
    (repo_copy / ".venv").unlink()
    bin_dir = repo_copy / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "pytest"):
        (bin_dir / name).write_text(RECORDER.format(python=sys.executable), encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    (repo_copy / ".venv" / ".installed").touch()
    return repo_copy


def make(
    repo: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """make in REPO, never remaking .venv or running `check` first (test depends on it)."""
    base = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    return subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "-o", "check", *args],
        cwd=repo,
        env={**base, "RECORD": str(repo / "record.jsonl"), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,  # a bound on a hang, not a speed check: a full diff generates two clients
    )


def recorded(repo: Path) -> list[dict[str, Any]]:
    path = repo / "record.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def contains(argv: list[str], part: list[str]) -> bool:
    return any(argv[i : i + len(part)] == part for i in range(len(argv)))


def assert_nothing_ran(repo: Path, result: subprocess.CompletedProcess[str]) -> None:
    assert not list(repo.rglob("pwned")), "a command inside the value ran"
    assert "INJECTED" not in result.stderr.replace("echo${IFS}INJECTED", ""), result.stderr


@pytest.mark.parametrize("value", ATTACKS)
@pytest.mark.parametrize("way", ["command line", "environment"])
@pytest.mark.parametrize(
    ("target", "variable", "expected"), HANDOVERS, ids=[f"{t}-{v}" for t, v, _ in HANDOVERS]
)
def test_a_hostile_value_reaches_the_tool_as_one_argument(
    recording_copy: Path, target: str, variable: str, expected: Any, value: str, way: str
) -> None:
    """`make diff BASE='x;echo${IFS}INJECTED>&2;true'` and the like: the tool gets the value as written,
    one argument, whether given on make's command line or in the environment; nothing in it runs."""
    if way == "command line":
        result = make(recording_copy, target, f"{variable}={value}")
    else:
        result = make(recording_copy, target, env={variable: value})
    calls = recorded(recording_copy)
    assert calls, result.stderr
    assert any(contains(call["argv"], expected(value, recording_copy)) for call in calls), (
        calls,
        result.stderr,
    )
    assert_nothing_ran(recording_copy, result)


@pytest.mark.parametrize("value", ATTACKS)
def test_bench_quick_reaches_the_tool_verbatim(recording_copy: Path, value: str) -> None:
    """`make bench QUICK=<value>` hands BENCH_QUICK the text as given; nothing in it runs."""
    result = make(recording_copy, "bench", f"QUICK={value}")
    assert [call["quick"] for call in recorded(recording_copy)] == [value], result.stderr
    assert_nothing_ran(recording_copy, result)


@pytest.mark.parametrize("value", ["1", "$(shell touch pwned)"])
def test_allow_breaking_is_a_flag_whatever_its_text(recording_copy: Path, value: str) -> None:
    """ALLOW_BREAKING given (any text) adds --allow-breaking and passes nothing of its text; unset, no flag."""
    make(recording_copy, "diff", "BASE=main", f"ALLOW_BREAKING={value}")
    make(recording_copy, "diff", "BASE=main")
    given, absent = (call["argv"] for call in recorded(recording_copy))
    assert "--allow-breaking" in given and value not in given
    assert "--allow-breaking" not in absent
    assert not list(recording_copy.rglob("pwned"))


def test_the_real_diff_names_a_hostile_base_as_text(repo_copy: Path) -> None:
    """The issue's attack against the real tool: it looks the branch up by its literal name, echo never runs."""
    value = "x;echo${IFS}INJECTED>&2;true"
    result = make(repo_copy, "diff", f"BASE={value}")
    assert result.returncode != 0
    assert f"{value} has no openapi.json" in result.stderr
    assert_nothing_ran(repo_copy, result)


def test_make_diff_works_on_files_with_spaces_and_dollars(repo_copy: Path) -> None:
    """`make -s diff OLD="a b.json" NEW='c $HOME.json'` compares those files: stdout is only the report,
    stderr has a progress line per step with its time."""
    (repo_copy / "node_modules").symlink_to(ROOT / "node_modules")
    shutil.copyfile(FROZEN_OVERLAY, repo_copy / "spec" / "overlay.yaml")
    shutil.copyfile(FROZEN_GENERATOR, repo_copy / "spec" / "generator.yaml")
    old, new = repo_copy / "a b.json", repo_copy / "c $HOME.json"
    shutil.copyfile(FROZEN_SPEC, old)
    spec = json.loads(FROZEN_SPEC.read_text(encoding="utf-8"))
    spec["info"]["description"] = "Changed."
    new.write_text(json.dumps(spec), encoding="utf-8")
    result = make(repo_copy, "diff", f"OLD={old.name}", f"NEW={new.name}", "FORMAT=json", timeout=900)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # nothing but the report on stdout
    assert (report["old"], report["new"]) == (old.name, new.name)
    steps = [line for line in result.stderr.splitlines() if line.startswith("make diff: ")]
    assert len(steps) >= 3 and all(line.endswith(" s)") for line in steps), result.stderr


def run_steps(path: Path) -> list[str]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [step["run"] for job in doc["jobs"].values() for step in job.get("steps", []) if "run" in step]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_no_workflow_script_holds_an_expression(workflow: Path) -> None:
    """`${{ }}` values (a fork's base ref, a label) reach a step through `env:`, never pasted into `run:`."""
    scripts = run_steps(workflow)
    assert scripts
    assert not [script for script in scripts if "${{" in script]


def test_the_expression_check_can_fail(tmp_path: Path) -> None:
    """The check above finds an expression pasted into a script (the diff workflow's former step)."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: make -s diff BASE=origin/${{ github.base_ref }}\n",
        encoding="utf-8",
    )
    assert [s for s in run_steps(broken) if "${{" in s]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_workflow_passes_the_github_actions_schema(workflow: Path) -> None:
    """check-jsonschema's vendored GitHub workflow schema accepts each workflow file."""
    tool = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(tool), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_is_run_by_its_path_as_given(recording_copy: Path) -> None:
    """`make install PYTHON=<path with a space and $(...)>` runs that file to make .venv; nothing in it runs."""
    (recording_copy / ".venv" / ".installed").unlink()
    odd = recording_copy / "my $(shell touch pwned) python"
    shutil.copyfile(recording_copy / ".venv" / "bin" / "python", odd)
    odd.chmod(0o755)
    result = subprocess.run(
        ["make", "-s", "install", f"PYTHON=./{odd.name}"],
        cwd=recording_copy,
        env={**os.environ, "RECORD": str(recording_copy / "record.jsonl"), "MAKEFLAGS": ""},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert [call["argv"] for call in recorded(recording_copy)] == [["-m", "venv", ".venv"]], result.stderr
    assert_nothing_ran(recording_copy, result)
