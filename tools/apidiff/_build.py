"""Assemble a Report: spec changes in both views, overlay notes, Python API changes."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tools.overlay import evaluate, load_overlay

from . import _python, _spec
from ._model import Change, Report

ROOT = Path(__file__).resolve().parents[2]


def git_show(ref: str, path: str) -> bytes | None:
    result = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def overlay_notes(spec: dict[str, Any], overlay: dict[str, Any]) -> list[Change]:
    _, results = evaluate(spec, overlay)
    notes = []
    for r in results:
        if not r.matched:
            notes.append(
                Change(
                    "breaking",
                    r.name,
                    f"matches nothing any more: `make generate` will fail until spec/overlay.yaml follows ({r.description})",
                    "overlay-target-missing",
                )
            )
        elif not r.changed:
            notes.append(
                Change(
                    "info",
                    r.name,
                    f"changes nothing any more (the vendor fixed it?): remove the action ({r.description})",
                    "overlay-action-unnecessary",
                )
            )
        else:
            notes.append(Change("info", r.name, f"still needed: {r.description}", "overlay-action-applies"))
    return notes


def spec_report(
    old_spec: Path, old_overlay: Path, new_spec: Path, new_overlay: Path, work: Path, names: tuple[str, str]
) -> Report:
    """Spec changes (upstream and corrected views) and overlay notes; no code generation."""
    report = Report(*names)
    old_doc, new_doc = (json.loads(p.read_text(encoding="utf-8")) for p in (old_spec, new_spec))
    old_corr, _ = evaluate(old_doc, load_overlay(old_overlay))
    new_corr, _ = evaluate(new_doc, load_overlay(new_overlay))
    corrected = _spec.from_redocly(
        _spec.redocly_diff(
            write(work / "old.corrected.json", old_corr), write(work / "new.corrected.json", new_corr)
        )
    )
    upstream = _spec.from_redocly(
        _spec.redocly_diff(write(work / "old.json", old_doc), write(work / "new.json", new_doc)),
        view="upstream",
    )
    seen = {(c.rule, c.location, c.message) for c in corrected}
    overrides = set(yaml.safe_load((ROOT / "spec" / "generator.yaml").read_text())["class_overrides"])
    report.changes = [
        *corrected,
        # Upstream-only changes never reach the generated client: the overlay absorbs them.
        *[
            dataclasses.replace(c, level="info")
            for c in upstream
            if (c.rule, c.location, c.message) not in seen
        ],
        *_spec.schema_names_changes(old_doc, new_doc, overrides),
    ]
    report.overlay = overlay_notes(new_doc, load_overlay(new_overlay))
    report.operations = {**_python.operation_modules(old_corr), **_python.operation_modules(new_corr)}
    return report


def add_python(
    report: Report, old_spec: Path, old_overlay: Path, new_spec: Path, new_overlay: Path, work: Path
) -> Report:
    """Generate the client from both specs and compare their public API."""
    old_pkg = _python.generate(old_spec, old_overlay, work / "old_client")
    new_pkg = _python.generate(new_spec, new_overlay, work / "new_client")
    if old_pkg is None or new_pkg is None:
        which = "old" if old_pkg is None else "new"
        report.notes.append(
            f"the {which} spec does not generate (run ./generate.sh for the message); Python API not compared"
        )
    else:
        report.python = _python.link(_python.compare(old_pkg, new_pkg), report.changes, report.operations)
    return report
