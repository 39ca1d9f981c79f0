"""What Raia and AsyncRaia share: configuration, building a request, reading a response, retry policy.

Nothing here knows a particular operation: each call brings its description (an `Operation`
generated from the spec) and its arguments. Only the I/O is written twice, in `_client.py`.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any, Self, TypeVar

import httpx
from httpx._client import UseClientDefault
from raia_agent_api._surface import NotGiven, Operation, RawResponse, TimeoutTypes
from raia_agent_api.resources._operations import AUTH_HEADERS

from . import _retry
from ._exceptions import APIConnectionError, APITimeoutError, RaiaError
from ._logging import Redactor, logger
from ._options import Options, resolve
from ._response import MAX_RESPONSE_BYTES, BodyLimit, parse
from ._validation import prepare

T = TypeVar("T")
# Enough connections for the import's default concurrency without waiting on the pool.
DEFAULT_LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=32)


class BaseClient:
    _http: httpx.Client | httpx.AsyncClient
    _http_type: type[httpx.Client] | type[httpx.AsyncClient]

    def __init__(
        self,
        secret_key: str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        http_client: httpx.Client | httpx.AsyncClient | None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise TypeError(f"http_client must be an {self._http_type.__module__}.{self._http_type.__name__}")
        self._options = resolve(
            secret_key=secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
        )
        self._redact = Redactor(self._options.secret_key, AUTH_HEADERS)
        self._owns_http = http_client is None
        # A client we own carries the headers and timeout itself, so a call merges nothing extra;
        # a user's client gets them with every request.
        self._call_headers: dict[str, str] | None = None if self._owns_http else self._options.headers
        # (httpx reads timeout=None as "no timeout": the owned pool's own default is USE_CLIENT_DEFAULT)
        self._call_timeout: httpx.Timeout | UseClientDefault = (
            httpx.USE_CLIENT_DEFAULT if self._owns_http else self._options.timeout
        )
        self._init_resources()

    def _init_resources(self) -> None:  # pragma: no cover - the generated resources mix-in provides it
        raise NotImplementedError

    def _client_settings(self, connections: int | None = None) -> dict[str, Any]:
        limits = DEFAULT_LIMITS if connections is None else httpx.Limits(max_connections=connections)
        return {
            "headers": self._options.headers,
            "timeout": self._options.timeout,
            "follow_redirects": False,
            "limits": limits,
        }

    def _size_pool(self, connections: int, transport: str | None = None) -> None:
        """Give a new, unused client a pool of exactly `connections` (the import's concurrency),
        over `transport` (see _transport; async only)."""
        if self._owns_http:
            settings = self._client_settings(connections)
            if self._http_type is httpx.AsyncClient:
                from ._transport import async_pool

                self._http = async_pool(settings, transport)
            else:
                self._http = self._http_type(**settings)

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
        clone._call_headers = self._call_headers
        clone._call_timeout = (
            clone._options.timeout if clone._options.timeout != self.timeout else self._call_timeout
        )
        clone._init_resources()
        return clone

    def _per_call(self, timeout: TimeoutTypes | NotGiven, max_retries: int | None) -> Options:
        if isinstance(timeout, NotGiven) and max_retries is None:
            return self._options
        return self._options.with_changes(timeout=timeout, max_retries=max_retries)

    def _build(self, op: Operation[Any], args: dict[str, Any], options: Options) -> httpx.Request:
        if self._http.is_closed:
            raise RaiaError(f"this {type(self).__name__} is closed; create a new client to make calls")
        prepared = prepare(op, args)
        headers = self._call_headers
        if prepared.content is not None or prepared.headers:
            headers = {**(headers or {}), **(prepared.headers or {})}
            if prepared.content is not None:
                headers["Content-Type"] = "application/json"
        timeout = self._call_timeout if options is self._options else options.timeout
        request = self._http.build_request(
            op.method,
            self._options.base_url + prepared.path,
            params=prepared.query,
            content=prepared.content,
            headers=headers,
            timeout=timeout,
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s headers=%s body=%s",
                request.method,
                self._redact.text(request.url),
                self._redact.headers(
                    {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers.raw}
                ),
                self._redact.text((prepared.content or b"").decode()),
            )
        return request

    def _limit(self, response: httpx.Response, options: Options) -> BodyLimit:
        return BodyLimit(response, options.timeout.read, MAX_RESPONSE_BYTES)

    def _finish(self, op: Operation[T], response: httpx.Response, content: bytes) -> RawResponse[T]:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s request_id=%s",
                response.request.method,
                self._redact.text(response.request.url),
                response.status_code,
                self._redact.optional(response.headers.get("x-request-id")),
            )
        return parse(op, response, content, self._redact)

    def _send_error(self, exc: Exception) -> RaiaError:
        self._redact.scrub(exc)
        if isinstance(exc, RuntimeError):  # e.g. an AsyncRaia used again after its event loop closed
            return RaiaError(
                self._redact.text(
                    f"the HTTP client cannot send ({exc}); create the client in the event loop that uses it"
                )
            )
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"Request timed out ({type(exc).__name__}).")
        return APIConnectionError(self._redact.text(f"Connection error ({type(exc).__name__}: {exc})."))

    def _retry_hook(self, op: Operation[Any], retries: int) -> Any:
        """stamina's backoff hook for one call: the policy in _retry, plus one log line per retry."""
        attempt = [1]

        def decide(exc: Exception) -> bool | float:
            decision = _retry.should_retry(exc)
            if decision is not False and not op.idempotent and not _retry.not_processed(exc):
                return False  # the API may have acted on it: repeating a non-idempotent call is unsafe
            if decision is not False and attempt[0] <= retries:
                attempt[0] += 1
                cause = getattr(exc, "status_code", None) or type(exc).__name__
                wait = "" if decision is True else f" in {float(decision):g} s"
                logger.info(
                    "retrying %s %s after %s (attempt %d of %d)%s",
                    op.method, op.path, cause, attempt[0], retries + 1, wait,
                )  # fmt: skip
            return decision

        return decide
