"""Form bodies, read as the real API's parsers do (multer for multipart/form-data, Express's urlencoded).

Fields arrive as text and are read as their schema's type (as query parameters are), then checked
against the spec like a JSON body; files are kept aside with their name, content type and bytes.
What the handler stores for an upload is the fields plus the file's facts under the names the
success schema gives them (a `fileName`, a `size`, a `contentType`), so the answer carries the real
ones; the bytes go to the store's file table under the answer's id, for a later download.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from python_multipart.exceptions import FormParserError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Scope

from ._routes import Form, Operation
from ._store import DocumentStore, StoredFile

UPLOAD_LIMIT = 64 * 1024**2
"""The largest multipart body the server reads (files included); a urlencoded form keeps the body limit."""
MAX_FIELDS = 1000
MAX_FILES = 16
MULTIPART = "multipart/form-data"
# The success schema's property names (lower case, without "_" and "-") that receive each fact of a file.
_FACTS = {
    "name": ("filename", "originalname", "name"),
    "size": ("size", "filesize", "bytes", "length"),
    "type": ("contenttype", "mimetype", "mediatype"),
}


class BadForm(ValueError):
    """The body is not the form its Content-Type says; the message says why."""


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the server keeps it."""

    field: str
    filename: str
    content_type: str
    content: bytes


def kind(content_type: str | None, form: Form | None) -> str | None:
    """The form media type of a request for this operation, or None when it is not the form it takes."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media if form is not None and media == form.media else None


def limit(media: str, body_limit: int) -> int:
    return max(body_limit, UPLOAD_LIMIT) if media == MULTIPART else body_limit


async def parse(
    scope: Scope, raw: bytes, op: Operation, scalar: Callable[[dict[str, Any], str], Any]
) -> tuple[dict[str, Any], list[Upload], list[str]]:
    """(fields read as their types, files, problems) from a whole form body already read."""
    assert op.form is not None and op.body is not None
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    try:
        form = await Request(scope, replay).form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
    except (MultiPartException, FormParserError, ValueError) as exc:  # a 400, never a 500
        raise BadForm(f"Malformed form body ({type(exc).__name__})") from None
    try:
        schema = op.body.resolve()
        properties = schema.get("properties") or {}
        fields: dict[str, Any] = {}
        uploads: list[Upload] = []
        problems: list[str] = []
        for name in dict.fromkeys(form.keys()):
            values = form.getlist(name)
            if name in op.form.files:
                for value in values:
                    if not isinstance(value, UploadFile):
                        problems.append(f'"{name}" must be a file')
                        continue
                    data = await value.read()
                    ctype = value.content_type or "application/octet-stream"
                    uploads.append(Upload(name, value.filename or "", ctype, data))
                continue
            texts = [v for v in values if isinstance(v, str)]
            if len(texts) != len(values):
                problems.append(f'"{name}" must not be a file')
                continue
            fields[name] = _typed(op.body.resolve(properties.get(name, {})), texts, scalar, op)
        return fields, uploads, problems + missing(op, uploads)
    finally:
        await form.close()


def missing(op: Operation, uploads: list[Upload]) -> list[str]:
    """The 400 lines for the operation's required files the request did not send."""
    given = {upload.field for upload in uploads}
    required = op.form.required_files if op.form is not None else ()
    return [f'"{name}" is a required file' for name in required if name not in given]


def keep(store: DocumentStore, answer: Any, uploads: list[Upload]) -> None:
    """Store the uploads under the id the upload answered (a fresh one when it answers none)."""
    found = answer.get("id") if isinstance(answer, dict) else None
    owner = str(found) if found is not None else str(uuid.uuid4())
    for upload in uploads:
        store.put_file(StoredFile(owner, upload.field, upload.filename, upload.content_type, upload.content))


def _typed(
    schema: dict[str, Any], texts: list[str], scalar: Callable[[dict[str, Any], str], Any], op: Operation
) -> Any:
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "array" in kinds:
        assert op.body is not None
        item = op.body.resolve(schema.get("items") or {})
        return [_one(item, text, scalar) for text in texts]
    return _one(schema, texts[-1], scalar)  # a repeated scalar field: the last one wins, as in qs


def _one(schema: dict[str, Any], text: str, scalar: Callable[[dict[str, Any], str], Any]) -> Any:
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if ("object" in kinds or "array" in kinds) and text[:1] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            return text
    if "null" in kinds and text == "null":
        return None
    return scalar(schema, text)


def facts(op: Operation, fields: dict[str, Any], uploads: list[Upload]) -> dict[str, Any]:
    """The document to store: the fields, and the (first) file's facts where the success schema has
    a place for them and the request did not set that field itself."""
    schema = op.success_schema
    if not uploads or schema is None:
        return fields
    upload = uploads[0]
    known = {"name": upload.filename, "size": len(upload.content), "type": upload.content_type}
    out = dict(fields)
    for name in schema.resolve().get("properties") or {}:
        key = re.sub(r"[_\-]", "", str(name)).lower()
        for fact, names in _FACTS.items():
            if key in names and name not in out:
                out[name] = known[fact]
    return out
