"""The commands an update runs, each with its output kept for the report."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

STEP_SECONDS = 3600  # the whole suite takes minutes; an hour means something hangs
# The venv the tool runs from is the one in use: never let a stale stamp reinstall it mid-update.
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed"]
DEFAULT_CHECK = [*MAKE, "check"]
DEFAULT_TESTS = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
DEFAULT_GENERATE = [*MAKE, "-s", "generate"]
DEFAULT_DIFF = [sys.executable, "-m", "tools.apidiff"]


@dataclass(frozen=True)
class Commands:
    """What each step runs; tests replace the slow ones (UPDATE_SPEC_*_CMD) to pin the transaction."""

    generate: list[str]
    check: list[str]
    tests: list[str]
    diff: list[str]


class Progress:
    """A line on stderr as each step starts and one with its time as it ends (off unless asked)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def start(self, name: str) -> float:
        if self.enabled:
            print(f"update-spec: {name} ...", file=sys.stderr, flush=True)
        return time.monotonic()

    def end(self, name: str, started: float, ok: bool = True) -> None:
        if self.enabled:
            word = "done" if ok else "FAILED"
            print(
                f"update-spec: {name} {word} ({time.monotonic() - started:.1f} s)",
                file=sys.stderr,
                flush=True,
            )


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


def timed(
    progress: Progress, name: str, argv: list[str], root: Path, env: dict[str, str], separate: bool = False
) -> Step:
    started = progress.start(name)
    step = run(name, argv, root, env, separate)
    progress.end(name, started, step.ok)
    return step


def diff_argv(command: list[str], previous: Path) -> list[str]:
    """`make diff`'s JSON report of openapi.json against `previous`, breaking changes allowed."""
    return [*command, "--old", str(previous), "--allow-breaking", "--format", "json"]
