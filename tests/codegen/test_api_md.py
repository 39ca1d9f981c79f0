"""api.md lists every generated method with its signature and follows the generated client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import raia_agent_api.resources._operations as operations

from raia_runtime import Operation
from tools.codegen import api_md as apimd


def test_api_md_matches_the_generated_client() -> None:
    """The checked-in api.md is exactly what the generated package renders."""
    assert apimd.API_MD.read_text(encoding="utf-8") == apimd.render()


def test_api_md_names_every_operation_with_its_route() -> None:
    """Each operation of the generated package has its heading and its method and path."""
    page = apimd.render()
    ops = list(operations.OPERATIONS.values())
    assert ops and all(isinstance(op, Operation) for op in ops)
    for op in ops:
        assert f"### `client.{op.name}`" in page
        assert f"`{op.method} {op.path}`" in page


def test_a_stale_api_md_fails_the_check_naming_the_file(repo_copy: Path) -> None:
    """make check's api.md step exits non-zero and names the file when the page was edited by hand."""
    page = repo_copy / "api.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nedited by hand\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tools.codegen", "api-md", "--check"],
        cwd=repo_copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "api.md" in result.stderr
