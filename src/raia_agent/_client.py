"""Raia and AsyncRaia: the I/O of one request path, sync and async, around one connection pool."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, Unpack, cast

import httpx
from raia_agent_api.resources import AsyncResources, SyncResources
from raia_agent_api.resources._operations import ClientOptions

from raia_runtime import (
    NOT_GIVEN,
    Body,
    Headers,
    NotGiven,
    Operation,
    Query,
    RawResponse,
    TimeoutTypes,
)

from . import _deadline, _opened
from ._base_client import BaseClient, Extras, Outgoing
from ._exceptions import APIError, APITimeoutError, RaiaError, ResponseValidationError
from ._httpx2 import AsyncSender, Sender
from ._logging import configure_from_env
from ._options import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, Options
from ._response import check_encoding, decoding_error
from ._retry import retrying
from ._streaming import is_events
from ._validation import Prepared

if TYPE_CHECKING:  # an optional dependency: only named in signatures
    import httpx2

T = TypeVar("T")
configure_from_env()


def _given(secret_key: str | None, options: ClientOptions) -> dict[str, Any]:
    """The spec's options the caller gave (secret_key is a parameter of its own, for old callers)."""
    given: dict[str, Any] = dict(options)
    if secret_key is not None:
        given["secret_key"] = secret_key
    return given


