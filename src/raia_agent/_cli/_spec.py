"""The request schema as the command line sees it.

The one module of the CLI that reads the client's spec helpers, so that moving them means
editing this file only. Options of `feedback send` and the columns `feedback import` accepts
both come from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from .._schema import resolved

# The API upserts on these two properties; rows sharing them are one feedback.
UPSERT_KEY = ("conversationMessageId", "userId")
# The generated operation both commands call: client.feedback.create_or_update.
OPERATION = "feedback.create_or_update"


def _operation() -> Any:
    from raia_agent_api.resources._operations import OPERATIONS

    return OPERATIONS[OPERATION]


def request_schema() -> dict[str, Any]:
    """The JSON Schema of the create-or-update request body, its properties' $refs resolved."""
    body = _operation().body_schema or {}
    defs = body.get("$defs", {})
    schema = dict(resolved(body))
    schema["properties"] = {k: resolved(v, defs) for k, v in (schema.get("properties") or {}).items()}
    return schema


def python_name(json_name: str) -> str:
    names = {param.name: param.python for param in _operation().params}
    return str(names.get(json_name, json_name))


def build_body(params: dict[str, Any]) -> dict[str, Any]:
    """snake_case params to the JSON body, validated; TypeError/ValueError naming the field."""
    import json

    from .._validation import prepare

    body: dict[str, Any] = json.loads(prepare(_operation(), params).content or b"{}")
    return body


@dataclass(frozen=True)
class Field:
    """One request property."""

    json_name: str
    python_name: str
    required: bool
    schema: dict[str, Any]

    @property
    def description(self) -> str:
        return str(self.schema.get("description", "")).strip()

    @property
    def choices(self) -> list[str] | None:
        values = self.schema.get("enum")
        return [str(value) for value in values if value is not None] if values else None

    @property
    def types(self) -> set[str]:
        declared = self.schema.get("type", "string")
        return {declared} if isinstance(declared, str) else set(declared) - {"null"}


def fields() -> list[Field]:
    """Every property of the request schema, in the spec's order."""
    schema = request_schema()
    required = set(schema.get("required", ()))
    return [
        Field(name, python_name(name), name in required, dict(prop))
        for name, prop in schema.get("properties", {}).items()
    ]


@cache
def accepted_names() -> dict[str, str]:
    """Every spelling a file may use for a property (camelCase or snake_case) -> snake_case."""
    names: dict[str, str] = {}
    for field in fields():
        names[field.json_name] = field.python_name
        names[field.python_name] = field.python_name
    return names


@cache
def json_to_python() -> dict[str, str]:
    return {field.json_name: field.python_name for field in fields()}
