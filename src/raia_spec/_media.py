"""Media types, the one rule for both directions, shared by the generator, the client, the test
server and `make diff`.

Requests: JSON when the operation offers it (so an operation that also takes a form keeps JSON calls),
else multipart/form-data, else a urlencoded form; anything else is refused by name. A file field is
`type: string, format: binary` (OpenAPI 3.0) or a string with `contentMediaType` and no
`contentEncoding` (3.1: raw bytes, not base64).

Responses: read as json, binary, text or events (JSON when a reply offers it). A typed event's
schema comes from OpenAPI 3.2's `itemSchema` (an event object whose `data` declares a
`contentSchema`) or from `x-item-schema` naming the data's schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from ._refs import resolve

JSON = "application/json"
MULTIPART = "multipart/form-data"
FORM = "application/x-www-form-urlencoded"
FORMS = (MULTIPART, FORM)


class UnsupportedMedia(ValueError):
    """The request body is of a type no client call can send; the message names the types."""


def request_media(content: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(media type, media object) a request body's `content` is sent as; None when it offers none."""
    offered = {str(kind).split(";", 1)[0].strip().lower(): media for kind, media in content.items()}
    for kind in (JSON, *FORMS):
        media = offered.get(kind)
        if isinstance(media, dict):
            return kind, media
    if content:
        kinds = ", ".join(sorted(str(kind) for kind in content))
        raise UnsupportedMedia(
            f"a request body of {kinds} only is not supported (only {JSON}, {MULTIPART} or {FORM})"
        )
    return None


def sent_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """`content` with only the media type request_media chooses (all of it when it refuses them)."""
    try:
        chosen = request_media(content)
    except UnsupportedMedia:
        return dict(content)  # the generator's surface step refuses it, naming the operation
    if chosen is None:
        return dict(content)
    return {k: v for k, v in content.items() if str(k).split(";", 1)[0].strip().lower() == chosen[0]}


def sent_schema(content: Mapping[str, Any]) -> Any:
    """The schema of the media type request_media chooses; {} when it chooses none or refuses them."""
    try:
        chosen = request_media(content)
    except UnsupportedMedia:
        return {}
    return (chosen[1].get("schema") or {}) if chosen is not None else {}


def is_file(schema: Mapping[str, Any]) -> bool:
    """Whether a (resolved) property schema is a file's raw bytes."""
    if schema.get("format") == "binary":
        return True
    return "contentMediaType" in schema and "contentEncoding" not in schema


def file_fields(media: str, schema: Mapping[str, Any], resolve: Callable[[Any], Any]) -> tuple[str, ...]:
    """The file fields of a form body's (resolved) object schema, in its order; `resolve` follows a $ref.

    UnsupportedMedia when the form cannot be sent field by field: not an object with properties, a
    file in a urlencoded form, or an array of files.
    """
    properties = schema.get("properties")
    if schema.get("type") not in (None, "object") or not isinstance(properties, dict) or not properties:
        raise UnsupportedMedia(f"a {media} body must be an object with properties (one per form field)")
    files = []
    for name, prop in properties.items():
        target = resolve(prop)
        items = target.get("items") if isinstance(target, dict) else None
        if isinstance(items, dict) and is_file(resolve(items)):
            raise UnsupportedMedia(f"{media} field {name!r}: an array of files is not supported")
        if isinstance(target, dict) and is_file(target):
            if media != MULTIPART:
                raise UnsupportedMedia(f"{media} field {name!r}: a file needs multipart/form-data")
            files.append(str(name))
    return tuple(files)


def without(schema: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """An object schema without the fields `names` (the files a form's JSON Schema check leaves out)."""
    kept = dict(schema)
    kept["properties"] = {k: v for k, v in (schema.get("properties") or {}).items() if k not in names}
    if "required" in schema:
        kept["required"] = [name for name in schema.get("required") or () if name not in names]
    return kept


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
