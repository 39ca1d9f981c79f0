"""Answers built from response schemas: documented error bodies, stored documents as a schema shapes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from ._instances import build, instance
from ._routes import Operation, Validator

Answer = tuple[int, Any]

# (path parameters, query parameters, body) -> (status, body), all checked against the spec already.
Handler = Callable[[dict[str, str], dict[str, Any], Any], Answer]


def error_body(op: Operation, status: int, fallback: dict[str, Any]) -> Any:
    """The documented body for an error status, its defaults first (they are the vendor's values)."""
    schema = op.responses.get(status)
    if schema is None:
        return fallback
    phrase = HTTPStatus(status).phrase
    hints = {"status": status, "statusCode": status, "message": phrase, "error": phrase}
    if status in op.media_examples:
        return instance(schema, hints, op.media_examples[status])
    return instance(schema, hints)


@dataclass(frozen=True)
class Shape:
    """How to answer a stored document through one response schema."""

    properties: dict[str, Any]
    nullable: frozenset[str]
    template: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)
    """Declared defaults: what the answer says of a field the document does not hold."""

    @classmethod
    def of(cls, validator: Validator, schema: Any) -> Shape:
        resolved = validator.resolve(schema)
        # a writeOnly field (a secret) is taken in but never answered
        properties = {
            n: p
            for n, p in resolved.get("properties", {}).items()
            if not validator.resolve(p).get("writeOnly")
        }
        nullable = frozenset(n for n, p in properties.items() if _allows_null(validator.resolve(p)))
        template = build(validator, resolved)
        defaults = {
            n: s["default"] for n, p in properties.items() if "default" in (s := validator.resolve(p))
        }
        return cls(properties, nullable, template if isinstance(template, dict) else {}, defaults)

    def answer(self, record: dict[str, Any]) -> dict[str, Any]:
        if not self.properties:
            return record
        out = dict(self.template)
        for name in self.properties:
            if name in record:
                out[name] = record[name]
            elif name in self.defaults:
                out[name] = self.defaults[name]
            elif name in self.nullable:
                out[name] = None
        return out


def _allows_null(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    return (isinstance(types, list) and "null" in types) or {"type": "null"} in schema.get("anyOf", [])


def example(op: Operation) -> Any:
    schema = op.success_schema
    if schema is not None and op.success in op.media_examples:
        return instance(schema, example=op.media_examples[op.success])
    return None if schema is None else instance(schema)
