"""Which models callers send and which they receive.

The spec says it per schema (follow $refs from parameters and request bodies, or from
responses); the generated package says it per class (what the operation functions and
resource methods take, and what they return). Classes are read from the generated code
rather than re-deriving the generator's naming rules, so renaming rules cannot skew it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import griffe

from raia_spec import Reader, RefError, component_name, operations, path_items

SENT, RECEIVED = "sent", "received"
Directions = dict[str, set[str]]


def spec_directions(doc: dict[str, Any]) -> Directions:
    """Schema name -> {"sent", "received"}: how operations reach it."""
    out: Directions = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    reader = Reader(doc)

    def walk(node: Any, side: str) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, side)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (ref, side) not in seen:
                seen.add((ref, side))
                try:
                    target = reader.target(ref)
                    if ref.startswith("#/components/schemas/"):
                        out[component_name(ref)].add(side)
                except RefError:
                    target = None  # a reference to nowhere reaches no schema (tools/codegen/validation.py reports it)
                walk(target, side)
            for key, value in node.items():
                if key != "$ref":
                    walk(value, side)

    for _, item in path_items(doc):
        walk(item.get("parameters"), SENT)
    for _, _, op in operations(doc):
        walk(op.get("parameters"), SENT)
        walk(op.get("requestBody"), SENT)
        walk(op.get("responses"), RECEIVED)
    return dict(out)


def names_in(annotation: object) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", str(annotation or "")))


def _is_model(obj: griffe.Object) -> bool:
    return "models" in obj.path.split(".")


def package_directions(package: griffe.Module) -> Directions:
    """Bare class or alias name -> {"sent", "received"}, seeded by what operations take and return."""
    models: dict[str, griffe.Object] = {}
    seeds: list[tuple[str, str]] = []

    def visit(obj: griffe.Object) -> None:
        for name, member in obj.members.items():
            if member.is_alias:
                continue
            if isinstance(member, griffe.Module):
                visit(member)
            elif isinstance(member, griffe.Class):
                if _is_model(member):
                    models[name] = member
                visit(member)
            elif isinstance(member, griffe.Attribute) and _is_model(member) and obj.is_module:
                models[name] = member
            elif isinstance(member, griffe.Function) and not _is_model(member):
                for param in member.parameters:
                    if param.name not in {"self", "cls", "client"}:
                        seeds.append((str(param.annotation), SENT))
                seeds.append((str(member.returns), RECEIVED))

    visit(package)
    out: Directions = defaultdict(set)
    todo = [(name, side) for text, side in seeds for name in names_in(text) if name in models]
    while todo:
        name, side = todo.pop()
        if side in out[name]:
            continue
        out[name].add(side)
        model = models[name]
        texts = (
            [str(m.annotation) for m in model.members.values() if isinstance(m, griffe.Attribute)]
            if isinstance(model, griffe.Class)
            else [str(getattr(model, "value", ""))]
        )
        todo += [(n, side) for text in texts for n in names_in(text) if n in models and n != name]
    return dict(out)


def describe(sides: set[str]) -> str:
    return " and ".join(sorted(sides))
