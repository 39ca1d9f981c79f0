"""The README's examples run and type-check."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
FENCE = re.compile(r"```python\n(.*?)```", flags=re.S)
BLOCKS = FENCE.findall(README)


def blocks_at_their_readme_lines() -> str:
    """Every python block, in order, padded so each line keeps its README line number."""
    out: list[str] = []
    for match in FENCE.finditer(README):
        first_line = README.count("\n", 0, match.start(1))
        out += [""] * (first_line - len(out))
        out += match.group(1).splitlines()
    return "\n".join(out) + "\n"


def test_readme_python_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    """The README's python blocks, read top to bottom as one script, pass mypy --strict."""
    script = tmp_path / "README.py"
    script.write_text(blocks_at_their_readme_lines())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            str(script),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout.replace(str(script), "README.md")


def test_local_server_example_runs(capsys: object) -> None:
    """The local_server() example in the README runs as written."""
    runnable = [block for block in BLOCKS if "local_server()" in block]
    assert len(runnable) == 1
    exec(compile(runnable[0], "README.md", "exec"), {})


def test_readme_documents_every_fault_kind() -> None:
    """Every fault kind the server offers is in the README's table."""
    from raia_agent.testing import FAULT_KINDS

    text = (ROOT / "README.md").read_text()
    for kind in FAULT_KINDS:
        assert f'| `"{kind}"` |' in text, kind
