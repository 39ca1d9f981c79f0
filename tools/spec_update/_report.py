"""The output folder: report.md (the pull request's body), CHANGELOG.md, result.json and step logs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.apidiff._model import Change, PyChange, Report
from tools.apidiff._report import render

from ._outdir import LOG_SUFFIX, claim
from ._steps import Step

TAIL_LINES = 60
VERDICT_WORDS = {
    "unchanged": "no change",
    "compatible": "compatible update",
    "breaking": "BREAKING update",
}


@dataclass
class Outcome:
    status: int
    verdict: str  # unchanged, compatible, breaking
    previous_version: str
    version: str
    sha256: str
    steps: list[Step] = field(default_factory=list)
    changelog_section: str = ""
    diff_markdown: str = ""
    commit: str = ""  # HEAD when the update was made: spec-pr refuses any other
    files: dict[str, str | None] = field(
        default_factory=dict
    )  # what it wrote: path -> sha256 (None: removed)

    @property
    def failed(self) -> list[Step]:
        return [step for step in self.steps if not step.ok]

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "verdict": self.verdict,
            "tests": "failed" if self.failed else "passed" if self.steps else "not run",
            "failed_steps": [step.name for step in self.failed],
            "previous_version": self.previous_version,
            "version": self.version,
            "spec_sha256": self.sha256,
            "commit": self.commit,
            "files": self.files,
        }


def diff_markdown(report: dict[str, Any]) -> str:
    """`make diff`'s markdown page for its JSON report, rendered by make diff's own code."""
    try:
        rebuilt = Report(
            str(report["old"]),
            str(report["new"]),
            changes=[Change(**row) for row in report["changes"]],
            python=[PyChange(**row) for row in report["python"]],
            behaviour=[Change(**row) for row in report["behaviour"]],
            overlay=[Change(**row) for row in report["overlay"]],
            notes=list(report["notes"]),
            failure=str(report.get("failure") or ""),
        )
    except (KeyError, TypeError):
        return "`make diff` gave no report: " + str(report.get("failure") or "see make-diff.log")
    return render(rebuilt, "markdown")


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


def _tail(text: str) -> str:
    lines = text.rstrip().splitlines()
    return "\n".join(lines[-TAIL_LINES:]) if lines else "(no output)"


def markdown(outcome: Outcome) -> str:
    title = f"# Vendor spec update: {VERDICT_WORDS[outcome.verdict]}"
    if outcome.version != outcome.previous_version:
        title += f", {outcome.previous_version} → {outcome.version}"
    lines = [title, ""]
    if outcome.failed:
        names = ", ".join(f"`{step.name}`" for step in outcome.failed)
        lines += [f"> [!CAUTION]\n> **FAILING**: {names} failed. Do not merge until this is fixed.", ""]
    elif outcome.steps:
        ran = ", ".join(f"`{step.command}`" for step in outcome.steps)
        lines += [f"Checks and tests passed: {ran}.", ""]
    lines += [f"New `openapi.json`: sha256 `{outcome.sha256}`.", ""]
    if outcome.changelog_section:
        lines += ["## Changelog entry", "", outcome.changelog_section.rstrip(), ""]
    if outcome.diff_markdown:
        lines += [outcome.diff_markdown.rstrip(), ""]
    for step in outcome.failed:
        lines += [
            f"<details><summary>{step.name}: last lines</summary>",
            "",
            _fence(_tail(step.output)),
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines)


def write(out: Path, outcome: Outcome, changelog: str | None) -> None:
    """Everything but result.json, which write_result adds once the update is applied."""
    claim(out)
    for step in outcome.steps:
        slug = re.sub(r"[^a-z0-9]+", "-", step.name.lower()).strip("-")
        (out / f"{slug}{LOG_SUFFIX}").write_text(step.output + step.errors, encoding="utf-8")
    if changelog is not None:
        (out / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (out / "report.md").write_text(markdown(outcome), encoding="utf-8")


def write_result(out: Path, result: dict[str, Any]) -> None:
    """Written last, and atomically: a reader that finds it finds the rest complete and applied."""
    claim(out)
    temporary = out / "result.json.tmp"
    temporary.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    temporary.replace(out / "result.json")
