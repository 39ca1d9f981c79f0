"""The ASGI app: every operation in the spec, checked in the order the real API (NestJS on Express) does.

Express's JSON parser first (413 over the limit, 400 for unparsable JSON, other content types left
unparsed as `{}`), then the auth guard (403), then validation of path, query and body (400), then
the operation's answer.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import uuid
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import _forms
from ._answers import Body, Events, send_answer
from ._body import (
    NotJSON,
    TooLarge,
    discard,
    discard_bound,
    is_json,
    parse_json,
    read_body,
    unsupported_charset,
)
from ._handlers import handlers
from ._routes import Operation, Param, Scheme, Spec, messages
from ._shapes import error_body
from ._store import DocumentStore

# A refused key where the operation documents no 403: what a NestJS guard answers by default (the
# documented body, built from the spec's defaults and examples, is answered wherever there is one).
FORBIDDEN = {"statusCode": 403, "message": "Forbidden resource", "error": "Forbidden"}
UNAUTHORIZED = {"statusCode": 401, "message": "Unauthorized"}
TOO_LARGE = {"statusCode": 413, "message": "request entity too large", "error": "Payload Too Large"}
UNSUPPORTED = "Unsupported Media Type"
_INTEGER = re.compile(r"[+-]?\d{1,309}")


def new_request_id() -> str:
    return str(uuid.uuid4())


def json_bytes(body: Any) -> bytes:
    # Express's res.json(): compact, UTF-8.
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


async def respond(
    send: Send,
    status: int,
    body: Any,
    *,
    close: bool = False,
    more: bool = False,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    content = b"" if body is None else json_bytes(body)
    # A 204 has no body and, by RFC 9110, no Content-Length either.
    headers = [] if status == 204 else [(b"content-length", str(len(content)).encode())]
    headers += extra or []
    if body is not None:
        headers.append((b"content-type", b"application/json; charset=utf-8"))
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content, "more_body": more})


def bad_request(messages: list[str]) -> dict[str, Any]:
    # NestJS's ValidationPipe shape.
    return {"statusCode": 400, "message": messages, "error": "Bad Request"}


class RequestIdMiddleware:
    """Gives every response an x-request-id, as the real API's gateway does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", new_request_id().encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)


