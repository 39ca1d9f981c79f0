"""The README's runnable examples run."""

from __future__ import annotations

import re

from conftest import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


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
