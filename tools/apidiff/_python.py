"""Python-level changes: the public API of the client generated from each spec.

griffe loads both packages and finds breaking changes in signatures and removals; it
does not look at attrs fields, their annotations and defaults, or Literal values, so a
snapshot of those is compared here on top of griffe's data.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import griffe

from raia_agent._validation import snake_case

from ._model import Change, Level, PyChange

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "raia_agent_api"
SKIP_MEMBERS = {"additional_properties", "additional_keys", "to_dict", "from_dict"}


def generate(spec: Path, overlay: Path, out: Path) -> Path | None:
    """Generate the client for `spec` into `out`; None (with stderr shown) if generation fails."""
    env = {**os.environ, "SPEC": str(spec), "OVERLAY": str(overlay)}
    result = subprocess.run(
        [str(ROOT / "generate.sh"), "--out", str(out)], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return None
    return out


def load(parent: Path) -> griffe.Module:
    loaded = griffe.load(PACKAGE, search_paths=[str(parent)], allow_inspection=False, resolve_aliases=False)
    assert isinstance(loaded, griffe.Module)
    return loaded


def snapshot(package: griffe.Module) -> dict[str, tuple[str, str]]:
    """symbol -> (kind, description) for every public function, model field and Literal alias."""
    out: dict[str, tuple[str, str]] = {}

    def walk(obj: griffe.Object, prefix: str) -> None:
        for name, member in obj.members.items():
            if member.is_alias or name.startswith("_") or name in SKIP_MEMBERS:
                continue
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(member, griffe.Module):
                walk(member, path)
            elif isinstance(member, griffe.Class):
                out[path] = ("class", "class " + name)
                walk(member, path)
            elif isinstance(member, griffe.Function):
                params = ", ".join(str(p) for p in member.parameters)
                out[path] = ("function", f"{name}({params}) -> {member.returns}")
            elif isinstance(member, griffe.Attribute):
                if obj.is_class and "instance-attribute" in member.labels:
                    default = "required" if member.value is None else f"= {member.value}"
                    out[path] = ("field", f"{member.annotation} {default}")
                elif obj.is_module and str(member.value or "").startswith("Literal["):
                    out[path] = ("literal", str(member.value))

    walk(package, "")
    return out


def literal_values(text: str) -> set[str]:
    return {single or double for single, double in re.findall(r"'([^']*)'|\"([^\"]*)\"", text)}


def griffe_breakages(old: griffe.Module, new: griffe.Module) -> dict[str, str]:
    found: dict[str, str] = {}
    for breakage in griffe.find_breaking_changes(old, new):
        path = breakage.obj.path.removeprefix(PACKAGE + ".")
        found.setdefault(path, breakage.explain(style=griffe.ExplanationStyle.ONE_LINE))
    return found


def compare(old_dir: Path, new_dir: Path) -> list[PyChange]:
    old, new = load(old_dir), load(new_dir)
    before, after = snapshot(old), snapshot(new)
    broken = griffe_breakages(old, new)
    out: list[PyChange] = []
    for symbol in sorted(before.keys() | after.keys()):
        was, now = before.get(symbol), after.get(symbol)
        if was == now:
            continue
        level: Level
        if now is None:
            assert was is not None
            level, message = "breaking", f"{was[0]} removed"
        elif was is None:
            required_field = now[0] == "field" and now[1].endswith(" required")
            level = "breaking" if required_field and symbol.rsplit(".", 1)[0] in before else "info"
            message = f"{now[0]} added" + (
                " (required: constructors and from_dict need it)" if level == "breaking" else ""
            )
        elif now[0] == "literal":
            lost = literal_values(was[1]) - literal_values(now[1])
            gained = literal_values(now[1]) - literal_values(was[1])
            level = "breaking" if lost else "warning"
            message = "; ".join(
                part
                for part in (
                    f"values removed: {', '.join(sorted(lost))}" if lost else "",
                    f"values added: {', '.join(sorted(gained))}" if gained else "",
                )
                if part
            )
        elif now[0] == "field":
            level, message = "breaking", "field type or default changed"
        else:
            level = "breaking" if symbol in broken else "info"
            message = broken.get(symbol, f"{now[0]} changed compatibly")
        out.append(PyChange(level, symbol, was[1] if was else "", now[1] if now else "", message))
    # Breakages griffe sees that the snapshot has no row for (e.g. a parameter's kind).
    listed = {change.symbol for change in out}
    for symbol, explanation in sorted(broken.items()):
        if symbol not in listed and not any(symbol.startswith(row + ".") for row in listed):
            out.append(PyChange("breaking", symbol, "", "", explanation))
    return out


def _mentions(symbol: str, change: Change, operations: dict[str, str]) -> bool:
    last = symbol.rsplit(".", 1)[-1]
    field = change.location.split(" ")[-1].split(".")[-1]
    if field and field[0].islower():
        snake = snake_case(field)
        # a field `vote_type`, or a type named after it such as `FeedbackVoteType`
        if last in {field, snake} or last.endswith(field[0].upper() + field[1:]):
            return True
    if any(operations.get(part, "\0") in change.message for part in symbol.split(".")):
        return True
    return re.search(rf"`{re.escape(last)}`", change.message) is not None


def link(python: list[PyChange], changes: list[Change], operations: dict[str, str]) -> list[PyChange]:
    """Point each Python change at a spec change that explains it, when one does."""
    linked = []
    for change in python:
        cause = next(
            (f"{c.rule} at {c.location}" for c in changes if _mentions(change.symbol, c, operations)), ""
        )
        linked.append(
            PyChange(change.level, change.symbol, change.before, change.after, change.message, cause)
        )
    return linked


def operation_modules(spec: dict[str, Any]) -> dict[str, str]:
    """Generated module name -> operationId, to tie renamed functions to their operation."""
    out = {}
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                out[snake_case(op["operationId"])] = op["operationId"]
    return out
