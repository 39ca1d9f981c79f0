"""The fenced blocks of the user docs and CONTRIBUTING, read with the markers CONTRIBUTING documents.

A block's marker is an HTML comment on the line right before its fence (invisible on GitHub, visible
in the source): `<!-- continues -->` (this python block runs after the one before it, in one
script), `<!-- vendor spec -->` (this python block, and those that continue it, run against a client
generated from the frozen vendor-shaped spec), `<!-- not run: KIND -->` (a shell block that is not
run, for one of the reasons in NOT_RUN) and `<!-- file: NAME -->` (the block's text is a file the
shell blocks after it read, written to their working directory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USER_DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ALL_DOCS = [*USER_DOCS, ROOT / "CONTRIBUTING.md"]

PYTHON = "python"
# Fences that look like Python but would not run: a snippet is written as ```python or not as code.
PYTHON_LOOKALIKES = {"py", "python3", "pycon", "ipython"}
SHELL = {"console", "sh", "bash", "shell"}
# The only reasons a shell block may be left unrun; everything else runs in test_docs_snippets.py.
NOT_RUN = {
    "network": "reaches a host other than the local server: pip install, a vendor URL, a git push",
    "long": "regenerates the client or runs a suite or benchmark: minutes, not seconds",
    "foreground": "serves until Ctrl-C",
    "usage": "a synopsis with placeholders, not a command",
}

_FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```[ \t]*$", re.S | re.M)
_MARKER = re.compile(r"<!-- (.+?) -->[ \t]*\n\Z")


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int  # 1-based line of the block's first line of text
    lang: str
    text: str
    marker: str  # "" when the fence has none

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


@dataclass
class Chain:
    """Python blocks that run as one script: a block and those marked as continuing it."""

    spec: str  # "today" (the checked-in package) or "vendor"
    blocks: list[Block] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.blocks[0].where

    def script(self) -> str:
        """The blocks in order, padded so that every line keeps its line number in the doc."""
        lines: list[str] = []
        for block in self.blocks:
            lines += [""] * (block.line - 1 - len(lines))
            lines += block.text.splitlines()
        return "\n".join(lines) + "\n"


def blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        marker = _MARKER.search(text, max(0, match.start() - 200), match.start())
        line = text.count("\n", 0, match.start(2)) + 1
        found.append(Block(doc, line, match[1], match[2], marker[1] if marker else ""))
    return found


def python_chains(doc: Path) -> list[Chain]:
    chains: list[Chain] = []
    for block in blocks(doc):
        if block.lang != PYTHON:
            continue
        if block.marker == "continues":
            assert chains, f"{block.where}: marked as continuing, but no python block comes before it"
            chains[-1].blocks.append(block)
            continue
        assert block.marker in ("", "vendor spec"), (
            f"{block.where}: a python block runs; marker {block.marker!r}"
        )
        chains.append(Chain("vendor" if block.marker == "vendor spec" else "today", [block]))
    return chains


def not_run_kind(block: Block) -> str | None:
    """The reason a shell block is not run, from its marker; None when it runs."""
    if not block.marker.startswith("not run:"):
        return None
    return block.marker.removeprefix("not run:").strip()


_VARYING = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z"), "<time>"),
    (re.compile(r"\b\d+ rows/s\b"), "<rate>"),
    (re.compile(r"\b\d+(\.\d+)?s\b"), "<seconds>"),
]


def normalised(line: str) -> str:
    """LINE with what differs run to run (ids, times, durations, rates) replaced by placeholders."""
    for pattern, placeholder in _VARYING:
        line = pattern.sub(placeholder, line)
    return line.rstrip()


@dataclass(frozen=True)
class Command:
    text: str
    shown: list[str]  # the output lines the doc shows after it (console blocks)


def commands(block: Block) -> list[Command]:
    """A console block's `$ ` lines (or every line when it has none); each line of an sh block.

    A line ending in a backslash continues on the next. Comment lines and blank lines are not commands.
    """
    lines = block.text.splitlines()
    prompted = block.lang == "console" and any(line.startswith("$ ") for line in lines)
    found: list[Command] = []
    pending: list[str] = []
    for line in lines:
        if pending:
            pending.append(line)
        elif prompted and line.startswith("$ "):
            pending = [line[2:]]
        elif prompted:
            if found:
                found[-1].shown.append(line)
            continue
        elif line.strip() and not line.lstrip().startswith("#"):
            pending = [line]
        else:
            continue
        if not line.endswith("\\"):
            found.append(Command("\n".join(pending), []))
            pending = []
    assert not pending, f"{block.where}: a command ends in a backslash with nothing after it"
    return found
