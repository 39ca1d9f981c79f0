"""Warning rows for what the new spec newly deprecates: operations, their parameters and fields.

Deprecation changes no signature, so the generated packages' comparison cannot see it; the
corrected specs say it directly. Each row names the symbol a caller meets, as the other rows do.
"""

from __future__ import annotations

from typing import Any

from raia_spec import operations, resolve, sent_schema
from tools.codegen.naming import Naming, primary_tag, snake_case
from tools.codegen.surface import python_name
from tools.codegen.surface.annotations import is_deprecated
from tools.codegen.surface.resources import pascal

from ._directions import SENT, describe, spec_directions
from ._model import PyChange

CAUSE = "`deprecated: true` in the new spec"
_CALLS = "calls still work and warn (DeprecationWarning, once per call site); plan the move"
_FIELD = "the generated model keeps it, and reading it does not warn"


def _flags(spec: dict[str, Any], naming: Naming) -> dict[str, tuple[str, str]]:
    """symbol -> (what it is, the side of the wire) for everything the spec marks deprecated."""
    found: dict[str, tuple[str, str]] = {}
    sides = spec_directions(spec)
    for path, method, op in operations(spec):
        resource = naming.resource_name(primary_tag(op))
        name = naming.operation_method(path, method, op)
        for symbol in _flavours(resource, name):
            _operation(found, symbol, path, method, op, spec)
    for component, schema in ((spec.get("components") or {}).get("schemas") or {}).items():
        for field, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict) and is_deprecated(prop):
                cls = naming.class_name(component)
                where = describe(set(sides.get(component, set())))
                found[f"models.{snake_case(cls)}.{cls}.{snake_case(field)}"] = (
                    f"model field; {_FIELD}",
                    where,
                )
    return found


def _flavours(resource: str, method: str) -> list[str]:
    """The method in its six classes (sync, async, each with raw and streaming response); the report
    groups them."""
    name = pascal(resource)
    return [
        f"resources.{resource}.{aio}{name}Resource{raw}.{method}"
        for aio in ("", "Async")
        for raw in ("", "WithRawResponse", "WithStreamingResponse")
    ]


def _operation(
    found: dict[str, tuple[str, str]],
    symbol: str,
    path: str,
    method: str,
    op: dict[str, Any],
    spec: dict[str, Any],
) -> None:
    if is_deprecated(op):
        found[symbol] = (f"operation `{method} {path}`; {_CALLS}", SENT)
    item = resolve(spec, (spec.get("paths") or {}).get(path) or {})
    for param in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
        param = resolve(spec, param)
        if is_deprecated(param) or is_deprecated(param.get("schema") or {}):
            found[f"{symbol}({python_name(param['name'])})"] = (f"{param['in']} parameter; {_CALLS}", SENT)
    body = resolve(spec, op.get("requestBody") or {})
    schema = resolve(spec, sent_schema(body.get("content") or {}))
    for field, prop in (schema.get("properties") or {}).items():
        if is_deprecated(prop) or is_deprecated(resolve(spec, prop)):
            found[f"{symbol}({python_name(field)})"] = (f"body field; {_CALLS}", SENT)


def deprecations(old: dict[str, Any], new: dict[str, Any], naming: Naming) -> list[PyChange]:
    before, after = _flags(old, naming), _flags(new, naming)
    return [
        PyChange(
            "warning",
            symbol,
            "",
            "deprecated",
            "newly deprecated: " + what,
            CAUSE,
            side,
        )
        for symbol, (what, side) in sorted(after.items())
        if symbol not in before
    ]
