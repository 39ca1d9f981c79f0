"""Raia and AsyncRaia: auth, timeouts, retries and typed errors around one connection pool."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from . import _retry
from ._exceptions import APIConnectionError, APIError, APITimeoutError
from ._feedback import AsyncFeedbackResource, FeedbackResource
from ._logging import configure_from_env, logger, redacted
from ._options import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    NotGiven,
    Options,
    TimeoutTypes,
    resolve,
)
from ._response import RawResponse, parse_feedback

if TYPE_CHECKING:
    from raia_agent_api.models import Feedback

configure_from_env()


def _retrying(retries: int) -> Any:
    import stamina  # only once a call has failed: keeps it off import time and the success path

    return stamina.retry_context(
        on=_retry.should_retry,
        attempts=retries + 1,
        timeout=None,
        wait_initial=_retry.WAIT_INITIAL,
        wait_max=_retry.WAIT_MAX,
        wait_jitter=_retry.WAIT_JITTER,
    )


def _connection_error(exc: httpx.TransportError) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out ({type(exc).__name__}).")
    return APIConnectionError(f"Connection error ({type(exc).__name__}: {exc}).")


def _before(options: Options, body: Mapping[str, Any]) -> bool:
    """Log the request when debugging; say whether we are."""
    debug = logger.isEnabledFor(logging.DEBUG)
    if debug:
        logger.debug("POST %s headers=%s json=%s", options.endpoint, redacted(options.headers), body)
    return debug


def _after(response: httpx.Response, options: Options, debug: bool) -> RawResponse[Feedback]:
    if debug:
        logger.debug(
            "%s %s -> %s request_id=%s",
            response.request.method,
            response.request.url,
            response.status_code,
            response.headers.get("x-request-id"),
        )
    return parse_feedback(response, options.secret_key)


class _Base:
    def __init__(
        self,
        secret_key: str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        owns_http: bool,
    ) -> None:
        self._options = resolve(
            secret_key=secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
        )
        self._owns_http = owns_http

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._options.base_url!r}, max_retries={self._options.max_retries})"

    @property
    def base_url(self) -> str:
        return self._options.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._options.timeout

    @property
    def max_retries(self) -> int:
        return self._options.max_retries

    def _copy(self, timeout: TimeoutTypes | NotGiven, max_retries: int | None) -> Self:
        clone = copy.copy(self)
        clone._options = self._options.with_changes(timeout=timeout, max_retries=max_retries)
        clone._owns_http = False  # the original closes the shared pool
        return clone

    def _per_call(self, timeout: TimeoutTypes | NotGiven, max_retries: int | None) -> Options:
        if isinstance(timeout, NotGiven) and max_retries is None:
            return self._options
        return self._options.with_changes(timeout=timeout, max_retries=max_retries)


class Raia(_Base):
    """Client for the raia AI Agent API.

    The key comes from `secret_key` or RAIA_AGENT_SECRET_KEY, the base URL from `base_url`,
    RAIA_AGENT_BASE_URL or the spec's server. Use it as a context manager or call close().
    """

    def __init__(
        self,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(secret_key, base_url, timeout, max_retries, default_headers, http_client is None)
        self._http = http_client or httpx.Client(follow_redirects=False)
        self.feedback = FeedbackResource(self)

    def with_options(
        self, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN, max_retries: int | None = None
    ) -> Raia:
        """A copy with other defaults, sharing this client's connection pool."""
        clone = self._copy(timeout, max_retries)
        clone.feedback = FeedbackResource(clone)
        return clone

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
        self, body: dict[str, Any], *, timeout: TimeoutTypes | NotGiven, max_retries: int | None
    ) -> RawResponse[Feedback]:
        options = self._per_call(timeout, max_retries)
        try:
            return self._attempt(options, body)
        except APIError as exc:
            if options.max_retries == 0:
                raise
            pending: APIError | None = exc
        # The first attempt runs outside stamina to keep the common case free of its overhead;
        # its failure is replayed as stamina's first attempt so that stamina owns all waiting.
        for attempt in _retrying(options.max_retries):
            with attempt:
                if pending is not None:
                    failed, pending = pending, None
                    raise failed
                return self._attempt(options, body)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    def _attempt(self, options: Options, body: dict[str, Any]) -> RawResponse[Feedback]:
        debug = _before(options, body)
        try:
            response = self._http.post(
                options.endpoint, json=body, headers=options.headers, timeout=options.timeout
            )
        except httpx.TransportError as exc:
            raise _connection_error(exc) from exc
        return _after(response, options, debug)


class AsyncRaia(_Base):
    """Async client for the raia AI Agent API; one instance serves many concurrent calls.

    Configured like Raia; use `async with` or await aclose().
    """

    def __init__(
        self,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(secret_key, base_url, timeout, max_retries, default_headers, http_client is None)
        self._http = http_client or httpx.AsyncClient(follow_redirects=False)
        self.feedback = AsyncFeedbackResource(self)

    def with_options(
        self, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN, max_retries: int | None = None
    ) -> AsyncRaia:
        """A copy with other defaults, sharing this client's connection pool."""
        clone = self._copy(timeout, max_retries)
        clone.feedback = AsyncFeedbackResource(clone)
        return clone

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
        self, body: dict[str, Any], *, timeout: TimeoutTypes | NotGiven, max_retries: int | None
    ) -> RawResponse[Feedback]:
        options = self._per_call(timeout, max_retries)
        try:
            return await self._attempt(options, body)
        except APIError as exc:
            if options.max_retries == 0:
                raise
            pending: APIError | None = exc
        # See Raia._request: the first attempt stays outside stamina.
        async for attempt in _retrying(options.max_retries):
            with attempt:
                if pending is not None:
                    failed, pending = pending, None
                    raise failed
                return await self._attempt(options, body)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    async def _attempt(self, options: Options, body: dict[str, Any]) -> RawResponse[Feedback]:
        debug = _before(options, body)
        try:
            response = await self._http.post(
                options.endpoint, json=body, headers=options.headers, timeout=options.timeout
            )
        except httpx.TransportError as exc:
            raise _connection_error(exc) from exc
        return _after(response, options, debug)