class Api:
    """Routes by method and path template, then checks and answers as the spec documents."""

    def __init__(
        self,
        spec: Spec,
        store: DocumentStore,
        secret_key: str,
        counter: dict[str, int],
        upserts: Counter[tuple[str, ...]],
        body_limit: int,
    ) -> None:
        self.spec, self.counter, self.body_limit = spec, counter, body_limit
        self._key = secret_key.encode()
        self._handlers = handlers(spec, store, upserts)
        self._store = store
        self._refused = {
            id(op): {401: error_body(op, 401, UNAUTHORIZED), 403: error_body(op, 403, FORBIDDEN)}
            for op in spec.operations
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.counter["requests"] += 1
        raw_path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        route = self.spec.route(scope["method"], raw_path.split("?", 1)[0])
        if route is None:
            message = f"Cannot {scope['method']} {scope['path']}"
            return await respond(send, 404, {"message": message, "error": "Not Found", "statusCode": 404})
        op, path = route
        headers = Headers(scope=scope)
        # Express parses a JSON body on every route (express.json() is global), documented or not.
        body: Any = {}
        uploads: list[_forms.Upload] = []
        form_problems: list[str] = []
        form = _forms.kind(headers.get("content-type"), op.form)
        if form is not None:  # multer / express.urlencoded, for an operation that takes a form
            try:
                raw = await read_body(
                    receive, headers.get("content-length"), _forms.limit(form, self.body_limit)
                )
            except TooLarge as exc:
                return await self.refuse_too_large(receive, send, exc, headers)
            if raw is None:
                return
            try:
                body, uploads, form_problems = await _forms.parse(scope, raw, op, _scalar)
            except _forms.BadForm as exc:
                return await respond(send, 400, bad_request([str(exc)]))
        elif is_json(headers.get("content-type")):
            if charset := unsupported_charset(headers.get("content-type")):
                message = f'unsupported charset "{charset}"'
                return await respond(send, 415, {"statusCode": 415, "message": message, "error": UNSUPPORTED})
            try:
                raw = await read_body(receive, headers.get("content-length"), self.body_limit)
            except TooLarge as exc:
                return await self.refuse_too_large(receive, send, exc, headers)
            if raw is None:
                return  # the client left; nobody to answer, nothing worth a log line
            try:
                body = parse_json(raw)
            except NotJSON as exc:
                return await respond(send, 400, bad_request([str(exc)]))
        refused = self.refusal(op, headers, scope.get("query_string", b""))
        if refused is not None:
            return await respond(send, refused, self._refused[id(op)][refused])
        problems, values = self.check_params(op, path, scope.get("query_string", b""), headers)
        if op.body is not None:
            problems += messages(op.body.problems(body))
        if op.form is not None:
            problems += form_problems if form is not None else _forms.missing(op, uploads)
        if problems:
            return await respond(send, 400, bad_request(problems))
        stored = _forms.facts(op, body, uploads) if uploads else body
        status, answer = self._handlers[id(op)](values["path"], values["query"], stored)
        if uploads:
            _forms.keep(self._store, answer, uploads)
        if isinstance(answer, Body | Events):
            return await send_answer(send, status, answer)
        await respond(send, status, answer, extra=op.headers.get(status))

    async def refuse_too_large(self, receive: Receive, send: Send, exc: TooLarge, headers: Headers) -> None:
        """413, then the rest of the body read and dropped (within bounds), then the connection closed."""
        # Refused by its Content-Length before a 100 Continue was sent: the client sends no body.
        waiting = exc.announced is not None and headers.get("expect", "").lower() == "100-continue"
        if waiting or (exc.announced is not None and exc.announced > discard_bound(self.body_limit)):
            return await respond(send, 413, TOO_LARGE, close=True)  # nothing to drain, or too much
        # The answer goes out whole at once (its Content-Length is met) but stays open, so that
        # uvicorn keeps delivering the body to drop; the last, empty part closes the connection.
        await respond(send, 413, TOO_LARGE, close=True, more=True)
        await discard(receive, self.body_limit)
        await send({"type": "http.response.body", "body": b""})

    def refusal(self, op: Operation, headers: Headers, query_string: bytes) -> int | None:
        """None when some alternative of the operation's security is met; else the status refusing it.

        No credential at all is "unauthenticated": 401 where the operation documents it. A wrong one
        is "refused": 403 where documented (a NestJS guard's answer), else 401. Undocumented: 403.
        """
        if not op.auth:
            return None
        query: dict[str, list[str]] = {}
        if any(s is not None and s.kind == "query" for alt in op.auth for s in alt):
            for name, value in parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True):
                query.setdefault(name, []).append(value)
        wrong = False
        for alternative in op.auth:
            found = [self._credential(scheme, headers, query) for scheme in alternative]
            if all(result is True for result in found):
                return None
            wrong = wrong or False in found
        documented = set(op.responses)
        if wrong:
            return 401 if 401 in documented and 403 not in documented else 403
        return 401 if 401 in documented else 403

    def _credential(
        self, scheme: Scheme | None, headers: Headers, query: dict[str, list[str]]
    ) -> bool | None:
        """True: this scheme's credential is the server's key; False: one was sent but is wrong (or
        sent twice: Node joins a repeated header, which then matches nothing); None: none was sent."""
        if scheme is None:
            return None  # a scheme no client can send: never met
        given = query.get(scheme.param, []) if scheme.kind == "query" else headers.getlist(scheme.param)
        if not given:
            return None
        if len(given) != 1:
            return False
        value = given[0]
        if scheme.kind in ("bearer", "basic"):
            kind, _, value = value.partition(" ")
            if kind.lower() != scheme.kind:
                return None  # another scheme's Authorization: not this one's credential
            value = value.strip()
            if scheme.kind == "basic":
                try:
                    user, colon, value = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
                except (binascii.Error, UnicodeDecodeError):
                    return False
                if not (user and colon):
                    return False
        return secrets.compare_digest(value.encode("utf-8", "surrogateescape"), self._key)

    def check_params(
        self, op: Operation, path: dict[str, str], query_string: bytes, headers: Headers
    ) -> tuple[list[str], dict[str, dict[str, Any]]]:
        query: dict[str, list[str]] = {}
        # Percent-escapes and raw bytes alike are read as UTF-8; what is not UTF-8 becomes U+FFFD.
        for name, value in parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True):
            query.setdefault(name, []).append(value)
        problems: list[str] = []
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}}
        for param in op.params:
            given = [path[param.name]] if param.location == "path" and param.name in path else None
            given = query.get(param.name) if param.location == "query" else given
            if param.location == "header" and (repeated := headers.getlist(param.name)):
                given = [", ".join(repeated)]  # Node joins a repeated header into one value
            if not given:
                if param.required:
                    problems.append(f'"{param.name}" is a required {param.location} parameter')
                elif "default" in (schema := param.validator.resolve()):
                    values[param.location][param.name] = schema["default"]
                continue
            value = _coerce(param, given)
            found = messages(param.validator.problems(value), param.name)
            problems += found
            if not found:
                values[param.location][param.name] = value
        return problems, values


def _coerce(param: Param, given: list[str]) -> Any:
    """Query and path values are text; read them as the schema's type, as NestJS's transform does."""
    schema = param.validator.resolve()
    kind = schema.get("type")
    kind = next((t for t in kind if t != "null"), None) if isinstance(kind, list) else kind
    if kind == "array":
        item = param.validator.resolve(schema.get("items", {}))
        return [_scalar(item, value) for value in given]
    values = [_scalar(schema, value) for value in given]
    return values[0] if len(values) == 1 else values


def _scalar(schema: dict[str, Any], text: str) -> Any:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" in kinds and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in kinds:
        try:
            number = float(text)
        except ValueError:
            return text
        if number == number and abs(number) != float("inf") and len(text) <= 330:
            return int(number) if _INTEGER.fullmatch(text) else number
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    return text
