"""What the generated methods return for a response that is not JSON.

Only the shapes callers hold (a binary body, a text decoded elsewhere, a stream of Server-Sent Events,
a response still being read) live here, so the generated annotations can name them; reading the
network, parsing events and bounding both is the hand-written client's (raia_agent._binary and
raia_agent._streaming), which builds these objects.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Generic, Self, TypeVar

import httpx

from raia_runtime.responses import ResponseHead, request_id

T = TypeVar("T")
_CHUNK = 64 * 1024


@contextlib.contextmanager
def _replacing(file: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A file to write that takes `file`'s place only once whole: a download that fails midway leaves
    what was there before, never a truncated copy. A device or FIFO (not a regular file) is written
    directly, since replacing it would swap the device for a file."""
    # Through a link, the file it names is what gets replaced, as open() would write it.
    target = Path(os.path.realpath(file))
    try:
        mode: int | None = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with target.open("wb") as direct:
            yield direct
        return
    # A sibling, so that os.replace stays on one filesystem; O_EXCL, so that nothing already there is reused.
    part = target.with_name(f".{target.name[:200]}.{secrets.token_hex(6)}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(part, flags, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as out:
            yield out
        if mode is not None:
            os.chmod(part, stat.S_IMODE(mode))
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise


class BinaryResponse(ResponseHead):
    """A binary body, read whole (within the client's size bound): `.content`, `.iter_bytes()`, `.write_to_file()`.

    For a body too large to hold in memory, call the method through `with_streaming_response`.
    """

    def __init__(self, http_response: httpx.Response, content: bytes) -> None:
        self.http_response = http_response
        self.content = content

    def __repr__(self) -> str:
        return f"<BinaryResponse {self.status_code} {self.headers.get('content-type', '')!r} {len(self.content)} bytes>"

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        size = chunk_size or _CHUNK
        for start in range(0, len(self.content), size):
            yield self.content[start : start + size]

    def write_to_file(self, file: str | os.PathLike[str]) -> None:
        with _replacing(file) as out:
            out.write(self.content)


@dataclass(frozen=True, slots=True)
class ServerSentEvent(Generic[T]):
    """One Server-Sent Event: its `event` name ("message" when the server gave none), `data`, `id` and `retry`.

    `.json()` is the data parsed as JSON and, when the spec documents the events' schema, checked
    against it and built into the generated model.
    """

    event: str
    data: str
    id: str | None = None
    retry: int | None = None
    decode: Callable[[str], T] = field(kw_only=True, repr=False, compare=False)

    def json(self) -> T:
        return self.decode(self.data)


class Stream(Generic[T]):
    """The events of a `text/event-stream` response, yielded as they arrive.

    Leaving the loop early (break, an exception) or the `with` block closes the connection.
    """

    def __init__(self, http_response: httpx.Response, events: Iterator[T], close: Callable[[], None]) -> None:
        self.response = http_response
        self._events = events
        self._close = close

    @property
    def _request_id(self) -> str | None:
        """The response's x-request-id, as on a model a call returns."""
        return request_id(self.response)

    def __iter__(self) -> Iterator[T]:
        try:
            yield from self._events
        finally:
            self.close()

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncStream(Generic[T]):
    """The events of a `text/event-stream` response, for `async for`; see Stream."""

    def __init__(
        self, http_response: httpx.Response, events: AsyncIterator[T], close: Callable[[], Any]
    ) -> None:
        self.response = http_response
        self._events = events
        self._close = close

    @property
    def _request_id(self) -> str | None:
        """The response's x-request-id, as on a model a call returns."""
        return request_id(self.response)

    async def __aiter__(self) -> AsyncIterator[T]:
        try:
            async for event in self._events:
                yield event
        finally:
            await self.close()

    async def close(self) -> None:
        await self._close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


class StreamedResponse(ResponseHead, Generic[T]):
    """A response whose body is read as the caller asks (`with_streaming_response`): never buffered whole
    by `.iter_bytes()` or `.write_to_file()`; `.parse()` reads it (bounded) as the ordinary call would."""

    def __init__(
        self, http_response: httpx.Response, chunks: Callable[[], Iterator[bytes]], parse: Callable[[], T]
    ) -> None:
        self.http_response = http_response
        self._chunks = chunks
        self._parse = parse

    def iter_bytes(self) -> Iterator[bytes]:
        yield from self._chunks()

    def write_to_file(self, file: str | os.PathLike[str]) -> None:
        with _replacing(file) as out:
            for chunk in self._chunks():
                out.write(chunk)

    def parse(self) -> T:
        return self._parse()


class AsyncStreamedResponse(ResponseHead, Generic[T]):
    """StreamedResponse for AsyncRaia: `async for chunk in response.iter_bytes()`, `await response.parse()`."""

    def __init__(
        self,
        http_response: httpx.Response,
        chunks: Callable[[], AsyncIterator[bytes]],
        parse: Callable[[], Any],
    ) -> None:
        self.http_response = http_response
        self._chunks = chunks
        self._parse = parse

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks():
            yield chunk

    async def write_to_file(self, file: str | os.PathLike[str]) -> None:
        # a local file's writes are short; the network reads between them are what is awaited
        with _replacing(file) as out:
            async for chunk in self._chunks():
                out.write(chunk)

    async def parse(self) -> T:
        parsed: T = await self._parse()
        return parsed
