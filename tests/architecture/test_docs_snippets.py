"""Every snippet of README.md and docs/*.md runs, and CONTRIBUTING's `make diff` report is the tool's.

The rules (CONTRIBUTING, "Docs"): each ```python block runs on its own as a script, or after the
block before it when marked `<!-- continues -->`. Snippets that call the API read
RAIA_AGENT_BASE_URL and RAIA_AGENT_SECRET_KEY, which point at a `local_server()` here (as `Raia()`
reads them); `<!-- vendor spec -->` blocks run against a client generated from the frozen
vendor-shaped spec, with a cursor-paged feedback list, and a local server for that spec. Shell
commands run in a scratch folder (`make` in the checkout) with the same variables, unless their block
says `<!-- not run: KIND -->` for a KIND in `tests/support/doc_blocks.py`'s NOT_RUN; each must print the
output lines the doc shows after it (ids, times, durations and rates normalised).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from raia_agent.testing import FAULT_KINDS, local_server
from tests.support.doc_blocks import (
    ALL_DOCS,
    NOT_RUN,
    PYTHON,
    PYTHON_LOOKALIKES,
    ROOT,
    SHELL,
    Chain,
    blocks,
    commands,
    normalised,
    not_run_kind,
    python_chains,
)
from tests.support.frozen import RESPONSE, SPECS, diff, frozen_spec, generate_frozen, write_spec
from tests.support.paging_specs import cursor_list

BIN = Path(sys.executable).parent
VENDOR = SPECS / "vendor"
CHAINS = [chain for doc in ALL_DOCS for chain in python_chains(doc)]
DIFF_EXAMPLE = "make diff example"
MARKERS = re.compile(r"^(continues|vendor spec|not run: .+|file: [\w.-]+|make diff example)$")


@pytest.fixture(scope="module")
def vendor_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client generated from the vendor-shaped spec plus a cursor-paged feedback list."""
    spec = json.loads((VENDOR / "openapi.json").read_text(encoding="utf-8"))
    cursor_list(spec)
    out = tmp_path_factory.mktemp("vendor") / "generated"
    return generate_frozen(spec, out, overlay=VENDOR / "overlay.yaml", generator=VENDOR / "generator.yaml")


def package_env(spec: str, vendor: Path | None) -> dict[str, str]:
    paths = [str(vendor)] if spec == "vendor" and vendor else []
    return {**os.environ, "PYTHONPATH": os.pathsep.join([*paths, str(ROOT / "src"), str(ROOT)])}


def corrected_spec(env: dict[str, str]) -> dict[str, object]:
    code = "import json; from raia_agent_api._spec import corrected_spec; print(json.dumps(corrected_spec()))"
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    loaded: dict[str, object] = json.loads(shown.stdout)
    return loaded


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The environment a snippet runs in: its package, and a local server for its spec in RAIA_AGENT_*."""
    spec: str = request.param
    vendor = request.getfixturevalue("vendor_package") if spec == "vendor" else None
    env = package_env(spec, vendor)
    with local_server(spec=corrected_spec(env) if vendor else None) as server:
        path = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
        yield {
            **env,
            "PATH": path,
            "RAIA_AGENT_BASE_URL": server.base_url,
            "RAIA_AGENT_SECRET_KEY": server.secret_key,
        }


def test_every_code_block_is_runnable_or_says_why_not() -> None:
    """No Python hides in a ```py fence, every marker is a known one, every unrun shell block names its reason."""
    for doc in ALL_DOCS:
        for block in blocks(doc):
            assert block.lang not in PYTHON_LOOKALIKES, f"{block.where}: write ```python, so that it runs"
            assert not block.marker or MARKERS.match(block.marker), f"{block.where}: unknown {block.marker!r}"
            if block.marker in ("continues", "vendor spec"):
                assert block.lang == PYTHON, f"{block.where}: {block.marker!r} is for python blocks"
            if block.marker.startswith("file: ") or block.marker == DIFF_EXAMPLE:
                assert block.lang not in {PYTHON, *SHELL}, (
                    f"{block.where}: {block.marker!r} marks text, not code"
                )
            kind = not_run_kind(block)
            assert kind is None or (block.lang in SHELL and kind in NOT_RUN), f"{block.where}: {kind!r}"
    assert CHAINS, "the docs hold no python block"


