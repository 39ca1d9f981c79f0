"""A success whose body the caller reads as it arrives: an event stream, or `with_streaming_response`.

Raia and AsyncRaia hand an open response here once its status is known, so retries (which happen
only while no body byte has been handed over) are over; from then on, failures reach the caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from raia_runtime import (
    AsyncStream,
    AsyncStreamedResponse,
    Body,
    Headers,
    NotGiven,
    Operation,
    Query,
    RawResponse,
    Stream,
    StreamedResponse,
    TimeoutTypes,
)

from ._base_client import Extras
from ._exceptions import RaiaError
from ._response import decoding_error
from ._streaming import async_stream, is_events, sync_stream

if TYPE_CHECKING:
    from ._client import AsyncRaia, Raia
    from ._options import Options


def sync(
    client: Raia, op: Operation[Any], response: httpx.Response, options: Options, streamed: bool
) -> RawResponse[Any]:
    seconds = options.timeout.read
    if not streamed:
        return RawResponse(
            response,
            sync_stream(op, response, client._redact, seconds, client._send_error, options.strict_responses),
        )

    def chunks() -> Iterator[bytes]:
        try:
            yield from response.iter_bytes()
        except httpx.DecodingError as exc:
            raise decoding_error(response, exc) from None
        except (httpx.TransportError, RuntimeError) as exc:
            raise client._send_error(exc) from exc

    def parse() -> Any:
        if is_events(op, response):
            return sync_stream(
                op, response, client._redact, seconds, client._send_error, options.strict_responses
            )
        limit = client._limit(response, options, op)
        for chunk in chunks():
            limit.feed(chunk, raw=False)
        return client._finish(op, response, limit.content(raw=False), options).parsed

    return RawResponse(response, StreamedResponse(response, chunks, parse))


def asynchronous(
    client: AsyncRaia, op: Operation[Any], response: httpx.Response, options: Options, streamed: bool
) -> RawResponse[Any]:
    seconds = options.timeout.read
    if not streamed:
        return RawResponse(
            response,
            async_stream(op, response, client._redact, seconds, client._send_error, options.strict_responses),
        )

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        except httpx.DecodingError as exc:
            raise decoding_error(response, exc) from None
        except (httpx.TransportError, RuntimeError) as exc:
            raise client._send_error(exc) from exc

    async def parse() -> Any:
        if is_events(op, response):
            return async_stream(
                op, response, client._redact, seconds, client._send_error, options.strict_responses
            )
        limit = client._limit(response, options, op)
        async for chunk in chunks():
            limit.feed(chunk, raw=False)
        return client._finish(op, response, limit.content(raw=False), options).parsed

    return RawResponse(response, AsyncStreamedResponse(response, chunks, parse))


class _SyncCaller(Protocol):
    def _per_call(self, timeout: TimeoutTypes | NotGiven, max_retries: int | None) -> Options: ...
    def _mark(self, exc: RaiaError) -> None: ...
    def _call(
        self,
        operation: Operation[Any],
        args: dict[str, Any],
        options: Options,
        extras: Extras | None,
        streamed: bool = False,
    ) -> RawResponse[Any]: ...


class _AsyncCaller(Protocol):
    def _per_call(self, timeout: TimeoutTypes | NotGiven, max_retries: int | None) -> Options: ...
    def _mark(self, exc: RaiaError) -> None: ...
    async def _call(
        self,
        operation: Operation[Any],
        args: dict[str, Any],
        options: Options,
        extras: Extras | None,
        streamed: bool = False,
    ) -> RawResponse[Any]: ...


class SyncMedia:
    """Raia's calls for an event stream and for `with_streaming_response` (see _surface's SyncClient)."""

    def _events(
        self: _SyncCaller,
        operation: Operation[Any],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RawResponse[Stream[Any]]:
        extras = Extras.of(extra_headers, extra_query, extra_body)
        try:
            return self._call(operation, args, self._per_call(timeout, max_retries), extras)
        except RaiaError as exc:
            self._mark(exc)
            raise

    @contextmanager
    def _stream(
        self: _SyncCaller,
        operation: Operation[Any],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> Iterator[StreamedResponse[Any]]:
        extras = Extras.of(extra_headers, extra_query, extra_body)
        try:
            raw = self._call(operation, args, self._per_call(timeout, max_retries), extras, streamed=True)
        except RaiaError as exc:
            self._mark(exc)
            raise
        try:
            yield raw.parsed
        finally:
            raw.http_response.close()


class AsyncMedia:
    """AsyncRaia's calls for an event stream and for `with_streaming_response`."""

    async def _events(
        self: _AsyncCaller,
        operation: Operation[Any],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RawResponse[AsyncStream[Any]]:
        extras = Extras.of(extra_headers, extra_query, extra_body)
        try:
            return await self._call(operation, args, self._per_call(timeout, max_retries), extras)
        except RaiaError as exc:
            self._mark(exc)
            raise

    @asynccontextmanager
    async def _stream(
        self: _AsyncCaller,
        operation: Operation[Any],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> AsyncIterator[AsyncStreamedResponse[Any]]:
        extras = Extras.of(extra_headers, extra_query, extra_body)
        try:
            raw = await self._call(
                operation, args, self._per_call(timeout, max_retries), extras, streamed=True
            )
        except RaiaError as exc:
            self._mark(exc)
            raise
        try:
            yield raw.parsed
        finally:
            await raw.http_response.aclose()
