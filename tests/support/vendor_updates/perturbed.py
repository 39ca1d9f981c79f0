"""A perturbed copy of the frozen spec: the compatible changes a vendor makes every week, found by shape.

`make test` regenerates from it and runs the client tests against the result
(tests/codegen/test_vendor_updates.py), so a test pinned to today's bodies, names or counts fails the day it
is written instead of the day the vendor changes something. Nothing here names today's operations
or fields: each change goes to the first place of its kind the spec has.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from raia_spec import operations

REF = "#/components/schemas/"
NEW_TAG = "Perturbed Widgets"
NEW_PATH = "/external/perturbed-widgets"
NEW_SCHEMA = "ExternalApiPerturbedWidgetDTO"
NEW_REQUEST_FIELD = "perturbedNote"
NEW_RESPONSE_FIELD = "perturbedScore"
NEW_ENUM_VALUE = "perturbed"


def _component(spec: dict[str, Any], schema: Any) -> dict[str, Any] | None:
    """The component object schema a media type's schema names (directly, or as NestJS's allOf: [X])."""
    if not isinstance(schema, dict):
        return None
    ref = schema.get("$ref")
    if ref is None and len(schema.get("allOf") or []) == 1:
        ref = schema["allOf"][0].get("$ref")
    if not isinstance(ref, str) or not ref.startswith(REF):
        return None
    found = spec["components"]["schemas"].get(ref.removeprefix(REF))
    return found if isinstance(found, dict) and found.get("type") == "object" else None


def _json_schema(holder: dict[str, Any]) -> Any:
    return ((holder.get("content") or {}).get("application/json") or {}).get("schema")


def _bodies(spec: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(request body schema, success response schema) of each operation taking and answering JSON objects."""
    for _path, _method, op in operations(spec):
        body = _component(spec, _json_schema(op.get("requestBody") or {}))
        replies = [r for status, r in (op.get("responses") or {}).items() if str(status).startswith("2")]
        reply = _component(spec, _json_schema(replies[0])) if replies else None
        if body is not None and reply is not None:
            yield body, reply


def _string_enums(spec: dict[str, Any]) -> Iterator[list[Any]]:
    for schema in spec["components"]["schemas"].values():
        for prop in (schema.get("properties") or {}).values():
            if prop.get("type") == "string" and isinstance(prop.get("enum"), list):
                yield prop["enum"]


def perturb(spec: dict[str, Any]) -> None:
    """A new optional request field, a new required nullable response field, a new enum value, a new tag."""
    body, reply = next(_bodies(spec))
    body.setdefault("properties", {})[NEW_REQUEST_FIELD] = {
        "type": "string",
        "description": "A field the vendor added to the request.",
    }
    reply.setdefault("properties", {})[NEW_RESPONSE_FIELD] = {
        "type": "number",
        "nullable": True,
        "description": "A field the vendor added to the reply: always present, often null.",
    }
    reply.setdefault("required", []).append(NEW_RESPONSE_FIELD)
    for values in _string_enums(spec):
        values.append(NEW_ENUM_VALUE)  # every copy of the enum, so request and reply stay alike
    spec["components"]["schemas"][NEW_SCHEMA] = {
        "type": "object",
        "properties": {
            "widgetId": {"type": "string", "format": "uuid"},
            "widgetLabel": {"type": "string"},
        },
        # names no other spec's bodies share, so the literal-body scan flags only bodies of this one
        "required": ["widgetId", "widgetLabel"],
    }
    spec["paths"][NEW_PATH] = {
        "get": {
            "operationId": "ExternalApiPerturbedWidgetsController_listWidgets",
            "summary": "List widgets",
            "tags": [NEW_TAG],
            "responses": {
                "200": {
                    "description": "The widgets.",
                    "content": {
                        "application/json": {"schema": {"type": "array", "items": {"$ref": REF + NEW_SCHEMA}}}
                    },
                }
            },
        }
    }
