"""Which media type a response is read as, and as what (json, binary, text or events): the one rule,
shared by the generator (tools/media_types.py), the client and the local test server."""

from __future__ import annotations

from typing import Any, Literal

from ._refs import resolve

Kind = Literal["json", "binary", "text", "events"]
BINARY_TYPES = frozenset(
    {"application/octet-stream", "application/pdf", "application/zip", "application/gzip"}
)
BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
# What openapi-python-client reads itself; every other mapped type is handed to it as octet-stream.
GENERATOR_KNOWS = ("application/json", "application/octet-stream")
_EVENT_FIELDS = frozenset({"event", "data", "id", "retry"})
MAPPED = "JSON, text/*, text/event-stream, or binary (octet-stream, pdf, zip, image/*, audio/*, video/*, format: binary)"


def base(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def kind_of(media: str, schema: dict[str, Any]) -> Kind | None:
    """What the client returns for a body of this media type and (resolved) schema; None: it cannot."""
    name = base(media)
    if name == "application/json" or (name.startswith("application/") and name.endswith("+json")):
        return "json"
    if name == "text/event-stream":
        return "events"
    if schema.get("format") == "binary" or name in BINARY_TYPES or name.startswith(BINARY_PREFIXES):
        return "binary"
    if name.startswith("text/"):
        return "text"
    return None


def choose(content: dict[str, Any], spec: dict[str, Any]) -> tuple[str, Kind, dict[str, Any]] | None:
    """(media type, kind, media type object) a response is read as: JSON when offered, else the first
    the client maps; None when it documents no body or none the client can return."""
    found = [
        (media, kind_of(media, resolve(spec, (value or {}).get("schema") or {})), value or {})
        for media, value in content.items()
    ]
    for media, kind, value in sorted(found, key=lambda entry: entry[1] != "json"):
        if kind is not None:
            return media, kind, value
    return None


def event_schema(value: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of each event's JSON data, from the media type object (see the module's docstring)."""
    item = value.get("itemSchema", value.get("x-item-schema"))
    if not isinstance(item, dict):
        return None
    target = resolve(spec, item)
    properties = target.get("properties") or {}
    if "data" in properties and set(properties) <= _EVENT_FIELDS:
        data = resolve(spec, properties["data"])
        content = data.get("contentSchema")
        return content if isinstance(content, dict) else None
    return item
