"""The two lanes: tests that regenerate, build, run schemathesis, make or the bench are marked slow by rule."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import lanes as _lanes

ROOT = Path(__file__).resolve().parents[2]


def samples() -> ModuleType:
    """The sample functions, loaded by name: a test that only inspects them must not look like it calls them."""
    return importlib.import_module("tests.support.lanes_samples")


@pytest.mark.parametrize(
    ("command", "expensive"),
    [
        ([str(ROOT / "generate.sh"), "--out", "x"], True),
        (["./generate.sh"], True),
        (["make", "-s", "diff"], True),
        ([str(Path(sys.executable).parent / "schemathesis"), "run"], True),
        ([sys.executable, "-m", "tools.apidiff", "--old", "a"], True),
        ([sys.executable, "-m", "pip", "wheel", "."], True),
        ([sys.executable, "-m", "tools.bench"], True),
        ([str(Path(sys.executable).parent / "mypy"), "--strict", "x.py"], True),
        ([sys.executable, "-m", "raia_agent", "--help"], False),
        (["git", "status"], False),
        ("raia-agent serve", False),
    ],
)
def test_expensive_commands_are_recognised_by_what_they_run(
    command: list[str] | str, expensive: bool
) -> None:
    """generate.sh, make, schemathesis, make diff, pip, mypy and the bench are expensive; the CLI and git are not."""
    assert (_lanes.expensive_command(command) is not None) is expensive


def test_a_test_reaching_generation_through_helpers_is_slow() -> None:
    """A function that regenerates, directly or through a helper of tests/, has a reason naming it."""
    assert _lanes.function_reason(samples().regenerates) is not None
    why = _lanes.function_reason(samples().calls_a_helper_that_regenerates)
    assert why is not None and "regenerates a client" in why


def test_words_in_docstrings_and_assertions_alone_do_not_make_a_test_slow() -> None:
    """A docstring naming generate.sh is not a command; a test that runs the CLI stays fast."""
    assert _lanes.function_reason(samples().only_mentions_generation) is None
    assert _lanes.function_reason(samples().runs_the_cli) is None


def test_the_repository_copy_fixture_makes_a_test_slow() -> None:
    """Any test requesting repo_copy is slow, whatever its body does."""
    assert _lanes.slow_reason(samples().runs_the_cli, {"repo_copy": ()}, ()) is not None
    assert _lanes.slow_reason(samples().runs_the_cli, {"tmp_path": ()}, ()) is None


def collected(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-n", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode in (0, 5), result.stdout + result.stderr
    return {line for line in result.stdout.splitlines() if "::" in line}


@pytest.mark.slow(reason="starts a pytest that collects five modules (a minute on a loaded machine)")
def test_the_expensive_suites_are_slow_and_the_unit_suites_are_not() -> None:
    """schemathesis, the wheel, generation and make diff suites are all deselected by -m 'not slow'; the parser is not."""
    files = [
        "tests/server/test_conformance.py",
        "tests/architecture/test_packaging.py",
        "tests/codegen/test_vendor_updates.py",
        "tests/apidiff/test_api_diff.py",
        "tests/client/test_sse_parser.py",
    ]
    fast = collected("-m", "not slow", *files)
    every = collected(*files)
    assert fast and all(name.startswith("tests/client/test_sse_parser.py") for name in fast), fast
    assert {n for n in every if n.startswith("tests/client/test_sse_parser.py")} == fast
