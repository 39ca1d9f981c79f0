"""Raia and AsyncRaia: the I/O of one request path, sync and async, around one connection pool."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from raia_agent_api._surface import NOT_GIVEN, NotGiven, Operation, RawResponse, TimeoutTypes
from raia_agent_api.resources import AsyncResources, SyncResources

from . import _transport
from ._base_client import BaseClient
from ._exceptions import APIError, APITimeoutError
from ._logging import configure_from_env
from ._options import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, Options
from ._response import decoding_error
from ._retry import retrying

T = TypeVar("T")
configure_from_env()


class Raia(SyncResources, BaseClient):
    """Client for the raia AI Agent API.

    The key comes from `secret_key` or RAIA_AGENT_SECRET_KEY, the base URL from `base_url`,
    RAIA_AGENT_BASE_URL or the spec's server. Use it as a context manager or call close().
    """

    _http: httpx.Client
    _http_type = httpx.Client

    def __init__(
        self,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(secret_key, base_url, timeout, max_retries, default_headers, http_client)
        self._http = http_client or httpx.Client(**self._client_settings())

    def with_options(
        self, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN, max_retries: int | None = None
    ) -> Self:
        """A copy with other defaults, sharing this client's connection pool."""
        return self._copy(timeout, max_retries)

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
    ) -> RawResponse[T]:
        options = self._per_call(timeout, max_retries)
        request = self._build(operation, args, options)
        try:
            return self._attempt(operation, request, options)
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
                return self._attempt(operation, request, options)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    def _attempt(self, operation: Operation[T], request: httpx.Request, options: Options) -> RawResponse[T]:
        try:
            response = self._http.send(request, stream=True, follow_redirects=False)
        except (httpx.TransportError, RuntimeError) as exc:
            raise self._send_error(exc) from exc
        try:
            limit = self._limit(response, options)
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
        return self._finish(operation, response, content)


class AsyncRaia(AsyncResources, BaseClient):
    """Async client for the raia AI Agent API; one instance serves many concurrent calls.

    Configured like Raia; use `async with` or await aclose().
    """

    _http: httpx.AsyncClient
    _http_type = httpx.AsyncClient

    def __init__(
        self,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(secret_key, base_url, timeout, max_retries, default_headers, http_client)
        self._http = http_client or _transport.async_pool(self._client_settings())

    def with_options(
        self, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN, max_retries: int | None = None
    ) -> Self:
        """A copy with other defaults, sharing this client's connection pool."""
        return self._copy(timeout, max_retries)

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
    ) -> RawResponse[T]:
        options = self._per_call(timeout, max_retries)
        request = self._build(operation, args, options)
        try:
            return await self._attempt(operation, request, options)
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
                return await self._attempt(operation, request, options)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    async def _attempt(
        self, operation: Operation[T], request: httpx.Request, options: Options
    ) -> RawResponse[T]:
        # In async code the whole response, head included, is bounded by the read timeout: a server
        # trickling header lines would otherwise restart httpx's per-read clock for ever.
        # Imported here so that the sync client never loads asyncio, anyio or sniffio (start-up).
        import asyncio

        import sniffio

        seconds = options.timeout.read
        if seconds is None:
            return await self._attempt_unbounded(operation, request, options)
        try:
            if sniffio.current_async_library() == "asyncio":  # a third of anyio's cost per call
                async with asyncio.timeout(seconds):
                    return await self._attempt_unbounded(operation, request, options)
            import anyio

            with anyio.fail_after(seconds):
                return await self._attempt_unbounded(operation, request, options)
        except TimeoutError:
            raise APITimeoutError(f"the response did not arrive within {seconds:g} s") from None

    async def _attempt_unbounded(
        self, operation: Operation[T], request: httpx.Request, options: Options
    ) -> RawResponse[T]:
        try:
            response = await self._http.send(request, stream=True, follow_redirects=False)
        except (httpx.TransportError, RuntimeError) as exc:
            raise self._send_error(exc) from exc
        try:
            limit = self._limit(response, options)
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
        return self._finish(operation, response, content)
