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

import yaml
from jsonpath_ng.ext import parse as parse_jsonpath  # type: ignore[attr-defined]
from jsonschema import Draft202012Validator
from oas_patch.overlay import apply_overlay
from oas_patch.validator import load_schema

from tools.spec_guard import SpecRefused, load_untrusted, read_bounded


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


MAX_OVERLAY_BYTES = 1024 * 1024


def load_overlay(path: Path) -> dict[str, Any]:
    """The overlay, refused when large or using YAML aliases (a pull request can change it too)."""
    try:
        raw = read_bounded(path, MAX_OVERLAY_BYTES)
    except OSError as exc:
        raise OverlayError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_OVERLAY_BYTES:
        raise OverlayError(f"{path}: over {MAX_OVERLAY_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
        # An alias repeats a node without copying it: a few lines can expand to gigabytes.
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise OverlayError(f"{path}: YAML aliases (*name) are not allowed in an overlay")
        overlay = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise OverlayError(f"{path}: not readable YAML: {' '.join(str(exc).split())}") from None
    errors = sorted(
        Draft202012Validator(load_schema("overlay_schema_1.0.0.yml")).iter_errors(overlay),
        key=str,
    )
    if errors:
        raise OverlayError(f"{path}: not an Overlay 1.0 document: {errors[0].message}")
    return overlay  # type: ignore[no-any-return]


def evaluate(spec: dict[str, Any], overlay: dict[str, Any]) -> tuple[dict[str, Any], list[ActionResult]]:
    """Apply every action in order and report, per action, whether it matched and changed anything."""
    doc = copy.deepcopy(spec)
    results = []
    for index, action in enumerate(overlay["actions"]):
        matched = bool(parse_jsonpath(action["target"]).find(doc))
        before = json.dumps(doc, sort_keys=True)
        if matched:
            doc = apply_overlay(doc, {"actions": [action]})
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


if __name__ == "__main__":
    sys.exit(main())
