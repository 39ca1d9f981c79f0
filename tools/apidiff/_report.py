"""The one-page report: markdown for a pull request, or JSON."""

from __future__ import annotations

import json

from ._model import Report


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def verdict(report: Report) -> str:
    spec, python = report.counts(report.changes), report.counts(report.python)
    word = "BREAKING" if report.breaking else "not breaking"
    return (
        f"**Verdict: {word}.** Spec: {spec['breaking']} breaking, {spec['warning']} warning, {spec['info']} info. "
        f"Python API: {python['breaking']} breaking, {python['warning']} warning, {python['info']} info."
    )


def markdown(report: Report) -> str:
    lines = [f"## API change report: `{report.old}` → `{report.new}`", "", verdict(report), ""]
    lines += ["### Spec changes", ""]
    if report.changes:
        lines += ["| level | location | change | rule |", "|---|---|---|---|"]
        for c in report.changes:
            where = c.location + (" (upstream only, absorbed by the overlay)" if c.view == "upstream" else "")
            lines.append(f"| {c.level} | {cell(where)} | {cell(c.message)} | `{c.rule}` |")
    else:
        lines.append("No changes.")
    lines += ["", "### Python API changes (`raia_agent_api`)", ""]
    if report.python:
        lines += ["| level | symbol | before | after | change | caused by |", "|---|---|---|---|---|---|"]
        for p in report.python:
            lines.append(
                f"| {p.level} | `{p.symbol}` | {cell(p.before)} | {cell(p.after)} | {cell(p.message)} | {cell(p.cause)} |"
            )
    else:
        lines.append("No changes.")
    lines += ["", "### Overlay (`spec/overlay.yaml`)", ""]
    lines += [f"- **{o.level}** {o.location}: {o.message}" for o in report.overlay] or ["No actions."]
    if report.notes:
        lines += ["", "### Notes", "", *[f"- {note}" for note in report.notes]]
    return "\n".join(lines) + "\n"


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.as_json(), indent=2) + "\n"
    return markdown(report)
