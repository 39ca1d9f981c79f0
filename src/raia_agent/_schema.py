"""The corrected spec as validators: what the client sends, what the server must answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

OPERATION_ID = "createOrUpdateFeedback"


@dataclass(frozen=True)
class Problem:
    """One way a document breaks its schema: where (a dotted field path) and what."""

    field: str
    message: str
    kind: str = ""

    def __str__(self) -> str:
        named = not self.field or f'"{self.field}"' in self.message
        return self.message if named else f"{self.field}: {self.message}"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    request: dict[str, Any]
    responses: dict[int, dict[str, Any]]
    security_header: str


def _to_json_schema(node: Any, components: dict[str, Any]) -> Any:
    """Inline local $refs and spell OpenAPI 3.0's `nullable` the JSON Schema way."""
    if isinstance(node, list):
        return [_to_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _to_json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    out = {key: _to_json_schema(value, components) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


@cache
def operation() -> Operation:
    from raia_agent_api._spec import corrected_spec  # deferred: keeps `import raia_agent` light

    spec = corrected_spec()
    components = spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if op.get("operationId") == OPERATION_ID:
                scheme = next(iter(spec["components"]["securitySchemes"].values()))
                return Operation(
                    method=method.upper(),
                    path=path,
                    request=_to_json_schema(
                        op["requestBody"]["content"]["application/json"]["schema"], components
                    ),
                    responses={
                        int(status): _to_json_schema(
                            body["content"]["application/json"]["schema"], components
                        )
                        for status, body in op["responses"].items()
                        if "application/json" in body.get("content", {})
                    },
                    security_header=scheme["name"],
                )
    raise LookupError(f"the spec has no operation {OPERATION_ID!r}")


class Validator:
    """A compiled JSON Schema that reports every problem with its field path."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs  # on first use, not at import

        self.schema = schema
        self._compiled = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._compiled.is_valid(instance))

    def problems(self, instance: Any) -> list[Problem]:
        found = []
        for error in self._compiled.iter_errors(instance):
            path = ".".join(str(part) for part in error.instance_path)
            found.append(
                Problem(path or _required_field(error.message), error.message, type(error.kind).__name__)
            )
        return sorted(found, key=lambda p: (p.field, p.message))


def _required_field(message: str) -> str:
    # jsonschema-rs reports a missing property at the parent; the name is in the message.
    match = re.match(r'^"([^"]+)" is a required property$', message)
    return match.group(1) if match else ""


@cache
def request_validator() -> Validator:
    return Validator(operation().request)


@cache
def response_validator(status: int) -> Validator | None:
    schema = operation().responses.get(status)
    return Validator(schema) if schema is not None else None
