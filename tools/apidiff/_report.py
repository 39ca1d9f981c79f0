"""The one-page report: markdown for a pull request, or JSON."""

from __future__ import annotations

import json
import re
import tempfile
from typing import Any

from tools import markdown as escape

from ._group import group
from ._model import Report

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Scratch directories of make diff, mktemp and pytest: never meaningful to a reviewer.
TEMP = re.compile(
    re.escape(tempfile.gettempdir().rstrip("/")) + r"/(?:(?:raia-diff-|tmp)[^\s`|)/]*/|pytest-[^\s`|)]*/)"
)


def clean(text: str) -> str:
    return TEMP.sub("", ANSI.sub("", text))


def cell(text: str) -> str:
    """Spec-derived text for a table cell or list item, escaped (tools/markdown.py)."""
    return escape.cell(clean(text))  # scratch paths first: escaping would hide them from TEMP


def python_rows(report: Report) -> list[str]:
    """One row per change a caller sees, naming its flavours; every detailed row behind <details>."""
    lines = [
        "| level | symbol | flavours | callers | before | after | change | caused by |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in group(report.python):
        p = row.change
        lines.append(
            f"| {p.level} | {escape.code(row.symbol)} | {cell(', '.join(row.flavours))} | {cell(p.direction)} "
            f"| {cell(p.before)} | {cell(p.after)} | {cell(p.message)} | {cell(p.cause)} |"
        )
    lines += [
        "",
        f"<details><summary>All {len(report.python)} rows, one per symbol and flavour</summary>",
        "",
    ]
    lines += [
        "| level | symbol | callers | before | after | change | caused by |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in report.python:
        lines.append(
            f"| {p.level} | {escape.code(p.symbol)} | {cell(p.direction)} | {cell(p.before)} | {cell(p.after)} "
            f"| {cell(p.message)} | {cell(p.cause)} |"
        )
    return [*lines, "", "</details>"]


def verdict(report: Report) -> str:
    if report.failure:
        return f"**Verdict: FAILED.** {cell(report.failure)}."
    spec, python, behaviour = (
        report.counts(rows)
        for rows in (report.changes, [row.change for row in group(report.python)], report.behaviour)
    )
    word = "BREAKING" if report.breaking else "not breaking"
    return (
        f"**Verdict: {word}.** Spec: {spec['breaking']} breaking, {spec['warning']} warning, {spec['info']} info. "
        f"Python API: {python['breaking']} breaking, {python['warning']} warning, {python['info']} info. "
        f"Client behaviour: {behaviour['breaking']} breaking, {behaviour['warning']} warning, "
        f"{behaviour['info']} info."
    )


def markdown(report: Report) -> str:
    lines = [
        f"## API change report: {escape.code(report.old)} → {escape.code(report.new)}",
        "",
        verdict(report),
        "",
    ]
    lines += ["### Spec changes", ""]
    if report.changes:
        lines += ["| level | location | change | rule |", "|---|---|---|---|"]
        for c in report.changes:
            where = c.location + (" (upstream only, absorbed by the overlay)" if c.view == "upstream" else "")
            lines.append(f"| {c.level} | {cell(where)} | {cell(c.message)} | {escape.code(c.rule)} |")
    elif any(note.startswith("spec changes not compared") for note in report.notes):
        lines.append("Not compared (see Notes).")
    else:
        lines.append("No changes.")
    lines += ["", "### Python API changes (`raia_agent_api`)", ""]
    if report.python:
        lines += python_rows(report)
    elif report.failure:
        lines.append("Not compared.")
    else:
        lines.append("No changes.")
    lines += ["", "### Client behaviour (same Python code, different traffic)", ""]
    if report.behaviour:
        lines += ["| level | what | change |", "|---|---|---|"]
        lines += [f"| {b.level} | {cell(b.location)} | {cell(b.message)} |" for b in report.behaviour]
    else:
        lines.append("No changes.")
    lines += ["", "### Overlay (`spec/overlay.yaml`)", ""]
    lines += [f"- **{o.level}** {cell(o.location)}: {cell(o.message)}" for o in report.overlay] or [
        "No actions."
    ]
    if report.notes:
        lines += ["", "### Notes", "", *[f"- {cell(note)}" for note in report.notes]]
    return "\n".join(lines) + "\n"


def scrub(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(scrub(report.as_json()), indent=2) + "\n"
    return clean(markdown(report))
