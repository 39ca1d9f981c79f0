"""Server-Sent Events: the standard's parsing of a `text/event-stream` body, read as it arrives.

A small parser written here rather than httpx-sse: the client reads raw chunks under its own bounds
(an event's size, the read timeout per event rather than per read) for sync and async alike, and the
standard's rules (CR, LF and CRLF line ends, a CRLF split across chunks, a leading BOM, comments,
multi-line data, an unfinished last event dropped) fit in one class.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from raia_runtime import AsyncStream, Operation, ServerSentEvent, Stream

from ._exceptions import APITimeoutError, ResponseValidationError
from ._logging import Redactor, logger, one_line
from ._response import MAX_RESPONSE_BYTES, hide_key, model_of
from ._response import _plan as plan_for

MAX_EVENT_BYTES = MAX_RESPONSE_BYTES
"""An event (its data and the line being read) larger than this ends the stream with ResponseValidationError."""
_LINES = re.compile(r"\r\n|\r|\n")
_SHOWN = 200
# A reconnection time (ms) longer than this is ignored like any retry that is not a number: 10**18 ms
# is 30 million years, and int() refuses a str of over 4300 digits with a bare ValueError.
_RETRY_DIGITS = 18


class Parser:
    """Decoded text in, finished events out (event, data, id, retry), per the HTML standard's rules."""

    def __init__(self, max_bytes: int = MAX_EVENT_BYTES) -> None:
        self.max_bytes = max_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._started = False
        self._line: list[str] = []  # the unfinished line's pieces: each chunk's text is split once
        self._line_size = 0
        self._after_cr = False
        self._data: list[str] = []
        self._size = 0
        self._event = ""
        self.last_id: str | None = None
        self.retry: int | None = None

    def feed(self, chunk: bytes, final: bool = False) -> list[tuple[str, str, str | None, int | None]]:
        text = self._decoder.decode(chunk, final)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._after_cr and text.startswith("\n"):
            text = text[1:]  # the LF of a CRLF the previous chunk split
        if text:
            self._after_cr = text.endswith("\r")
        # Only the new text is split: splitting the unfinished line again with each chunk would make
        # a server's endless line (no line end, in small chunks) cost time quadratic in its length.
        lines = _LINES.split(text)
        last = lines.pop()
        if lines:
            lines[0] = "".join([*self._line, lines[0]])
            self._line, self._line_size = [], 0
        if last:
            self._line.append(last)
            self._line_size += len(last)
        if self._line_size + self._size > self.max_bytes:
            raise OverflowError
        return [event for line in lines if (event := self._take(line)) is not None]

    def _take(self, line: str) -> tuple[str, str, str | None, int | None] | None:
        if not line:
            data, event = self._data, self._event or "message"
            self._data, self._event, self._size = [], "", 0
            return (event, "\n".join(data), self.last_id, self.retry) if data else None
        if line.startswith(":"):
            return None  # a comment (servers send them to keep the connection open)
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
            self._size += len(value) + 1
            if self._size > self.max_bytes:
                raise OverflowError
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self.last_id = value or None
        elif name == "retry" and value.isascii() and value.isdigit() and len(value) <= _RETRY_DIGITS:
            self.retry = int(value)
        return None


class Decoder:
    """Builds events for one operation's stream: `.json()` checked against the spec's event schema."""

    def __init__(
        self, op: Operation[Any], response: httpx.Response, redact: Redactor, *, strict: bool
    ) -> None:
        self.op, self.response, self.redact, self.strict = op, response, redact, strict
        self.plan = plan_for(op, response.status_code)

    def invalid(self, reason: str, body: object = None, problems: Any = None) -> ResponseValidationError:
        """The error, with the key hidden as in a JSON reply's: it is raised by `.json()` or mid-stream,
        after the call returned, so the client's own marking of its errors never sees it."""
        reason = one_line(self.redact.text(reason), _SHOWN * 10, backslashes=False)
        error = ResponseValidationError(
            self.redact.text(f"{self.response.status_code} event stream does not match the spec: {reason}"),
            response=hide_key(self.response, self.redact),
            body=self.redact.body(body, body.encode() if isinstance(body, str) else b""),
            problems=None if problems is None else [self.redact.problem(problem) for problem in problems],
        )
        error.__dict__["_redactor"] = self.redact  # so that its pickle hides the key too
        return error

    def decode(self, data: str) -> Any:
        """The data as JSON, checked and built like a JSON reply's body (strict_responses alike)."""
        try:
            value = json.loads(data)
        except (ValueError, RecursionError) as exc:
            self.redact.scrub(exc)  # it stays the context, and it holds the raw data
            raise self.invalid(f"event data is not JSON ({type(exc).__name__})", data) from None
        if self.plan.reply.schema is None:
            return value
        status = self.response.status_code
        return model_of(self.op, self.plan, status, value, self.redact, self.invalid, strict=self.strict)

    def event(self, fields: tuple[str, str, str | None, int | None]) -> ServerSentEvent[Any]:
        name, data, event_id, retry = fields
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s event %s: %s",
                self.op.method, self.op.path,
                one_line(self.redact.text(name), _SHOWN), one_line(self.redact.text(data), _SHOWN),
            )  # fmt: skip
        return ServerSentEvent(name, data, event_id, retry, decode=self.decode)

    def too_large(self) -> ResponseValidationError:
        return self.invalid(f"an event is larger than {MAX_EVENT_BYTES} bytes")


