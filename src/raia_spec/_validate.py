"""JSON Schema 2020-12 validation (jsonschema-rs) that reports every problem with its field path."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from ._refs import Reader, is_ref

_REQUIRED = re.compile(r'^"([^"]+)" is a required property$')


@dataclass(frozen=True)
class Problem:
    """One way a document breaks its schema: where (a dotted field path) and what."""

    field: str
    message: str
    kind: str = ""
    at: tuple[str, ...] = dataclasses.field(default=(), compare=False, repr=False)
    """Where jsonschema-rs reports it: a missing property at its parent, unlike `field`."""

    def __str__(self) -> str:
        named = not self.field or f'"{self.field}"' in self.message
        return self.message if named else f"{self.field}: {self.message}"


class Validator:
    """A compiled schema whose `$ref`s resolve within it (`#/$defs/...`); documents it cannot even
    read (too deep, say) are problems too."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs  # on first use, not at import

        self.schema = schema
        self._compiled = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
        self._reader: Reader | None = None

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self._compiled.is_valid(instance))
        except (ValueError, RecursionError, OverflowError):
            return False

    def problems(self, instance: Any) -> list[Problem]:
        found = []
        try:
            for error in self._compiled.iter_errors(instance):
                at = tuple(str(part) for part in error.instance_path)
                path = ".".join(at)
                missing = _REQUIRED.match(error.message)
                if missing:  # reported at the parent object: the field's path goes on to the name
                    path = f"{path}.{missing.group(1)}" if path else missing.group(1)
                found.append(Problem(path, error.message, type(error.kind).__name__, at))
        except (ValueError, RecursionError, OverflowError) as exc:
            return [Problem("", f"cannot be checked: {type(exc).__name__}", "Unreadable")]
        return sorted(found, key=lambda p: (p.field, p.message))

    def resolve(self, schema: Any = None) -> dict[str, Any]:
        """`schema` (by default the validator's own) with its `$ref` chain followed in this schema;
        `{}` for what is not an object (a boolean schema, say)."""
        schema = self.schema if schema is None else schema
        if is_ref(schema):
            self._reader = self._reader or Reader(self.schema)
            schema = self._reader.resolve(schema)
        return schema if isinstance(schema, dict) else {}
