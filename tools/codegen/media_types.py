"""Which responses the client can return, and as what: the one rule for a response's media type.

- JSON (`application/json`, `*+json`): the generated model, as always.
- `text/event-stream`: a Stream of Server-Sent Events. The events' data is typed when the media type
  gives an item schema: OpenAPI 3.2's `itemSchema` (an event object whose `data` declares a
  `contentSchema`), or, in 3.0 and 3.1 documents, the extension `x-item-schema` naming the schema of
  each event's JSON data.
- Binary (`application/octet-stream`, `application/pdf`, `application/zip`, `image/*`, `audio/*`,
  `video/*`, `font/*`, or any schema with `format: binary`): a BinaryResponse.
- Other `text/*`: `str`, decoded per the response's charset.

A success documenting only other media types fails generation, naming the operation and the status,
rather than returning None for a body the spec documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from raia_spec import event_schema, operations, resolve
from raia_spec import media_of as choose
from raia_spec._media import GENERATOR_KNOWS, MAPPED, Kind, base
from tools.codegen.guard import shown
from tools.codegen.naming import Naming, primary_tag, route


def _responses(op: dict[str, Any], spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for status, reply in (op.get("responses") or {}).items():
        yield str(status).upper(), (resolve(spec, reply).get("content") or {})


def problems(spec: dict[str, Any], naming: Naming) -> list[str]:
    """One line per success whose every media type is one the client cannot return."""
    found = []
    for path, method, op in operations(spec):
        for status, content in _responses(op, spec):
            if status.startswith("2") and content and choose(content, spec) is None:
                where = f"{route(method, path)} (client.{naming.resource_name(primary_tag(op))}.{naming.operation_method(path, method, op)})"
                kinds = ", ".join(shown(str(media)) for media in content)
                found.append(
                    f"{where}: the {status} response is {kinds}, which the client cannot return (it maps {MAPPED})"
                )
    return found


def generator_overrides(spec: dict[str, Any]) -> dict[str, str]:
    """openapi-python-client's `content_type_overrides`: each media type it does not know, as octet-stream.

    Its own response code is not what the client runs (tools/codegen/surface/build.py's descriptions are), but it
    stops at a type it does not know; an error reply's body the client reads as text whatever its type.
    """
    overrides: dict[str, str] = {}
    for _, _, op in operations(spec):
        for _, content in _responses(op, spec):
            for media in content:
                name = base(str(media))
                if name in GENERATOR_KNOWS or name.endswith("+json") or name.startswith("text/"):
                    continue
                overrides[str(media)] = "application/octet-stream"
    return overrides


def reply_kind(content: dict[str, Any], spec: dict[str, Any]) -> tuple[str, Kind, dict[str, Any] | None]:
    """(media type, kind, schema the body or each event's data is checked against) for one reply.

    A reply with no mapped media type (an error's, or none documented) is read as JSON with no schema.
    """
    chosen = choose(content, spec)
    if chosen is None:
        return "application/json", "json", None
    media, kind, value = chosen
    if kind == "json":
        return media, kind, value.get("schema") or {}
    if kind == "events":
        return media, kind, event_schema(value, spec)
    return media, kind, None


def replies(
    op: dict[str, Any], spec: dict[str, Any], success: int, returns: str
) -> tuple[dict[int, tuple[str, str]], str, str]:
    """(status -> (media type, kind), the Operation's type parameter, each event's `.json()` type).

    `returns` is the success body's annotation as a JSON reply; for events it types the data.
    """
    responses = {str(k).upper(): v for k, v in (op.get("responses") or {}).items()}
    if "2XX" in responses and not any(k.isdigit() and k.startswith("2") for k in responses):
        responses["200"] = responses["2XX"]
    media: dict[int, tuple[str, str]] = {}
    for status, reply in responses.items():
        if status.isdigit():
            name, kind, _ = reply_kind(resolve(spec, reply).get("content") or {}, spec)
            media[int(status)] = (name, kind)
    success_kind = media.get(success, ("", "json"))[1]
    if success_kind == "binary":
        return media, "BinaryResponse", "Any"
    if success_kind == "text":
        return media, "str", "Any"
    if success_kind == "events":
        return media, f"ServerSentEvent[{returns}]", returns
    return media, returns, "Any"
