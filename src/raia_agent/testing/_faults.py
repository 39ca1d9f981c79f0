"""Injected faults: what the next requests suffer before the API sees them."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import dataclass
from typing import Any, Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from ._app import json_bytes
from ._routes import Spec
from ._shapes import error_body

FaultKind = Literal["500", "429", "502", "slow", "drop"]
FAULT_KINDS: tuple[FaultKind, ...] = ("500", "429", "502", "slow", "drop")

NEST_500 = {"statusCode": 500, "message": "Internal server error"}
"""NestJS's own 500 body, for a route the spec does not have or an operation documenting no 500 body."""
PROXY_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class Fault:
    """One misbehaviour: `kind`, with the `Retry-After` value (429) or the delay in seconds (slow)."""

    kind: FaultKind
    retry_after: str = "1"
    delay: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {self.kind!r}")


class FaultPlan:
    """Thread-safe schedule: a queue for the next N requests, then an optional random fraction."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self._fraction = 0.0
        self._fraction_fault: Fault | None = None
        self._random = random.Random(seed)
        self.injected = 0
        self.seen = 0

    def next(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queue.extend([fault] * times)

    def fraction(self, fault: Fault, fraction: float) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must be between 0 and 1")
        with self._lock:
            self._fraction, self._fraction_fault = fraction, fault

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._fraction, self._fraction_fault = 0.0, None

    def draw(self) -> Fault | None:
        with self._lock:
            self.seen += 1
            if self._queue:
                fault: Fault | None = self._queue.pop(0)
            elif self._fraction_fault and self._random.random() < self._fraction:
                fault = self._fraction_fault
            else:
                return None
            self.injected += 1
            return fault


class FaultMiddleware:
    """Outermost ASGI layer, so a fault looks like the network or a proxy failing, not the API."""

    def __init__(self, app: ASGIApp, plan: FaultPlan, request_id: Any, spec: Spec) -> None:
        self.app, self.plan, self.request_id, self.spec = app, plan, request_id, spec
        # Each operation's documented 500 body (its schema's defaults are the vendor's values).
        self._500 = {id(op): json_bytes(error_body(op, 500, NEST_500)) for op in spec.operations}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = self.plan.draw() if scope["type"] == "http" else None
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            await self.app(scope, receive, send)
        elif fault.kind == "drop":
            await _drop(receive, send)
        elif fault.kind == "500":
            raw_path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
            route = self.spec.route(scope["method"], raw_path.split("?", 1)[0])
            body = self._500[id(route[0])] if route else json_bytes(NEST_500)
            await _respond(send, 500, body, b"application/json; charset=utf-8", self.request_id())
        elif fault.kind == "429":
            body = json.dumps(
                {"statusCode": 429, "message": "ThrottlerException: Too Many Requests"}
            ).encode()
            await _respond(
                send,
                429,
                body,
                b"application/json; charset=utf-8",
                self.request_id(),
                [(b"retry-after", fault.retry_after.encode())],
            )
        else:
            await _respond(send, 502, PROXY_502, b"text/html", self.request_id())


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    request_id: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop(receive: Receive, send: Send) -> None:
    # uvicorn hands the app its connection's `send`, whose transport we close before any byte of a
    # response. The request is read to its end first: closing a socket whose kernel buffer still
    # holds unread bytes sends a reset (RST) instead of a FIN, and a client that reads the reset
    # sees "connection reset" rather than "closed without a response", depending on timing. With
    # the whole request consumed (and the client sending nothing more before it reads an answer),
    # the close is always a FIN.
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("dropping a connection needs uvicorn's h11 or httptools protocol")
    while (message := await receive())["type"] == "http.request" and message.get("more_body", False):
        pass
    transport.close()
    # Once uvicorn has seen the connection go, it ignores what is sent; sending something keeps it
    # from logging "returned without starting response" for a drop we caused on purpose.
    for _ in range(3):
        await asyncio.sleep(0)
    await send({"type": "http.response.start", "status": 500, "headers": []})
    await send({"type": "http.response.body", "body": b""})
