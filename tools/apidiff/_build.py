"""Assemble a Report: spec changes in both views, client behaviour, overlay notes, Python API changes."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tools.codegen.guard import SpecRefused, check, load_untrusted
from tools.codegen.naming import Naming
from tools.codegen.naming import rules as naming_rules
from tools.codegen.overlay import evaluate, load_overlay
from tools.progress import Steps

from . import _python, _spec
from ._behaviour import behaviour, judge_servers
from ._deprecations import deprecations
from ._directions import spec_directions
from ._link import link
from ._model import Change, PyChange, Report

ROOT = Path(__file__).resolve().parents[2]
# openapi-spec-validator quotes the whole document after "does not exist within": keep the sentence.
DUMP = re.compile(r"\s+(does not exist) within \{.*", re.DOTALL)


def git_show(ref: str, path: str) -> bytes | None:
    result = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _tidy(line: str, paths: tuple[Path, ...]) -> str:
    line = DUMP.sub(r" \1", line)
    line = re.sub(r"^\S+\.json: ", "", line)
    for path in paths:
        line = line.replace(f"{path}/", "").replace(str(path), "")
    line = re.sub(r"/tmp/tmp\.\w+/", "", line)
    return line if len(line) <= 200 else line[:197] + "..."


def summarise(stderr: str, *paths: Path) -> str:
    """generate.sh's complaint in one short line: no spec dumps, no scratch paths, no upstream noise.

    Its own closing sentence ("generate.sh: ...") is kept only when nothing more precise came before.
    """
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    # "generate: " starts its progress lines, which say nothing about a failure
    lines = [line for line in lines if not line.startswith("generate: ")]
    precise = [line for line in lines if not line.startswith(("upstream ", "note: ", "generate.sh: "))]
    chosen = precise or [line for line in lines if line.startswith("generate.sh: ")]
    unique = list(dict.fromkeys(_tidy(line, paths) for line in chosen))
    return "; ".join(unique[:3]) or "generate.sh failed without a message"


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
    """Spec changes (upstream and corrected views), client behaviour and overlay notes; no code generation.

    Raises SpecRefused when a spec, or a spec with its overlay applied, is refused by tools.codegen.guard.
    """
    report = Report(*names)
    old_doc, new_doc = (load_untrusted(p) for p in (old_spec, new_spec))
    old_corr, _ = evaluate(old_doc, load_overlay(old_overlay))
    new_corr, _ = evaluate(new_doc, load_overlay(new_overlay))
    for side, doc in (("old", old_corr), ("new", new_corr)):
        try:
            check(doc)  # an overlay can add what the spec may not hold, e.g. an external $ref
        except SpecRefused as exc:
            raise SpecRefused(exc.where, f"{exc.reason} (in the corrected {side} spec)") from None
    # The config generate.sh names classes and methods with (tests point GENERATOR at a frozen one).
    naming, _ = Naming.load(Path(os.environ.get("GENERATOR") or ROOT / "spec" / "generator.yaml"))
    report.behaviour = behaviour(old_corr, new_corr, naming)
    report.overlay = overlay_notes(new_doc, load_overlay(new_overlay))
    report.operations = {**_python.operation_modules(old_corr), **_python.operation_modules(new_corr)}
    report.schema_sides = spec_directions(old_corr)
    for name, sides in spec_directions(new_corr).items():
        report.schema_sides.setdefault(name, set()).update(sides)
    try:
        corrected = _spec.from_redocly(
            _spec.redocly_diff(
                write(work / "old.corrected.json", old_corr), write(work / "new.corrected.json", new_corr)
            )
        )
        upstream = _spec.from_redocly(
            _spec.redocly_diff(write(work / "old.json", old_doc), write(work / "new.json", new_doc)),
            view="upstream",
        )
    except _spec.DiffFailed as exc:
        reason = summarise(str(exc), work)
        report.failure = f"the spec diff failed: {reason}"
        report.notes.append(f"spec changes not compared: {reason}")
        return report
    seen = {(c.rule, c.location, c.message) for c in corrected}
    report.renamed = _spec.clash_renames(new_corr, naming)
    report.changes = judge_servers(old_corr, new_corr, [
        *corrected,
        # Upstream-only changes never reach the generated client: the overlay absorbs them.
        *[
            dataclasses.replace(c, level="info")
            for c in upstream
            if (c.rule, c.location, c.message) not in seen
        ],
        *_spec.schema_names_changes(old_doc, new_doc, naming),
    ])  # fmt: skip
    return report


def add_python(
    report: Report,
    old_spec: Path,
    old_overlay: Path,
    new_spec: Path,
    new_overlay: Path,
    work: Path,
    steps: Steps | None = None,
) -> Report:
    """Generate the client from both specs and compare their public API.

    A new spec that does not generate fails the report: its Python API is unknown, so no
    verdict can say "not breaking". An old one that does not generate only loses the comparison.
    """
    steps = steps or Steps("make diff")
    # Both sides at once: each is mostly waiting on its own processes, and a side seen before is a copy.
    with ThreadPoolExecutor(max_workers=2) as pool:
        old_side = pool.submit(_python.generate, old_spec, old_overlay, work / "old_client")
        new_pkg, new_error = _python.generate(new_spec, new_overlay, work / "new_client")
        steps.done("client generated from the new spec")
        if new_pkg is None:
            report.failure = f"the new spec does not generate: {summarise(new_error, work, new_spec.parent)}"
            return report
        old_pkg, old_error = old_side.result()
    steps.done("client generated from the old spec")
    if old_pkg is None:
        report.notes.append(
            f"the old spec does not generate ({summarise(old_error, work, old_spec.parent)}); Python API not compared"
        )
        return report
    report.python = [
        renamed(row, report.renamed)
        for row in link(
            _python.compare(old_pkg, new_pkg), report.changes, report.operations, report.schema_sides
        )
    ]
    old_corr, _ = evaluate(load_untrusted(old_spec), load_overlay(old_overlay))
    new_corr, _ = evaluate(load_untrusted(new_spec), load_overlay(new_overlay))
    naming, _ = Naming.load(Path(os.environ.get("GENERATOR") or ROOT / "spec" / "generator.yaml"))
    report.python += deprecations(old_corr, new_corr, naming)
    steps.done("Python APIs compared")
    return report


def renamed(row: PyChange, renames: dict[str, str]) -> PyChange:
    """A new class the clash rule suffixed becomes a rename row: before is the name it did not get."""
    name = row.symbol.rsplit(".", 1)[-1]
    if row.message != "class added" or name not in renames:
        return row
    plain = name.removesuffix(naming_rules.CLASH_SUFFIX)
    message = f"class added as `{name}`, renamed by rule: {renames[name]}"
    return dataclasses.replace(row, before=f"class {plain}", message=message)
