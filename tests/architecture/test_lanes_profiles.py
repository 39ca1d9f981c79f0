"""The lanes' hypothesis profiles: `make test` keeps every example, `make test-fast` runs a tenth."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hypothesis import settings

from tests.support import lanes as _lanes

ROOT = Path(__file__).resolve().parents[2]


def recipe(target: str) -> str:
    """The command lines of a Makefile target."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert found, f"no target {target} in the Makefile"
    return found.group(1)


def test_the_full_profile_keeps_hypothesis_default_example_count() -> None:
    """The profile `make test` runs under draws as many examples as hypothesis does by default, with no deadline."""
    full = settings.get_profile(_lanes.FULL_PROFILE)
    assert full.max_examples == settings.get_profile("default").max_examples
    assert full.deadline is None


def test_the_fast_profile_draws_fewer_examples_and_has_no_deadline() -> None:
    """The fast profile is the full one with fewer examples: still no per-example deadline."""
    fast = settings.get_profile(_lanes.FAST_PROFILE)
    assert 0 < fast.max_examples < settings.get_profile(_lanes.FULL_PROFILE).max_examples
    assert fast.deadline is None
    assert fast.suppress_health_check == settings.get_profile(_lanes.FULL_PROFILE).suppress_health_check


def test_a_named_example_count_is_kept_in_full_and_scaled_in_the_fast_lane() -> None:
    """examples(n) is n under the full profile, and the fast profile's share of it (at least one) otherwise."""
    full = settings.get_profile(_lanes.FULL_PROFILE)
    fast = settings.get_profile(_lanes.FAST_PROFILE)
    assert [_lanes.examples(n, full) for n in (1, 60, 300)] == [1, 60, 300]
    share = fast.max_examples / full.max_examples
    assert [_lanes.examples(n, fast) for n in (1, 60, 300)] == [max(1, int(n * share)) for n in (1, 60, 300)]
    assert _lanes.examples(300, fast) < 300


def test_only_the_fast_lane_selects_the_fast_profile() -> None:
    """`make test-fast` passes the fast profile to pytest; `make test` (CI) names no profile, so the full one loads."""
    assert f"--hypothesis-profile={_lanes.FAST_PROFILE}" in recipe("test-fast")
    assert "--hypothesis-profile" not in recipe("test")


def test_no_test_module_imports_the_conftest() -> None:
    """Importing tests.conftest runs it a second time, registering and loading the full profile mid-run."""
    importers = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if any(name.split(".")[-1] == "conftest" for name in names):
                importers.append(str(path.relative_to(ROOT)))
    assert importers == []