class Raia(SyncResources, _opened.SyncMedia, BaseClient):
    """Client for the raia AI Agent API.

    Each credential the spec declares is an option (`secret_key`, and those in ClientOptions such as
    a bearer token), else read from RAIA_AGENT_<OPTION>; each call sends what its operation needs.
    The base URL comes from `base_url`, RAIA_AGENT_BASE_URL, or the spec's server with its variables
    (options too, e.g. a region). Use it as a context manager or call close().
    """

    _http_type = httpx.Client

    @property
    def _http(self) -> httpx.Client | Sender:
        return cast(httpx.Client | Sender, self._pool.live(type(self).__name__))

    def __init__(
        self,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | httpx2.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
        *,
        strict_responses: bool | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        given = _given(secret_key, options)
        super().__init__(
            given,
            base_url,
            timeout,
            max_retries,
            default_headers,
            http_client,
            strict_responses=strict_responses,
        )
        self._own_pool(http_client)

    def with_options(
        self,
        *,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        strict_responses: bool | None = None,
        **options: Unpack[ClientOptions],
    ) -> Self:
        """A copy with other options (default_headers merged into this client's), sharing its pool."""
        return self._copy(
            spec_options=_given(secret_key, options),
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            strict_responses=strict_responses,
        )

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _request(
        self,
        operation: Operation[T],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RawResponse[T]:
        extras = Extras.of(extra_headers, extra_query, extra_body)
        try:
            return self._call(operation, args, self._per_call(timeout, max_retries), extras)
        except RaiaError as exc:
            self._mark(exc)
            raise

    def _call(
        self,
        operation: Operation[T],
        args: dict[str, Any],
        options: Options,
        extras: Extras | None,
        streamed: bool = False,
    ) -> RawResponse[T]:
        http = self._http
        request = self._build(http, operation, args, options, extras)
        try:
            return self._attempt(http, operation, request, options, streamed)
        except APIError as exc:
            if options.max_retries == 0:
                raise
            pending: APIError | None = exc
        # The first attempt runs outside stamina to keep the common case free of its overhead;
        # its failure is replayed as stamina's first attempt so that stamina owns all waiting.
        for attempt in retrying(options.max_retries, self._retry_hook(operation, options.max_retries)):
            with attempt:
                if pending is not None:
                    failed, pending = pending, None
                    raise failed
                return self._attempt(http, operation, request, options, streamed)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    def _attempt(
        self,
        http: httpx.Client | Sender,
        operation: Operation[T],
        request: Outgoing,
        options: Options,
        streamed: bool = False,
    ) -> RawResponse[T]:
        self._log_request(request)
        # The whole response, head included, within the read timeout, as AsyncRaia's (see _deadline);
        # an event stream or a streamed body is then read at the caller's pace, per read.
        clock = _deadline.start(options.timeout.read)
        try:
            try:
                response = http.send(request, stream=True, follow_redirects=False)
            except (httpx.TransportError, RuntimeError) as exc:
                raise self._send_error(exc) from exc
            self._received(response)
            if 200 <= response.status_code < 300 and (streamed or is_events(operation, response)):
                try:
                    check_encoding(response)
                except ResponseValidationError:
                    response.close()
                    raise
                return _opened.sync(self, operation, response, options, streamed)
            return self._read_whole(operation, response, options)
        finally:
            _deadline.stop(clock)

    def _read_whole(
        self, operation: Operation[T], response: httpx.Response, options: Options
    ) -> RawResponse[T]:
        try:
            limit = self._limit(response, options, operation)
            raw = limit.raw
            for chunk in response.iter_raw() if raw else response.iter_bytes():
                limit.feed(chunk, raw)
            content = limit.content(raw)
        except httpx.DecodingError as exc:
            raise decoding_error(response, exc) from None
        except (httpx.TransportError, RuntimeError) as exc:
            raise self._send_error(exc) from exc
        finally:
            response.close()
        return self._finish(operation, response, content, options)


class AsyncRaia(AsyncResources, _opened.AsyncMedia, BaseClient):
    """Async client for the raia AI Agent API; one instance serves many concurrent calls.

    Configured like Raia; use `async with` or await aclose().
    """

    _http_type = httpx.AsyncClient

    @property
    def _http(self) -> httpx.AsyncClient | AsyncSender:
        return cast(httpx.AsyncClient | AsyncSender, self._pool.live(type(self).__name__))

    def __init__(
        self,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | httpx2.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        *,
        strict_responses: bool | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        given = _given(secret_key, options)
        super().__init__(
            given,
            base_url,
            timeout,
            max_retries,
            default_headers,
            http_client,
            strict_responses=strict_responses,
        )
        self._own_pool(http_client)

    def with_options(
        self,
        *,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        strict_responses: bool | None = None,
        **options: Unpack[ClientOptions],
    ) -> Self:
        """A copy with other options (default_headers merged into this client's), sharing its pool."""
        return self._copy(
            spec_options=_given(secret_key, options),
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            strict_responses=strict_responses,
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def close(self) -> None:
        await self.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _request(
        self,
        operation: Operation[T],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RawResponse[T]:
        extras = Extras.of(extra_headers, extra_query, extra_body)
        try:
            return await self._call(operation, args, self._per_call(timeout, max_retries), extras)
        except RaiaError as exc:
            self._mark(exc)
            raise

    async def _send_prepared(self, operation: Operation[T], prepared: Prepared) -> RawResponse[T]:
        """Send what `prepare` checked and encoded for `operation`, as it is (retries included): the
        bulk import checks and encodes each row once, when it reads it. A form is refused (TypeError)."""
        try:
            return await self._call(operation, prepared, self._options, None)
        except RaiaError as exc:
            self._mark(exc)
            raise

    async def _call(
        self,
        operation: Operation[T],
        args: dict[str, Any] | Prepared,
        options: Options,
        extras: Extras | None,
        streamed: bool = False,
    ) -> RawResponse[T]:
        http = self._http
        request = self._build(http, operation, args, options, extras)
        try:
            return await self._attempt(http, operation, request, options, streamed)
        except APIError as exc:
            if options.max_retries == 0:
                raise
            pending: APIError | None = exc
        # See Raia._request: the first attempt stays outside stamina.
        async for attempt in retrying(options.max_retries, self._retry_hook(operation, options.max_retries)):
            with attempt:
                if pending is not None:
                    failed, pending = pending, None
                    raise failed
                return await self._attempt(http, operation, request, options, streamed)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    async def _attempt(
        self,
        http: httpx.AsyncClient | AsyncSender,
        operation: Operation[T],
        request: Outgoing,
        options: Options,
        streamed: bool = False,
    ) -> RawResponse[T]:
        self._log_request(request)
        # In async code the whole response, head included, is bounded by the read timeout: a server
        # trickling header lines would otherwise restart httpx's per-read clock for ever.
        # Imported here so that the sync client never loads asyncio, anyio or sniffio (start-up).
        import asyncio

        import sniffio

        seconds = options.timeout.read
        if seconds is None:
            return await self._attempt_unbounded(http, operation, request, options, streamed)
        try:
            if sniffio.current_async_library() == "asyncio":  # a third of anyio's cost per call
                async with asyncio.timeout(seconds):
                    return await self._attempt_unbounded(http, operation, request, options, streamed)
            import anyio

            with anyio.fail_after(seconds):
                return await self._attempt_unbounded(http, operation, request, options, streamed)
        except TimeoutError:
            raise APITimeoutError(f"the response did not arrive within {seconds:g} s") from None

    async def _attempt_unbounded(
        self,
        http: httpx.AsyncClient | AsyncSender,
        operation: Operation[T],
        request: Outgoing,
        options: Options,
        streamed: bool = False,
    ) -> RawResponse[T]:
        try:
            response = await http.send(request, stream=True, follow_redirects=False)
        except (httpx.TransportError, RuntimeError) as exc:
            raise self._send_error(exc) from exc
        self._received(response)
        if 200 <= response.status_code < 300 and (streamed or is_events(operation, response)):
            try:
                check_encoding(response)
            except ResponseValidationError:
                await response.aclose()
                raise
            # the caller reads the body from here on: the head's deadline above no longer applies
            return _opened.asynchronous(self, operation, response, options, streamed)
        try:
            limit = self._limit(response, options, operation)
            raw = limit.raw
            async for chunk in response.aiter_raw() if raw else response.aiter_bytes():
                limit.feed(chunk, raw)
            content = limit.content(raw)
        except httpx.DecodingError as exc:
            raise decoding_error(response, exc) from None
        except (httpx.TransportError, RuntimeError) as exc:
            raise self._send_error(exc) from exc
        finally:
            await response.aclose()
        return self._finish(operation, response, content, options)
