"""Deterministic schema-valid bodies: the spec's own examples where they validate, else a minimal instance."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._routes import Validator

_MISSING = object()
_FORMATS = {
    "uuid": "00000000-0000-4000-8000-000000000000",
    "date-time": "1970-01-01T00:00:00.000Z",
    "date": "1970-01-01",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
}
_MAX_DEPTH = 12


def instance(validator: Validator, hints: Mapping[str, Any] | None = None, example: Any = _MISSING) -> Any:
    """An instance of the validator's schema: `example` if valid, else one built with the spec's examples,
    else one built without them (an example may contradict its own schema). `hints` fill top-level
    properties that have no default, e.g. an error body's status."""
    if example is not _MISSING and validator.is_valid(example):
        return example
    for use_examples in (True, False):
        built = build(validator, validator.schema, hints, use_examples=use_examples)
        if validator.is_valid(built):
            return built
    return built


def build(
    validator: Validator, schema: Any, hints: Mapping[str, Any] | None = None, *, use_examples: bool = True
) -> Any:
    """An instance of `schema`, a part of the validator's schema, not checked against it."""
    return _Builder(validator, use_examples=use_examples).build(schema, dict(hints or {}), 0)


class _Builder:
    def __init__(self, validator: Validator, *, use_examples: bool) -> None:
        self.resolve, self.use_examples = validator.resolve, use_examples

    def build(self, raw: Any, hints: dict[str, Any], depth: int) -> Any:
        schema = self.resolve(raw)
        for keyword in ("const", "default", *(("example",) if self.use_examples else ())):
            if keyword in schema:
                return schema[keyword]
        if schema.get("enum"):
            return schema["enum"][0]
        if "allOf" in schema:
            parts = [self.build(part, hints, depth + 1) for part in schema["allOf"]]
            if all(isinstance(part, dict) for part in parts):
                return {key: value for part in parts for key, value in part.items()}
            return parts[0]
        for keyword in ("oneOf", "anyOf"):
            options = [self.resolve(option) for option in schema.get(keyword, [])]
            if options:
                real = [o for o in options if o.get("type") != "null"]
                return None if depth > _MAX_DEPTH or not real else self.build(real[0], hints, depth + 1)
        types = schema.get("type", "object" if "properties" in schema else None)
        if isinstance(types, list):
            real_types = [t for t in types if t != "null"]
            if "null" in types and (depth > _MAX_DEPTH or not real_types):
                return None
            types = real_types[0] if real_types else None
        return self.typed(types, schema, hints, depth)

    def typed(self, kind: Any, schema: dict[str, Any], hints: dict[str, Any], depth: int) -> Any:
        if kind == "object":
            properties = schema.get("properties", {})
            return {
                name: hints[name]
                if name in hints and "default" not in self.resolve(properties.get(name, {}))
                else self.build(properties.get(name, {}), {}, depth + 1)
                for name in schema.get("required", [])
            }
        if kind == "array":
            return [self.build(schema.get("items", {}), {}, depth + 1)] * int(schema.get("minItems", 0))
        if kind == "string":
            text = _FORMATS.get(str(schema.get("format")), "")
            return text or "a" * int(schema.get("minLength", 0))
        if kind in ("integer", "number"):
            return _number(schema)
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        return {}


def _number(schema: dict[str, Any]) -> int:
    value = 0
    if isinstance(schema.get("minimum"), int | float) and value < schema["minimum"]:
        value = math.ceil(schema["minimum"])
    if isinstance(schema.get("exclusiveMinimum"), int | float) and value <= schema["exclusiveMinimum"]:
        value = math.floor(schema["exclusiveMinimum"]) + 1
    if isinstance(schema.get("maximum"), int | float) and value > schema["maximum"]:
        value = math.floor(schema["maximum"])
    if isinstance(schema.get("exclusiveMaximum"), int | float) and value >= schema["exclusiveMaximum"]:
        value = math.ceil(schema["exclusiveMaximum"]) - 1
    step = schema.get("multipleOf")
    if isinstance(step, int) and step > 0:
        value = math.ceil(value / step) * step
    return value
