"""Run mypy --strict over a snippet and hold each line to the error its marker comment expects."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MYPY = Path(sys.executable).parent / "mypy"


def mypy_errors(
    snippet: str,
    tmp: Path,
    *,
    name: str = "snippet.py",
    generated: Path | None = None,
    args: Sequence[str] = (),
) -> tuple[dict[int, str], str]:
    """({line: its error messages with their [codes], joined}, mypy's output) for SNIPPET written to TMP/NAME.

    With GENERATED, `raia_agent_api` is that generated package instead of the installed one.
    """
    (tmp / name).write_text(snippet, encoding="utf-8")
    env = dict(os.environ)
    if generated is not None:
        env["MYPYPATH"] = os.pathsep.join([str(generated), str(ROOT / "src")])
    result = subprocess.run(
        [str(MYPY), "--strict", "--no-incremental", "--python-version", "3.11", *args, name],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=tmp,
    )
    errors: dict[int, str] = {}
    for match in re.finditer(rf"^{re.escape(name)}:(\d+): error: (.*)$", result.stdout, re.MULTILINE):
        errors[int(match[1])] = errors.get(int(match[1]), "") + match[2]
    return errors, result.stdout


def assert_marked(snippet: str, errors: dict[int, str], output: str, marker: str = "# E: ") -> None:
    """Each line ending in MARKER + text has an error containing the text; every other line has none."""
    for number, line in enumerate(snippet.splitlines(), start=1):
        wanted = line.partition(marker)[2]
        if wanted:
            assert wanted in errors.get(number, ""), f"mypy accepted line {number}: {line}\n{output}"
        else:
            assert number not in errors, f"mypy refused line {number}: {errors[number]}\n{output}"


def check_snippet(snippet: str, tmp: Path, name: str = "snippet.py") -> None:
    """mypy --strict over SNIPPET errs exactly on its `# E: <message>` lines, with those messages."""
    errors, output = mypy_errors(snippet, tmp, name=name)
    assert_marked(snippet, errors, output)
