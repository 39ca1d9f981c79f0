"""Which media type a request body is sent as, and which of a form's fields are files.

One rule for the generator, the test server and `make diff`: JSON when the operation offers it (so
an operation that also takes a form keeps JSON calls), else multipart/form-data, else a urlencoded
form; anything else is refused by name. A file field is `type: string, format: binary` (OpenAPI
3.0) or a string with `contentMediaType` and no `contentEncoding` (3.1: raw bytes, not base64).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

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
