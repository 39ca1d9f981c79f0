"""Apply spec/overlay.yaml to openapi.json, refusing actions that match nothing, warning about no-ops.

oas-patch does the applying; it skips a target that matches nothing without a
word, so each action's target is resolved first with the same JSONPath engine.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonpath_ng.ext import parse as parse_jsonpath  # type: ignore[attr-defined]
from oas_patch.overlay import apply_overlay
from oas_patch.validator import load_schema

from tools.codegen import config
from tools.codegen.guard import SpecRefused, load_untrusted, shown


class OverlayError(Exception):
    """The overlay is malformed or one of its actions no longer fits the spec."""


@dataclass(frozen=True)
class ActionResult:
    index: int
    target: str
    description: str
    matched: bool
    changed: bool

    @property
    def name(self) -> str:
        return f"action {self.index + 1} ({self.target})"


MAX_OVERLAY_BYTES = config.MAX_CONFIG_BYTES


def load_overlay(path: Path) -> dict[str, Any]:
    """The overlay, refused when large or using YAML aliases (a pull request can change it too), and
    checked against the Overlay 1.0 schema: an unknown key names the nearest known one."""
    try:
        overlay = config.read_yaml(path, "an overlay")
    except config.ConfigError as exc:
        raise OverlayError(str(exc)) from None
    found = config.problems(overlay, load_schema("overlay_schema_1.0.0.yml"))
    if found:
        raise OverlayError(f"{path}: not an Overlay 1.0 document: {'; '.join(found)}")
    return overlay  # type: ignore[no-any-return]


def _apply(doc: dict[str, Any], index: int, action: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """(whether the action's target matches, the document after it); OverlayError in one line naming
    the action for a target the JSONPath engine or oas-patch cannot take (`$..*..*`, `$.[`)."""
    name = f"action {index + 1} ({shown(action['target'])})"
    try:
        path = parse_jsonpath(action["target"])
    except Exception as exc:  # the parser's own errors, and the lexer's, are many types
        raise OverlayError(f"{name}: not a JSONPath: {' '.join(str(exc).split())}") from None
    try:
        matched = bool(path.find(doc))
        return matched, apply_overlay(doc, {"actions": [action]}) if matched else doc
    except RecursionError:
        raise OverlayError(f"{name}: the target nests too deeply to apply") from None
    except Exception as exc:  # oas-patch fails on targets it cannot update (a list node's parent)
        raise OverlayError(
            f"{name}: cannot be applied ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); "
            "aim the target at the objects to change"
        ) from None


def evaluate(spec: dict[str, Any], overlay: dict[str, Any]) -> tuple[dict[str, Any], list[ActionResult]]:
    """Apply every action in order and report, per action, whether it matched and changed anything."""
    doc = copy.deepcopy(spec)
    results = []
    for index, action in enumerate(overlay["actions"]):
        before = json.dumps(doc, sort_keys=True)
        matched, doc = _apply(doc, index, action)
        results.append(
            ActionResult(
                index=index,
                target=action["target"],
                description=" ".join(str(action.get("description", "")).split()),
                matched=matched,
                changed=matched and json.dumps(doc, sort_keys=True) != before,
            )
        )
    return doc, results


def apply_checked(spec: dict[str, Any], overlay: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Apply the overlay, refusing an action that matches nothing; warn about one that changes nothing."""
    doc, results = evaluate(spec, overlay)
    unmatched = [r for r in results if not r.matched]
    if unmatched:
        names = "; ".join(f"{r.name}: {r.description}" for r in unmatched)
        raise OverlayError(f"overlay target matches nothing in the spec: {names}")
    # A matching action that leaves the document as it was means the vendor fixed the bug
    # upstream: harmless today, but a correction nobody needs hides the next real one.
    warnings = [
        f"{r.name} no longer changes anything (the spec already says this; remove the action?): {r.description}"
        for r in results
        if not r.changed
    ]
    return doc, warnings


def apply_strict(spec: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    return apply_checked(spec, overlay)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec", type=Path)
    parser.add_argument("overlay", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    try:
        spec = load_untrusted(args.spec)
    except SpecRefused as exc:
        print(f"error: {args.spec}: {exc}", file=sys.stderr)
        return 1
    try:
        corrected, warnings = apply_checked(spec, load_overlay(args.overlay))
    except OverlayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for warning in warnings:
        print(f"warning: overlay {warning}", file=sys.stderr)
    args.output.write_text(json.dumps(corrected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0
