"""From an HTTP response to the documented model or a typed error, for any operation."""

from __future__ import annotations

import importlib
import json
import time
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from raia_runtime import Operation, RawResponse, Reply
from raia_runtime.responses import request_id as sent_request_id

from ._exceptions import APITimeoutError, ResponseValidationError, read_body, status_error_class, summary
from ._lenient import build, closed, describe, forward_compatible
from ._logging import Redactor, logger, one_line
from ._schema import Problem, validator

__all__ = [
    "ACCEPT_ENCODING",
    "MAX_RESPONSE_BYTES",
    "BodyLimit",
    "RawResponse",
    "check_encoding",
    "decoding_error",
    "hide_key",
    "parse",
    "request_id_of",
    "status_error",
    "with_request_id",
]

T = TypeVar("T")
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
_REASON = 2000  # characters of the problems quoted in a ResponseValidationError's message
_SHOWN = 200  # characters of a field name or message in a warning: a server chooses both
"""A response body (decoded) larger than this is refused with ResponseValidationError."""


ACCEPT_ENCODING = "gzip, deflate"
"""What every request accepts: the encodings BodyLimit inflates a bounded piece at a time."""
_READABLE = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})


def check_encoding(response: httpx.Response) -> None:
    """ResponseValidationError for a Content-Encoding the client did not ask for: httpx would inflate
    it a whole network chunk at a time, and two gzip layers make a 1 KB body gigabytes in one chunk.
    (The value is not quoted: a server chooses it.)"""
    if getattr(response, "_content", None) is not None:
        return  # already in memory (a mock transport's answer): nothing is inflated from the network
    if response.headers.get("content-encoding", "").strip().lower() not in _READABLE:
        raise ResponseValidationError(
            f"{response.status_code} response has a Content-Encoding the client did not ask for "
            f"(it accepts {ACCEPT_ENCODING}, one layer)",
            response=response,
            body=None,
        )


class BodyLimit:
    """Bounds one response body: at most `max_bytes`, all of it within `seconds` of the headers.

    httpx's read timeout applies to each read, so a server trickling bytes would otherwise hold a
    call for ever, and an endless body would fill memory.
    """

    __slots__ = ("chunks", "deadline", "decoder", "max_bytes", "raw", "response", "seconds", "size")

    def __init__(self, response: httpx.Response, seconds: float | None, max_bytes: int) -> None:
        self.response, self.seconds, self.max_bytes = response, seconds, max_bytes
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.chunks: list[bytes] = []
        self.size = 0
        self.decoder: Any = None
        # Whether the caller feeds raw (still encoded) bytes: not when the body is already in
        # memory (a mock transport's answer: httpx decoded it) or in an encoding httpx decodes for us.
        self.raw = False
        if getattr(response, "_content", None) is not None:
            return
        check_encoding(response)
        encoding = response.headers.get("content-encoding", "").strip().lower()
        # gzip and deflate are inflated here, a bounded piece at a time, so a small compressed
        # bomb never expands past the limit in memory; httpx inflates each chunk whole.
        if encoding in {"gzip", "x-gzip"}:
            self.decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self.decoder = zlib.decompressobj()
        self.raw = self.decoder is not None or not encoding

    def feed(self, data: bytes, raw: bool = True) -> None:
        """Raw bytes: inflated when needed, in pieces no larger than what the limit still allows."""
        if self.decoder is None or not raw:
            self.add(data)
            return
        while data:
            try:
                out = self.decoder.decompress(data, self.max_bytes - self.size + 1)
            except zlib.error as exc:
                raise self._undecodable(exc) from None
            self.add(out)
            data = self.decoder.unconsumed_tail
            if not out and not data:
                break

    def _undecodable(self, exc: Exception) -> ResponseValidationError:
        return decoding_error(self.response, exc)

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise ResponseValidationError(
                f"{self.response.status_code} response body is larger than {self.max_bytes} bytes",
                response=self.response,
                body=None,
            )
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise APITimeoutError(f"the response body did not arrive within {self.seconds:g} s")
        self.chunks.append(chunk)

    def content(self, raw: bool = True) -> bytes:
        if self.decoder is not None and raw:
            try:
                self.add(self.decoder.flush())
            except zlib.error as exc:
                raise self._undecodable(exc) from None
        content = b"".join(self.chunks)
        # What httpx's own read() leaves behind, so RawResponse users can call .json() and .text.
        self.response._content = content
        return content