@pytest.mark.parametrize(
    ("chain", "served"),
    # A vendor-spec chain generates its client first: that belongs to the slow lane.
    [
        pytest.param(c, c.spec, id=c.where, marks=[pytest.mark.slow] if c.spec == "vendor" else [])
        for c in CHAINS
    ],
    indirect=["served"],
)
def test_every_python_snippet_runs(chain: Chain, served: dict[str, str], tmp_path: Path) -> None:
    """Each python block (with the blocks marked as continuing it) runs as a script against a local server."""
    script = tmp_path / "snippet.py"
    script.write_text(chain.script(), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=served,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, f"{chain.where}:\n{run.stderr.replace(str(script), chain.where)[-3000:]}"


@pytest.mark.parametrize("spec", ["today", "vendor"])
def test_python_snippets_pass_mypy_strict(spec: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Each python snippet, as the script it runs as, passes mypy --strict (line numbers are the doc's)."""
    package = request.getfixturevalue("vendor_package") if spec == "vendor" else ROOT / "generated_client"
    names: dict[str, str] = {}
    for number, chain in enumerate(c for c in CHAINS if c.spec == spec):
        name = f"snippet_{number}.py"
        (tmp_path / name).write_text(chain.script(), encoding="utf-8")
        names[name] = chain.blocks[0].doc.name
    typed = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--python-version", "3.11", *names],
        env={**os.environ, "MYPYPATH": os.pathsep.join([str(package), str(ROOT / "src")])},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    shown = typed.stdout
    for name, doc in names.items():
        shown = shown.replace(name, doc)
    assert typed.returncode == 0, shown


def shell_docs() -> list[Path]:
    """The docs with a shell block that runs."""
    return [doc for doc in ALL_DOCS if any(b.lang in SHELL and not not_run_kind(b) for b in blocks(doc))]


@pytest.mark.parametrize("served", ["today"], indirect=True)
@pytest.mark.parametrize("doc", shell_docs(), ids=lambda doc: doc.name)
def test_every_shell_command_runs(doc: Path, served: dict[str, str], tmp_path: Path) -> None:
    """Each command of the doc's shell blocks, in order, prints every line the doc shows after it and exits 0."""
    for block in blocks(doc):
        if block.marker.startswith("file: "):
            (tmp_path / block.marker.removeprefix("file: ")).write_text(block.text, encoding="utf-8")
        if block.lang not in SHELL or not_run_kind(block):
            continue
        for command in commands(block):
            in_checkout = command.text.startswith("make ")
            run = subprocess.run(
                ["bash", "-c", command.text],
                cwd=ROOT if in_checkout else tmp_path,
                env=served,
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            printed = {normalised(line) for line in (run.stdout + run.stderr).splitlines()}
            missing = [line for line in command.shown if line.strip() and normalised(line) not in printed]
            assert not missing, (
                f"{block.where}: {command.text}\nnot printed: {missing}\n{run.stdout}{run.stderr}"
            )
            if 'echo "exit $?"' not in command.text:
                assert run.returncode == 0, f"{block.where}: {command.text}\n{run.stdout}{run.stderr}"


def contributing_diff_example() -> tuple[str, int, int]:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    [example] = [b for b in blocks(ROOT / "CONTRIBUTING.md") if b.marker == DIFF_EXAMPLE]
    start = sum(len(line) for line in text.splitlines(keepends=True)[: example.line - 1])
    return text, start, start + len(example.text)


def test_contributing_diff_example_is_what_make_diff_prints(tmp_path: Path) -> None:
    """CONTRIBUTING's example report is `make diff` over the frozen spec and it with a `neutral` vote received."""
    new = frozen_spec()
    vote = new["components"]["schemas"][RESPONSE]["properties"]["voteType"]
    vote["enum"] = [*vote["enum"], "neutral"]
    report = diff(write_spec(tmp_path / "new.json", new))
    assert report.returncode == 0, report.stderr
    if os.environ.get("UPDATE_DOCS") == "1":  # how a maintainer refreshes it (CONTRIBUTING, "Docs")
        text, start, end = contributing_diff_example()
        (ROOT / "CONTRIBUTING.md").write_text(text[:start] + report.stdout + text[end:], encoding="utf-8")
    text, start, end = contributing_diff_example()
    assert text[start:end] == report.stdout


def test_the_testing_page_documents_every_fault_kind() -> None:
    """Every fault kind the local server offers is a row of docs/testing.md's table."""
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    for kind in FAULT_KINDS:
        assert f'| `"{kind}"` |' in text, kind
