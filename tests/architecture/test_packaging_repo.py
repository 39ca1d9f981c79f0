"""The repository's own plumbing: the Makefile's help and what git tracks."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    # An outer `make test` exports its flags; a nested make must not inherit them.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False, env=env)


def phony_targets() -> list[str]:
    match = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), flags=re.M)
    assert match
    return match.group(1).split()


def test_make_help_gives_every_target_one_line() -> None:
    """`make help` lists every target, lint and typecheck included, each with a description; `make` prints the same."""
    shown = run(["make", "--no-print-directory", "help"])
    assert shown.returncode == 0, shown.stderr
    described = dict(re.findall(r"^\s*make (\S+)\s+(\S.*)$", shown.stdout, flags=re.M))
    assert {"lint", "typecheck"} <= set(phony_targets())
    for target in phony_targets():
        assert len(described.get(target, "")) > 10, f"`make help` does not describe {target}"
    bare = run(["make", "--no-print-directory"])
    assert bare.stdout == shown.stdout


def test_tool_caches_are_not_tracked() -> None:
    """Nothing under .schemathesis/ is tracked, and its cache is ignored."""
    tracked = run(["git", "ls-files", "--", ".schemathesis"])
    assert tracked.returncode == 0, tracked.stderr
    assert tracked.stdout == ""
    ignored = run(["git", "check-ignore", "--no-index", ".schemathesis/default/cache/crashes/manifest.json"])
    assert ignored.returncode == 0, "the schemathesis cache is not in .gitignore"