def decoding_error(response: httpx.Response, exc: Exception) -> ResponseValidationError:
    return ResponseValidationError(
        f"{response.status_code} response body could not be decoded "
        f"({response.headers.get('content-encoding', 'identity')}): {type(exc).__name__}",
        response=response,
        body=None,
    )


def request_id_of(response: httpx.Response, redact: Redactor) -> str | None:
    """The server's x-request-id as messages and logs may quote it: redacted, then escaped and cut
    (the header may carry any byte above 0x7f: a C1 control, a bidi override, kilobytes)."""
    found = response.headers.get("x-request-id")
    return None if found is None else one_line(redact.text(found), _SHOWN, backslashes=False)


class _Plan:
    """How one documented status parses, kept in the operation's cache: the closed schema's check,
    compiled once, and the model class (imported on the first body that passes)."""

    __slots__ = ("check", "model", "op", "reply")

    def __init__(self, op: Operation[Any], status: int) -> None:
        self.op = op
        self.reply = reply = op.replies.get(status) or op.replies.get(op.success) or Reply(None)
        key = f"closed:{status}"
        schema = reply.schema
        self.check = None if schema is None else op.cache.get(key) or validator(op.cache, key, closed(schema))
        self.model: Any = None

    def build(self, data: Any) -> Any:
        model = self.model
        if model is None:
            if self.reply.model is None:
                return _inline(self.op, self.reply, data) if self.reply.fields else data
            model = self.model = _model(self.op, self.reply.model)
        return [model.from_dict(item) for item in data] if self.reply.many else model.from_dict(data)


def _plan(op: Operation[Any], status: int) -> _Plan:
    plans: dict[int, _Plan] | None = op.cache.get("plans")
    if plans is None:
        plans = op.cache["plans"] = {}
    found = plans.get(status)
    if found is None:
        found = plans[status] = _Plan(op, status)
    return found


def _model(op: Operation[Any], name: str) -> Any:
    key = f"model:{name}"
    found = op.cache.get(key)
    if found is None:
        found = op.cache[key] = getattr(importlib.import_module("raia_agent_api.models"), name)
    return found


def _inline(op: Operation[Any], reply: Reply, data: Any) -> Any:
    """A body whose schema is written inline (a page, say): still a dict, with the properties the
    spec types as models (`reply.fields`) parsed into them, as a model's own properties would be."""
    if not isinstance(data, dict):
        return data
    built = dict(data)
    for name, model_name, many in reply.fields:
        value = built.get(name)
        if value is not None:
            model = _model(op, model_name)
            built[name] = [model.from_dict(item) for item in value] if many else model.from_dict(value)
    return built


def _build(op: Operation[Any], reply: Reply, data: Any) -> Any:
    if reply.model is None:
        return data
    model = _model(op, reply.model)
    return [model.from_dict(item) for item in data] if reply.many else model.from_dict(data)


def parse(
    op: Operation[T], response: httpx.Response, content: bytes, redact: Redactor, *, strict: bool
) -> RawResponse[T]:
    """The documented model; with `strict` False, what a newer spec would explain is kept (see _lenient).

    The request id (read, redacted and escaped) is worked out only for an error: a success's
    RawResponse reads it from its headers when asked."""
    status = response.status_code
    if not 200 <= status < 300:
        raise status_error(op, response, content, redact, request_id_of(response, redact))
    plan = _plan(op, status)
    if plan.reply.kind != "json":
        from ._binary import parse as not_json

        return not_json(op, plan.reply, response, content, redact, strict)
    schema = plan.reply.schema
    if schema is None:
        return RawResponse(response, None)  # type: ignore[arg-type]  # the operation documents no body

    def invalid(reason: str, body: object, problems: Any = None) -> ResponseValidationError:
        request_id = request_id_of(response, redact)
        suffix = f" (request id {request_id})" if request_id else ""
        # the reason quotes the server's field names and values: bounded and escaped for a terminal
        reason = one_line(redact.text(reason), _REASON, backslashes=False)
        return ResponseValidationError(
            redact.text(f"{status} response does not match the spec: {reason}{suffix}"),
            response=hide_key(response, redact),
            body=redact.body(body, content),
            problems=[redact.problem(problem) for problem in problems or ()],
            request_id=request_id,
        )

    media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise invalid(f"content type {media or 'missing'!r}, not JSON", read_body(content))
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:  # also bad UTF-8 and over-long integers
        redact.scrub(exc)  # kept as the cause, but it holds the whole body: the key out of it
        raise invalid(f"body is not JSON ({type(exc).__name__})", read_body(content)) from exc
    parsed = model_of(op, plan, status, data, redact, invalid, strict=strict)
    return RawResponse(response, with_request_id(parsed, response))


