"""An access log: one line per request with its method, path, status, milliseconds and request id.

Headers and the query are never written, so neither the key nor a wrong key a client sent there
reaches the log; the server's own key is also hidden where a client put it in the path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._logging import Redactor

AccessLogWriter = Callable[[str], None]


class AccessLog:
    """Outermost ASGI layer, so injected faults are logged too (a dropped connection as status "-")."""

    def __init__(self, app: ASGIApp, write: AccessLogWriter, secret_key: str = "") -> None:
        self.app, self.write = app, write
        self._redact = Redactor(secret_key, ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        exchange = _Exchange(send)
        start = time.perf_counter()
        try:
            await self.app(scope, receive, exchange.send)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            status = "-" if exchange.status is None else str(exchange.status)
            path = _path(scope, self._redact)
            self.write(f"{scope['method']} {path} {status} {elapsed:.1f}ms {exchange.request_id}")


class _Exchange:
    """Records what is sent. Its `transport` is the connection's, as on uvicorn's own `send`, so the
    drop fault further in can still close the connection."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.transport: Any = getattr(getattr(send, "__self__", None), "transport", None)
        self.status: int | None = None
        self.request_id = "-"

    async def send(self, message: Message) -> None:
        closed = self.transport is not None and self.transport.is_closing()
        if message["type"] == "http.response.start" and not closed:
            self.status = int(message["status"])
            for name, value in message.get("headers", []):
                if name.lower() == b"x-request-id":
                    self.request_id = _printable(value.decode("latin-1"))
        await self._send(message)


def _path(scope: Scope, redact: Redactor) -> str:
    # The path as sent (percent-escapes kept), without its query; text from a client is data, so
    # anything that could steer a terminal is escaped.
    raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    path = raw.decode("latin-1").split("?", 1)[0]
    # A key may be percent-encoded in as many ways as a client likes: looked for in the decoded
    # path too, and where it is found there, that (redacted) path is the one shown.
    decoded = unquote(path)
    hidden = redact.text(decoded)
    return _printable(hidden if hidden != decoded else redact.text(path))


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode() for c in text)
