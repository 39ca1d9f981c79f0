"""Bodies that are not JSON, read whole: a BinaryResponse, a str, or the events of a buffered stream.

The ordinary call reads a binary body within MAX_BINARY_BYTES (a JSON or text body within
_response.MAX_RESPONSE_BYTES); a larger download goes through `with_streaming_response`, which
reads as the caller asks (_client's `_stream`).
"""

from __future__ import annotations

import codecs
from typing import Any

import httpx

from raia_runtime import BinaryResponse, Operation, RawResponse, Reply, Stream

from ._exceptions import ResponseValidationError
from ._logging import Redactor
from ._response import MAX_RESPONSE_BYTES

MAX_BINARY_BYTES = 256 * 1024 * 1024
"""A binary body the ordinary call holds in memory; past it, ResponseValidationError (stream it instead)."""


def max_bytes(op: Operation[Any], status: int) -> int:
    """The bound on the body the ordinary call reads for this status."""
    reply = op.replies.get(status)
    return MAX_BINARY_BYTES if reply is not None and reply.kind == "binary" else MAX_RESPONSE_BYTES


def parse(
    op: Operation[Any], reply: Reply, response: httpx.Response, content: bytes, redact: Redactor, strict: bool
) -> RawResponse[Any]:
    """A success documented as binary, text or events, from its whole body."""
    if reply.kind == "binary":
        return RawResponse(response, BinaryResponse(response, content))
    if reply.kind == "text":
        return RawResponse(response, text(response, content, redact))
    from ._streaming import Decoder, Parser

    decoder, parser = Decoder(op, response, redact, strict=strict), Parser()
    try:
        found = parser.feed(content) + parser.feed(b"", final=True)
    except OverflowError:
        raise decoder.too_large() from None
    return RawResponse(response, Stream(response, iter([decoder.event(f) for f in found]), response.close))


def text(response: httpx.Response, content: bytes, redact: Redactor) -> str:
    """The body decoded per its charset (UTF-8 when it names none); bytes the charset cannot read fail."""
    charset = response.charset_encoding or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        raise _invalid(response, redact, f"unknown charset {charset!r}") from None
    try:
        return content.decode(charset)
    except UnicodeDecodeError as exc:
        redact.scrub(exc)  # it stays the context, and it holds the raw body
        raise _invalid(
            response, redact, f"body is not {charset} ({exc.reason} at byte {exc.start})"
        ) from None


def _invalid(response: httpx.Response, redact: Redactor, reason: str) -> ResponseValidationError:
    return ResponseValidationError(
        redact.text(f"{response.status_code} response does not match the spec: {reason}"),
        response=response,
        body=None,
    )
