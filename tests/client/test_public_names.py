"""Each public module lists its API in `__all__`, and dir() shows exactly that: no helper it imports."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PUBLIC = ["raia_agent", "raia_agent.testing", "raia_agent.streaming", "raia_agent.pagination"]


def public(names: list[str]) -> set[str]:
    return {name for name in names if not name.startswith("_")}


@pytest.mark.parametrize("name", PUBLIC)
def test_dir_shows_exactly_the_names_in_all(name: str) -> None:
    """dir(module)'s public names are its __all__, every one of them there, with no Any or TYPE_CHECKING."""
    module = importlib.import_module(name)
    listed = list(module.__all__)
    assert len(listed) == len(set(listed)), f"{name}.__all__ names one twice"
    assert public(dir(module)) == public(listed)
    assert not {"Any", "TYPE_CHECKING", "annotations", "importlib", "typing"} & set(dir(module))
    for attribute in listed:
        assert hasattr(module, attribute), f"{name}.{attribute}"


@pytest.mark.parametrize("name", PUBLIC)
def test_a_star_import_binds_exactly_all(name: str) -> None:
    """`from module import *` binds __all__ and nothing else."""
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(importlib.import_module(name).__all__)


def test_dir_of_the_package_does_not_depend_on_what_was_imported_before() -> None:
    """In a fresh interpreter dir(raia_agent)'s public names are the same before and after its submodules are imported."""
    code = (
        "import raia_agent\n"
        "public = lambda: [n for n in dir(raia_agent) if not n.startswith('_')]\n"
        "before = public()\n"
        "import raia_agent.testing, raia_agent.streaming, raia_agent.pagination, raia_agent._client\n"
        "assert public() == before, sorted(set(public()) ^ set(before))\n"
        "assert 'Feedback' in before and 'Raia' in before\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
