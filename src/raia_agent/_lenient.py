"""Forward-compatible responses: what a newer spec would explain is kept, with one warning per field.

A vendor often deploys before it publishes its spec. A success response whose only problems are an
enum value we do not know, a value in a format we do not know, or a field we do not know is still
the vendor's answer: by default it is returned, the value kept as received (a plain str) and extra
fields left in the model's `additional_properties`. Anything else (a missing required field, a
wrong JSON type) stays a ResponseValidationError, and `strict_responses=True` refuses all of them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from raia_spec import Reader

from ._schema import Problem

# jsonschema-rs's error kinds a newer spec explains: a value added to an enum, a changed format, a
# field added (refused only because the checked schema is closed, see `closed`).
FORWARD_KINDS = frozenset({"Enum", "Format", "AdditionalProperties", "UnevaluatedProperties"})
_EXTRA_KINDS = frozenset({"AdditionalProperties", "UnevaluatedProperties"})
# What the generated parsers accept in place of a value they would refuse; the received value is put
# back in the model afterwards, whose field tools/codegen/surface/lenient.py types `... | str` (`| int` for
# an integer enum). A date or
# date-time the parser cannot read stays an error: its model field has no room for a str.
_STAND_INS = {"uuid": "00000000-0000-0000-0000-000000000000"}


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with undocumented properties refused wherever an object lists its properties."""
    schema = copy.deepcopy(schema)

    def close(node: Any, in_combinator: bool = False) -> None:
        if isinstance(node, list):
            for item in node:
                close(item, in_combinator)
            return
        if not isinstance(node, dict):
            return
        if (
            "properties" in node
            and not in_combinator
            and "additionalProperties" not in node
            and "unevaluatedProperties" not in node
        ):
            node["unevaluatedProperties"] = False
        for key, value in node.items():
            if key in {"properties", "$defs", "definitions", "patternProperties"} and isinstance(value, dict):
                for sub in value.values():
                    close(sub)
            elif key in {"allOf", "anyOf", "oneOf"}:
                close(value, in_combinator=True)
            elif key in {"items", "additionalProperties", "not", "if", "then", "else", "prefixItems"}:
                close(value)

    close(schema)
    return schema


def forward_compatible(problems: list[Problem]) -> bool:
    return bool(problems) and all(problem.kind in FORWARD_KINDS for problem in problems)


def describe(problem: Problem, data: Any = None, schema: dict[str, Any] | None = None) -> tuple[str, str]:
    """(the field, what is new about it) for one warning line, as received: the caller redacts,
    escapes and bounds both (see _logging.one_line)."""
    if problem.kind in _EXTRA_KINDS:
        found = _extra_names(problem, data, schema)
        names = ", ".join(found[:_NAMED]) or "?"
        if len(found) > _NAMED:
            names += f" and {len(found) - _NAMED} more"
        where = f"{problem.field}.{names}" if problem.field else names
        return where, "a field the spec does not document, kept in additional_properties"
    return problem.field or "(body)", f"{problem.message}; kept as received"


_NAMED = 5  # extra fields named in one warning; a server can send thousands


def _extra_names(problem: Problem, data: Any, schema: dict[str, Any] | None) -> list[str]:
    """The undocumented keys of the object at the problem's path, read from the body itself: the
    validator's message quotes them unescaped, so a name holding a quote cannot be parsed back."""
    path = problem.field.split(".") if problem.field else []
    try:
        node = data
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        documented = (_schema_at(schema, path).get("properties") or {}) if schema is not None else None
    except (LookupError, TypeError, ValueError):
        node, documented = None, None
    if isinstance(node, dict) and documented is not None:
        return [str(key) for key in node if key not in documented]
    return re.findall(r"'([^']*)'", problem.message)


class _Unplaceable(Exception):
    """The received value cannot be put back where the model holds it."""


def build(data: Any, schema: dict[str, Any], problems: list[Problem], make: Callable[[Any], Any]) -> Any:
    """The model for `data`, built from stand-ins where the parser would refuse a value, then the
    received values put back. Raises ValueError when that is impossible."""
    patched = copy.deepcopy(data)
    changed: list[tuple[list[str], Any]] = []
    for problem in problems:
        if problem.kind not in {"Enum", "Format"}:
            continue
        path = problem.field.split(".") if problem.field else []
        node = _schema_at(schema, path)
        numbers = [v for v in node.get("enum") or () if type(v) is int]
        if problem.kind == "Enum" and numbers and type(_get(patched, path)) is int:
            # an integer enum: a number we do not know is kept as that number (the model's `| int`)
            changed.append((path, _set(patched, path, numbers[0])))
            continue
        if problem.kind == "Enum":
            stand_in = next((v for v in node.get("enum") or () if isinstance(v, str)), None)
        else:
            stand_in = _STAND_INS.get(str(node.get("format")))
        if stand_in is None:
            continue  # the parser keeps this value as it is
        if not isinstance(_get(patched, path), str):
            # an enum declared without `type` lets 5 or {} through as merely "not listed"; the
            # model has room for a str only, so any other JSON type stays an error
            raise ValueError(f"{problem.field or 'the body'} is not a string")
        original = _set(patched, path, stand_in)
        changed.append((path, original))
    model = make(patched)
    try:
        for path, original in changed:
            _put_back(model, path, original)
    except (_Unplaceable, LookupError, TypeError, AttributeError) as exc:
        raise ValueError(f"cannot keep the value at {'.'.join(path)} ({type(exc).__name__})") from exc
    return model


def _schema_at(schema: dict[str, Any], path: list[str]) -> dict[str, Any]:
    reader = Reader(schema)
    node = reader.resolve(schema)
    for part in path:
        if part.isdigit() and "items" in node:
            node = reader.resolve(node["items"])
        else:
            node = reader.resolve((node.get("properties") or {}).get(part, {}))
    return node if isinstance(node, dict) else {}


def _get(data: Any, path: list[str]) -> Any:
    for part in path:
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _set(data: Any, path: list[str], value: Any) -> Any:
    if not path:
        raise ValueError("the whole body is a value we do not know")
    parent = data
    for part in path[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last: Any = int(path[-1]) if isinstance(parent, list) else path[-1]
    original = parent[last]
    parent[last] = value
    return original


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _attribute(model: Any, key: str) -> str:
    """The model attribute the generated parser stores JSON field `key` in."""
    fields = getattr(type(model), "__attrs_attrs__", ())
    # (a documented property's field is one the model's __init__ takes: not additional_properties or _request_id)
    found = [f.name for f in fields if f.init and _normal(f.name) == _normal(key)]
    if len(found) != 1:
        raise _Unplaceable(key)
    return str(found[0])


def _put_back(model: Any, path: list[str], value: Any) -> None:
    node = model
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, list):
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node[part]
        else:
            name = _attribute(node, part)
            if last:
                setattr(node, name, value)
            else:
                node = getattr(node, name)
