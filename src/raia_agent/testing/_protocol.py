"""uvicorn's h11 protocol with Node's two request clocks and its refusal of ambiguous framing.

uvicorn only times out idle keep-alive connections. Node's HTTP server (under the real API) also
gives a request `headersTimeout` to arrive in full and `requestTimeout` to arrive with its body;
when either runs out it answers 408 (if nothing was answered yet) and closes the connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class StrictConnection(h11.Connection):
    """h11's server side, refusing a request that has both Content-Length and Transfer-Encoding.

    h11 lets Transfer-Encoding win; RFC 9112 section 6.3 says such a message may be an attempt at
    request smuggling and must be treated as an error, the connection closed after answering. The
    error goes to uvicorn as h11's own protocol errors do: it answers 400 with `Connection: close`,
    closes, and reads nothing more from the connection, so a request behind it is never processed.
    """

    def next_event(self) -> Any:
        event = super().next_event()
        if isinstance(event, h11.Request):
            names = {name.lower() for name, _ in event.headers}
            if b"content-length" in names and b"transfer-encoding" in names:
                raise h11.RemoteProtocolError(
                    "both Content-Length and Transfer-Encoding", error_status_hint=400
                )
        return event


_REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class TimedH11Protocol(H11Protocol):
    header_timeout: float = 10.0
    request_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        size = self.config.h11_max_incomplete_event_size
        self.conn = StrictConnection(h11.SERVER, *([] if size is None else [size]))
        self._clock: asyncio.TimerHandle | None = None
        self._waiting_for: object = h11.IDLE

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start(h11.IDLE, self.header_timeout)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        state = self.conn.their_state
        if state is h11.IDLE and self._clock is None and data:
            # The first bytes of a request on a kept-alive connection: its headers' clock starts.
            self._start(h11.IDLE, self.header_timeout)
        elif state is h11.SEND_BODY and self._waiting_for is h11.IDLE:
            self._start(h11.SEND_BODY, self.request_timeout)
        elif state is not h11.IDLE and state is not h11.SEND_BODY:
            self._stop()

    def on_response_complete(self) -> None:
        if self.conn.their_state is not h11.SEND_BODY:
            self._stop()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    def _start(self, waiting_for: object, seconds: float) -> None:
        self._stop()
        self._waiting_for = waiting_for
        self._clock = self.loop.call_later(seconds, self._expired)

    def _stop(self) -> None:
        if self._clock is not None:
            self._clock.cancel()
        self._clock = None
        self._waiting_for = h11.IDLE

    def _expired(self) -> None:
        self._clock = None
        if self.transport.is_closing() or self.conn.their_state is not self._waiting_for:
            return
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            self.transport.write(_REQUEST_TIMEOUT)
        self.transport.close()


def timed_protocol(header_timeout: float, request_timeout: float) -> type[TimedH11Protocol]:
    """The protocol class with these clocks, for uvicorn.Config(http=...)."""
    return type(
        "TimedH11Protocol",
        (TimedH11Protocol,),
        {"header_timeout": header_timeout, "request_timeout": request_timeout},
    )
