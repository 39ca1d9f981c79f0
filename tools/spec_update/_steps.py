"""The commands an update runs, each with its output kept for the report."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

STEP_SECONDS = 3600  # the whole suite takes minutes; an hour means something hangs
# The venv the tool runs from is the one in use: never let a stale stamp reinstall it mid-update.
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed"]
DEFAULT_CHECK = [*MAKE, "check"]
DEFAULT_TESTS = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


@dataclass(frozen=True)
class Step:
    name: str
    command: str
    ok: bool
    output: str  # stdout and stderr interleaved, or stdout alone when run with separate=True
    errors: str = ""


def command(given: str | None, env_name: str, default: list[str]) -> list[str]:
    """An option's command, else the environment's, else the default: split like a shell, never run by one."""
    text = given if given is not None else os.environ.get(env_name)
    return shlex.split(text) if text else default


def run(
    name: str, argv: list[str], root: Path, env: dict[str, str] | None = None, separate: bool = False
) -> Step:
    shown = shlex.join(argv)
    try:
        done = subprocess.run(
            argv,
            cwd=root,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if separate else subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=STEP_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Step(name, shown, False, f"{name}: could not run `{shown}`: {exc}")
    return Step(name, shown, done.returncode == 0, done.stdout, done.stderr or "")


def validate(root: Path, spec: Path, scratch: Path) -> Step:
    """Generate from `spec` into scratch, so every refusal of generation applies before anything is written."""
    return run(
        "generation (dry run)", [str(root / "generate.sh"), "--out", str(scratch)], root, {"SPEC": str(spec)}
    )


def generate(root: Path) -> Step:
    return run("make generate", [*MAKE, "generate"], root)


def diff(root: Path, previous: Path) -> Step:
    """`make diff`'s JSON report of openapi.json against `previous`, breaking changes allowed."""
    argv = [
        sys.executable,
        "-m",
        "tools.apidiff",
        "--old",
        str(previous),
        "--allow-breaking",
        "--format",
        "json",
    ]
    return run("make diff", argv, root, separate=True)
