"""The bench's report: one table whose every row carries the load it was measured at, and the
figures section of docs/performance.md, rewritten only from a run on a quiet machine."""

from __future__ import annotations

from pathlib import Path

# Above this 1-minute load average, other processes take the cores the figures need: a run still
# prints its figures, but does not write them into the docs.
MAX_LOAD = 2.0
START = "<!-- bench:start (written by `make bench`; edit the text around it, not inside) -->"
END = "<!-- bench:end -->"

Line = tuple[str, str, str, float]


def table(rows: list[Line]) -> str:
    """A markdown table: measure, ratio with its range over the rounds, aim, and the load average."""
    head = ("measure", "ratio (range)", "aim", "load")
    cells = [head] + [(name, figure, aim, f"{load:.1f}") for name, figure, aim, load in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def too_loaded(rows: list[Line]) -> float | None:
    """The highest load a figure was taken at, if it is above MAX_LOAD."""
    worst = max((load for *_, load in rows), default=0.0)
    return worst if worst > MAX_LOAD else None


def write(page: Path, report: str) -> None:
    """Replace the figures between the page's markers (the page must have them, once each)."""
    text = page.read_text(encoding="utf-8")
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"{page}: expected one {START!r} line followed by one {END!r} line")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    page.write_text(f"{before}{START}\n\n{report}\n\n{END}{after}", encoding="utf-8")
