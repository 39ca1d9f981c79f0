"""Python-level changes: the public API of the client generated from each spec.

griffe loads both packages and finds removals and signature breakages; it does not look
at attrs fields, annotations, keyword parameters' types or Literal values, so a snapshot of
those is compared here too, each judged by whether callers send or receive it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import griffe

from raia_spec import operations
from tools.codegen.naming import snake_case

from . import _generations
from ._directions import SENT, Directions, describe, package_directions
from ._model import Level, PyChange
from ._rules import Slot, literal_change, slot_added, slot_change, slot_removed

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "raia_agent_api"
TRANSPORT = {"client"}
SKIP_MEMBERS = {"additional_properties", "additional_keys", "to_dict", "to_json", "from_dict"}
# Breakages of a keyword-only parameter: its own row judges them by direction instead.
PARAMETER_KINDS = {
    griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT,
    griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED,
    griffe.BreakageKind.PARAMETER_ADDED_REQUIRED,
    griffe.BreakageKind.PARAMETER_REMOVED,
}


@dataclass(frozen=True)
class Symbol:
    kind: str  # class, function, field, parameter, literal
    text: str
    owner: str = ""  # the class or alias whose direction applies
    slot: Slot | None = None


def generate(spec: Path, overlay: Path, out: Path) -> tuple[Path | None, str]:
    """The client for `spec` in `out` (kept by content: _generations): (package parent, "") or (None, generate.sh's stderr)."""
    generator = Path(os.environ.get("GENERATOR") or ROOT / "spec" / "generator.yaml")

    def run(dest: Path) -> tuple[Path | None, str]:
        env = {**os.environ, "SPEC": str(spec), "OVERLAY": str(overlay)}
        result = subprocess.run(
            [str(ROOT / "generate.sh"), "--out", str(dest)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            return None, result.stderr + result.stdout
        return dest, ""

    return _generations.generated((spec, overlay, generator), out, run)


def load(parent: Path, package: str = PACKAGE) -> griffe.Module:
    loaded = griffe.load(package, search_paths=[str(parent)], allow_inspection=False, resolve_aliases=False)
    assert isinstance(loaded, griffe.Module)
    return loaded


def _keyword_params(function: griffe.Function) -> list[griffe.Parameter]:
    # path parameters are positional-or-keyword (`retrieve(id)`): callers may still send them by name
    kinds = (griffe.ParameterKind.keyword_only, griffe.ParameterKind.positional_or_keyword)
    return [p for p in function.parameters if p.kind in kinds and p.name != "self"]


def signature(function: griffe.Function) -> str:
    """Parameters as Python writes them (griffe's own text shows `= None` on required ones)."""
    parts: list[str] = []
    for p in function.parameters:
        if p.kind is griffe.ParameterKind.keyword_only and not any(x.startswith("*") for x in parts):
            parts.append("*")
        stars = {griffe.ParameterKind.var_positional: "*", griffe.ParameterKind.var_keyword: "**"}
        text = stars.get(p.kind, "") + p.name + (f": {p.annotation}" if p.annotation is not None else "")
        parts.append(text + (f" = {p.default}" if p.default is not None else ""))
    return ", ".join(parts)


def _is_attrs(cls: griffe.Object) -> bool:
    """A generated model: only its fields are what constructors and from_dict need."""
    decorators = getattr(cls, "decorators", [])
    return any("attr" in str(d.value).split("(")[0] for d in decorators)


def snapshot(package: griffe.Module) -> dict[str, Symbol]:
    """symbol -> Symbol for every public function, model field, keyword parameter and Literal alias."""
    out: dict[str, Symbol] = {}

    def walk(obj: griffe.Object, prefix: str) -> None:
        for name, member in obj.members.items():
            if member.is_alias or name.startswith("_") or name in SKIP_MEMBERS:
                continue
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(member, griffe.Module):
                walk(member, path)
            elif isinstance(member, griffe.Class):
                out[path] = Symbol("class", "class " + name, name)
                walk(member, path)
            elif isinstance(member, griffe.Function):
                out[path] = Symbol("function", f"{name}({signature(member)}) -> {member.returns}")
                # Each keyword parameter of a resource method or operation function is something
                # callers send; `client` is the generated functions' transport, not data.
                for p in _keyword_params(member):
                    if p.name not in TRANSPORT:
                        slot = Slot(str(p.annotation), None if p.default is None else str(p.default))
                        out[f"{path}({p.name})"] = Symbol("parameter", slot.text, "", slot)
            elif isinstance(member, griffe.Attribute):
                if obj.is_class and not _is_attrs(obj):
                    # e.g. a resource attribute of the client mix-ins: not data callers construct
                    out[path] = Symbol("attribute", f"{name}: {member.annotation}")
                elif obj.is_class and "instance-attribute" in member.labels:
                    slot = Slot(str(member.annotation), None if member.value is None else str(member.value))
                    out[path] = Symbol("field", slot.text, obj.name, slot)
                elif obj.is_module and str(member.value or "").startswith("Literal["):
                    out[path] = Symbol("literal", str(member.value), name)

    walk(package, "")
    return out


def explain(breakage: griffe.Breakage) -> str:
    """griffe's finding in plain words: its one-line style carries ANSI colours and file paths."""
    text: str = breakage.kind.value
    value = breakage.old_value if breakage.old_value is not None else breakage.new_value
    if isinstance(value, griffe.Parameter):
        text += f": `{value.name}`"
    if breakage.kind is griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT:
        text += f" ({breakage.old_value.default} -> {breakage.new_value.default})"
    return text + (f" ({breakage.details})" if breakage.details else "")


def griffe_breakages(old: griffe.Module, new: griffe.Module, package: str) -> dict[str, str]:
    """symbol -> explanation, leaving out what a keyword parameter's own row judges."""
    found: dict[str, str] = {}
    for breakage in griffe.find_breaking_changes(old, new):
        value = breakage.old_value if breakage.old_value is not None else breakage.new_value
        keyword = isinstance(value, griffe.Parameter) and value.kind is griffe.ParameterKind.keyword_only
        if keyword and breakage.kind in PARAMETER_KINDS and value.name not in TRANSPORT:
            continue
        path = breakage.obj.path.removeprefix(package + ".")
        found.setdefault(path, explain(breakage))
    return found


def _sides(symbol: Symbol, directions: Directions) -> set[str]:
    if symbol.kind == "parameter":
        return {SENT}
    return set(directions.get(symbol.owner, set()))


def _parent(symbol: str, kind: str) -> str:
    return symbol.split("(", 1)[0] if kind == "parameter" else symbol.rsplit(".", 1)[0]


def judge(symbol: str, was: Symbol | None, now: Symbol | None, sides: set[str], before: dict[str, Symbol], after: dict[str, Symbol], broken: dict[str, str]) -> tuple[Level, str]:  # fmt: skip
    level: Level
    if now is None:
        assert was is not None
        if was.slot is not None:
            level, message = slot_removed(sides)
            return level, f"{was.kind} {message}"
        return "breaking", f"{was.kind} removed"
    if was is None:
        if now.slot is not None:
            level, message = slot_added(now.slot, sides, _parent(symbol, now.kind) in before)
            return level, f"{now.kind} {message}"
        return "info", f"{now.kind} added"
    if now.kind == "literal" and was.kind == "literal":
        return literal_change(was.text, now.text, sides)
    if was.slot is not None and now.slot is not None:
        level, reason = slot_change(was.slot, now.slot, sides)
        return level, f"{now.kind} changed: {reason}"
    if symbol in broken:
        return "breaking", broken[symbol]
    params = {key for key in before.keys() | after.keys() if key.startswith(symbol + "(")}
    if any(before.get(key) != after.get(key) for key in params):
        return "info", "signature changed: its keyword parameters are judged on their own rows"
    return "info", f"{now.kind} changed compatibly"


def compare(old_dir: Path, new_dir: Path, package: str = PACKAGE) -> list[PyChange]:
    old, new = load(old_dir, package), load(new_dir, package)
    before, after = snapshot(old), snapshot(new)
    directions: Directions = {}
    for found in (package_directions(old), package_directions(new)):
        for name, sides in found.items():
            directions.setdefault(name, set()).update(sides)
    broken = griffe_breakages(old, new, package)
    out: list[PyChange] = []
    for symbol in sorted(before.keys() | after.keys()):
        was, now = before.get(symbol), after.get(symbol)
        if was == now:
            continue
        parent = _parent(symbol, "parameter") if "(" in symbol else ""
        if parent and (parent not in before or parent not in after):
            continue  # the whole function came or went: its row says so
        sides = _sides(now or was, directions)  # type: ignore[arg-type]
        level, message = judge(symbol, was, now, sides, before, after, broken)
        text_before, text_after = (was.text if was else ""), (now.text if now else "")
        out.append(PyChange(level, symbol, text_before, text_after, message, "", describe(sides)))
    # Breakages griffe sees that the snapshot has no row for (e.g. a parameter's kind).
    listed = {change.symbol for change in out}
    for symbol, explanation in sorted(broken.items()):
        if symbol not in listed and not any(symbol.startswith(row + ".") for row in listed):
            out.append(PyChange("breaking", symbol, "", "", explanation))
    return out


def operation_modules(spec: dict[str, Any]) -> dict[str, str]:
    """Generated module name -> operationId, to tie renamed functions to their operation."""
    out = {}
    for _, _, op in operations(spec):
        if "operationId" in op:
            out[snake_case(op["operationId"])] = op["operationId"]
    return out
