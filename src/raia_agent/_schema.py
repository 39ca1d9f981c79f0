"""JSON Schema validation that reports every problem with its field path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One way a document breaks its schema: where (a dotted field path) and what."""

    field: str
    message: str
    kind: str = ""

    def __str__(self) -> str:
        named = not self.field or f'"{self.field}"' in self.message
        return self.message if named else f"{self.field}: {self.message}"


class Validator:
    """A compiled JSON Schema; documents it cannot even read (too deep, say) are problems too."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs  # on first use, not at import

        self.schema = schema
        self._compiled = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self._compiled.is_valid(instance))
        except (ValueError, RecursionError, OverflowError):
            return False

    def problems(self, instance: Any) -> list[Problem]:
        found = []
        try:
            for error in self._compiled.iter_errors(instance):
                path = ".".join(str(part) for part in error.instance_path)
                missing = _required_field(error.message)
                if missing:  # reported at the parent object: the field's path goes on to the name
                    path = f"{path}.{missing}" if path else missing
                found.append(Problem(path, error.message, type(error.kind).__name__))
        except (ValueError, RecursionError, OverflowError) as exc:
            return [Problem("", f"cannot be checked: {type(exc).__name__}", "Unreadable")]
        return sorted(found, key=lambda p: (p.field, p.message))


def _required_field(message: str) -> str:
    # jsonschema-rs reports a missing property at the parent; the name is in the message.
    match = re.match(r'^"([^"]+)" is a required property$', message)
    return match.group(1) if match else ""


def resolved(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> dict[str, Any]:
    """`schema` with its local `#/$defs/...` references followed (`defs`: the root's $defs)."""
    defs = schema.get("$defs", {}) if defs is None else defs
    while "$ref" in schema:
        schema = defs.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
    return schema


def validator(cache: dict[str, Any], key: str, schema: dict[str, Any] | None) -> Validator | None:
    """The compiled validator for `schema`, kept in an operation's cache under `key`."""
    found = cache.get(key)
    if found is None and schema is not None:
        found = cache[key] = Validator(schema)
    return found