def with_request_id(parsed: T, response: httpx.Response) -> T:
    """`parsed` with the response's x-request-id (as sent, None when absent) on its model, or on each
    model of a list, as `_request_id`, like openai-python's models. A body that is no model (a dict,
    a str) is left as it is. One attribute per model: nothing is copied."""
    items: Any = parsed if isinstance(parsed, list) else (parsed,)
    if items and hasattr(type(items[0]), "_request_id"):  # a generated model's attrs slot
        found = sent_request_id(response)
        for item in items:
            item._request_id = found
    return parsed


def model_of(
    op: Operation[Any],
    plan: _Plan,
    status: int,
    data: Any,
    redact: Redactor,
    invalid: Callable[[str, object, Any], ResponseValidationError],
    *,
    strict: bool,
) -> Any:
    """The model for decoded JSON of a documented status (a reply's body, or an event's data); with
    `strict` False, what a newer spec would explain is kept and logged. `invalid` makes the error."""
    schema = plan.reply.schema or {}
    check = plan.check
    problems: list[Problem] = []
    if check is not None and not check.is_valid(data):
        problems = check.problems(data)
        if strict or not (forward_compatible(problems) or _only_undocumented(op, status, schema, data)):
            raise invalid("; ".join(map(str, problems)) or "unexpected body", data, problems)
        for problem in problems:
            where, what = describe(problem, data, schema)
            logger.warning(
                "%s %s -> %s: response field %s: %s (strict_responses=True refuses it)",
                op.method, op.path, status,
                one_line(redact.text(where), _SHOWN), one_line(redact.text(what), _SHOWN),
            )  # fmt: skip
    try:
        if problems:
            return build(data, schema, problems, plan.build)
        return plan.build(data)
    except (KeyError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        # the schema passed (or failed only in ways a newer spec explains), the generated parser did not
        redact.scrub(exc)  # kept as the cause (it points into the generated code), the key out of it
        raise invalid(f"{type(exc).__name__}: {exc}", data, problems or None) from exc


def status_error(
    op: Operation[Any], response: httpx.Response, content: bytes, redact: Redactor, request_id: str | None
) -> Exception:
    body = redact.body(read_body(content), content)  # a server may echo the key in its error
    error = None
    reply = op.replies.get(response.status_code)
    if reply is not None and reply.model is not None:
        check = validator(op.cache, f"reply:{response.status_code}", reply.schema)
        if check is None or check.is_valid(body):
            try:
                error = _build(op, reply, body)
            except (KeyError, ValueError, TypeError, AttributeError, RecursionError):
                error = None
    suffix = f" (request id {request_id})" if request_id else ""
    message = redact.text(f"Error code: {response.status_code} - {summary(body, redact.text)}{suffix}")
    cls = status_error_class(response.status_code)
    return cls(message, response=hide_key(response, redact), body=body, error=error, request_id=request_id)


def hide_key(response: httpx.Response, redact: Redactor) -> httpx.Response:
    """`response` with its head redacted in place: headers (names and values) and reason phrase, any of
    which a server may echo the key in. Its raw `.content` stays as the transport gave it: an error's
    `.body` is the redacted copy."""
    response.headers = redact.http_headers(response.headers)
    reason = response.extensions.get("reason_phrase")
    if isinstance(reason, bytes | bytearray):
        response.extensions = {**response.extensions, "reason_phrase": redact.raw(bytes(reason))}
    return response


def _only_undocumented(op: Operation[Any], status: int, schema: dict[str, Any], data: Any) -> bool:
    """Whether the closed schema's refusal comes from undocumented fields (or new values) alone.

    An extra field inside a nullable nested object (`anyOf: [{$ref}, null]`) surfaces as the anyOf
    failing, not as the field: the documented schema, open to extra fields, then tells."""
    key = f"open:{status}"
    check = op.cache.get(key) or validator(op.cache, key, schema)
    if check is None or check.is_valid(data):
        return True
    return forward_compatible(check.problems(data))