def sync_stream(
    op: Operation[Any],
    response: httpx.Response,
    redact: Redactor,
    seconds: float | None,
    fail: Callable[[Exception], Exception],
    strict: bool,
) -> Stream[ServerSentEvent[Any]]:
    """The events of an open response; each must complete within `seconds` of the one before."""
    decoder = Decoder(op, response, redact, strict=strict)

    def events() -> Iterator[ServerSentEvent[Any]]:
        parser = Parser()
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            for chunk in response.iter_bytes():
                try:
                    found = parser.feed(chunk)
                except OverflowError:
                    raise decoder.too_large() from None
                for fields in found:
                    yield decoder.event(fields)
                if found and seconds is not None:
                    deadline = time.monotonic() + seconds
                elif deadline is not None and time.monotonic() > deadline:
                    raise APITimeoutError(f"no event arrived within {seconds:g} s")
            parser.feed(b"", final=True)  # an unfinished last event is dropped, as the standard says
        except httpx.TimeoutException:
            raise APITimeoutError(f"no event arrived within {seconds:g} s") from None
        except (httpx.TransportError, httpx.DecodingError, RuntimeError) as exc:
            raise fail(exc) from exc

    return Stream(response, events(), response.close)


def async_stream(
    op: Operation[Any],
    response: httpx.Response,
    redact: Redactor,
    seconds: float | None,
    fail: Callable[[Exception], Exception],
    strict: bool,
) -> AsyncStream[ServerSentEvent[Any]]:
    """The events of an open response for `async for`; each must complete within `seconds`."""
    decoder = Decoder(op, response, redact, strict=strict)

    async def chunks() -> AsyncGenerator[list[ServerSentEvent[Any]]]:
        parser = Parser()
        try:
            async for chunk in response.aiter_bytes():
                try:
                    found = parser.feed(chunk)
                except OverflowError:
                    raise decoder.too_large() from None
                yield [decoder.event(fields) for fields in found]
        except httpx.TimeoutException:
            raise APITimeoutError(f"no event arrived within {seconds:g} s") from None
        except (httpx.TransportError, httpx.DecodingError, RuntimeError) as exc:
            raise fail(exc) from exc

    async def events() -> AsyncIterator[ServerSentEvent[Any]]:
        source = chunks()
        try:
            while True:
                try:
                    found = await _within(seconds, source.__anext__)
                except StopAsyncIteration:
                    return
                for event in found:
                    yield event
        finally:
            await source.aclose()

    return AsyncStream(response, events(), response.aclose)


async def _within(seconds: float | None, step: Callable[[], Any]) -> Any:
    """Chunks until the next event, bounded by the read timeout (asyncio's or anyio's, as _client does)."""
    if seconds is None:
        return await step()
    import sniffio

    try:
        if sniffio.current_async_library() == "asyncio":
            import asyncio

            async with asyncio.timeout(seconds):
                while not (found := await step()):
                    pass
                return found
        import anyio

        with anyio.fail_after(seconds):
            while not (found := await step()):
                pass
            return found
    except TimeoutError:
        raise APITimeoutError(f"no event arrived within {seconds:g} s") from None


def is_events(op: Operation[Any], response: httpx.Response) -> bool:
    """Whether a success is documented as an event stream: read as it arrives, never buffered."""
    reply = op.replies.get(response.status_code)
    return reply is not None and reply.kind == "events" and 200 <= response.status_code < 300
