"""Spec-level changes: Redocly CLI's `diff`, plus the rules a generated client adds to it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from raia_spec import HTTP_METHODS
from tools.codegen.naming import Naming, pynames
from tools.codegen.naming import rules as naming_rules

from ._model import Change, Level

ROOT = Path(__file__).resolve().parents[2]
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
IMPACT: dict[str, Level] = {"major": "breaking", "minor": "warning", "patch": "info"}
# Redocly's verdicts that mean nothing to a caller of this client. Methods and retry_safe are keyed
# by route (spec/generator.yaml), so a renamed operationId changes no name a caller uses.
OURS: dict[str, tuple[Level, str]] = {
    "operation-id-changed": (
        "info",
        "methods are named by route in spec/generator.yaml, so no caller sees it",
    ),
}


class DiffFailed(RuntimeError):
    """Redocly could not compare the documents (e.g. a $ref that resolves nowhere)."""


def problems(stderr: str) -> str:
    """Redocly's numbered problems, each with its first explaining line, without banners or excerpts."""
    lines = [line.strip() for line in stderr.splitlines()]
    found = []
    for i, line in enumerate(lines):
        if line.startswith("[") and "] " in line:
            reason = next((nxt for nxt in lines[i + 1 :] if nxt), "")
            found.append(f"{reason} ({line.split('] ', 1)[1]})")
    return "\n".join(found) or next((line for line in reversed(lines) if line), "no message")


def redocly_diff(old: Path, new: Path) -> dict[str, Any]:
    if not REDOCLY.exists():
        raise SystemExit("Redocly CLI is missing: run `make install` (npm ci)")
    result = subprocess.run(
        [
            str(REDOCLY),
            "diff",
            str(old),
            str(new),
            "--format",
            "json",
            "--fail-on",
            "none",
            "--lint-config",
            "off",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
        cwd=old.parent,
    )
    if result.returncode != 0:
        raise DiffFailed(problems(result.stderr))
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def describe_pointer(pointer: str) -> str:
    """'#/paths/~1x/post/requestBody/.../properties/voteType' -> 'POST /x request voteType'."""
    parts = [unescape(p) for p in pointer.lstrip("#/").split("/") if p]
    if parts[:1] == ["paths"] and len(parts) >= 2:
        where = parts[1]
        rest = parts[2:]
        if rest and rest[0] in HTTP_METHODS:
            where = f"{rest[0].upper()} {where}"
            rest = rest[1:]
        if rest[:1] == ["requestBody"]:
            where += " request"
        elif rest[:1] == ["parameters"]:
            where += " parameter"
        elif rest[:1] == ["responses"] and len(rest) > 1:
            where += f" response {rest[1]}"
        fields = [rest[i + 1] for i, p in enumerate(rest[:-1]) if p == "properties"]
        if fields:
            where += " " + ".".join(fields)
        return where
    if parts[:2] == ["components", "securitySchemes"]:
        return f"security scheme {parts[2]}" if len(parts) > 2 else "security schemes"
    return "/".join(parts) or "document"


def short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def from_redocly(report: dict[str, Any], view: str = "corrected") -> list[Change]:
    out = []
    for change in report.get("changes", []):
        location = describe_pointer(change["path"])
        node = (change.get("revision") or change.get("base") or {}).get("value")
        if location.endswith(" parameter") and isinstance(node, dict) and "name" in node:
            location += f" {node['name']}"  # parameters are addressed by index; their name says more
        verdicts = change.get("verdicts") or []
        for verdict in verdicts:
            level, why = OURS.get(verdict["ruleId"], (IMPACT[verdict["impact"]], ""))
            message = f"{verdict['message']} ({why})" if why else verdict["message"]
            out.append(Change(level, location, message, verdict["ruleId"], view))
        if verdicts:
            continue
        prop = change.get("property")
        before = (change.get("base") or {}).get("value")
        after = (change.get("revision") or {}).get("value")
        if change["kind"] == "added":
            message = f"added {location}"
        elif change["kind"] == "removed":
            message = f"removed {location}"
        else:
            message = f"`{prop}` changed from {short(before)} to {short(after)}" if prop else "changed"
        rule = f"{(prop or 'node')}-{change['kind']}"
        out.append(Change(IMPACT[change["impact"]], location, message, rule, view))
    return out


def schema_names_changes(old: dict[str, Any], new: dict[str, Any], naming: Naming) -> list[Change]:
    """Schema renames: invisible to a structural differ, but they may rename the generated classes."""
    before = set(old.get("components", {}).get("schemas", {}))
    after = set(new.get("components", {}).get("schemas", {}))
    new_classes = {naming.class_name(name) for name in after}
    out = []
    for name in sorted(before - after):
        python = naming.class_name(name)
        fate = (
            f"another schema still gives class `{python}`"
            if python in new_classes
            else f"the generated class `{python}` goes with it"
        )
        out.append(
            Change(
                "warning",
                f"components.schemas.{name}",
                f"schema `{name}` is gone (renamed or inlined): {fate}",
                "schema-name-removed",
            )
        )
    renamed = clash_renames(new, naming)
    for name in sorted(after - before):
        python = naming.class_name(name)
        why = f" (renamed: {renamed[python]})" if python in renamed else ""
        out.append(
            Change(
                "info",
                f"components.schemas.{name}",
                f"schema `{name}` is new: class `{python}` by the naming rules{why} "
                "(naming.classes in spec/generator.yaml picks another)",
                "schema-name-added",
            )
        )
    return out


def clash_renames(spec: dict[str, Any], naming: Naming) -> dict[str, str]:
    """Classes the clash rule suffixed (`NotFoundErrorBody`) -> why: the name it would have shadowed."""
    out = {}
    for name in spec.get("components", {}).get("schemas", {}):
        cleaned = naming.clean_schema_name(name)
        plain = pynames.class_name(cleaned).removesuffix("_")
        clash = naming_rules.class_clash(plain)
        if cleaned not in naming.classes and clash:
            out[naming.class_name(name)] = f"`{plain}` would shadow {clash}"
    return out
