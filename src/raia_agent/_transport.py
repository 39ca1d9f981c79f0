"""The connection pool under a client: aiohttp's (AsyncRaia's, a required dependency), httpx's
(Raia's, and AsyncRaia's only where aiohttp is missing) or httpx2's (Raia's, once httpx2 is installed:
see _httpx2).

AsyncRaia's pool is aiohttp's because httpx's async pool cannot scale: httpcore's pool rescans every
connection and every waiting request whenever one finishes, and a request it hands a connection that
is still busy goes back to the queue. At 64 in flight that per-request CPU held AsyncRaia to about 1x
raw httpx, on httpx2's pool too, against over 2x on aiohttp's (make bench).

Every async pool is gated: at most as many requests enter it as it has connections, the rest wait in
a first-come-first-served queue in front of it. httpcore would otherwise churn, and aiohttp's
connector lets a newly arrived request take a freed connection before one that has waited, so with
more requests than connections a few wait for seconds. All sit under the same httpx.AsyncClient, so
everything the client guarantees (the whole-response time bound, the body limit, redaction, no
redirects) is enforced above the transport, on each.

The one thing the transport decides is which httpx exception a failure becomes, and the retry
policy reads it: a ConnectError or ConnectTimeout means "the request never left", which makes
even a non-idempotent call safe to repeat. httpx-aiohttp maps every aiohttp connection error,
a disconnect after the request was sent included, to ConnectTimeout, so this module maps them
itself, by what happened.
"""

from __future__ import annotations

import importlib.util
import ssl
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import anyio
import httpx

from . import _deadline, _httpx2
from ._pool import NoCookies, default_tls
from ._retry import certificate_error

T = TypeVar("T")

HTTPX = "httpx"
AIOHTTP = "aiohttp"
HTTPX2 = "httpx2"
HTTPX_CONNECTIONS = 8  # the best bound on httpx's own pool in make bench's sweep (see _bounded)
# What a client sends through: an httpx client, or a sender over an httpx2 one (see _httpx2)
HTTP = httpx.Client | httpx.AsyncClient | _httpx2.Sender | _httpx2.AsyncSender


def available() -> list[str]:
    """The transports AsyncRaia can use in this installation, httpx's always first. aiohttp and
    httpx-aiohttp are required dependencies; they are missing only from an install made without
    them (pip --no-deps, a repackaging), where AsyncRaia falls back to httpx's pool."""
    kinds = [HTTPX]
    if _httpx2.installed():
        kinds.append(HTTPX2)
    if all(importlib.util.find_spec(name) is not None for name in ("aiohttp", "httpx_aiohttp")):
        kinds.append(AIOHTTP)
    return kinds


def fastest() -> str:
    """The transport that serves many requests in flight best (measured by `make bench`): aiohttp,
    then httpx2, then httpx."""
    return available()[-1]


# What an AsyncRaia that builds its own pool (and so the bulk import) uses: aiohttp, even when
# httpx2 is installed (its async pool is httpcore's design, no faster than httpx's at 64 in flight).
# Tests set it to run the client's behaviour tests over each transport.
DEFAULT = fastest()
# Raia's: aiohttp has no sync client, so httpx2 if it is installed (the [httpx2] extra), else httpx.
SYNC_DEFAULT = HTTPX2 if _httpx2.installed() else HTTPX


def adopt(users: Any, http_type: type[httpx.Client] | type[httpx.AsyncClient]) -> HTTP:
    """The user's own http_client as the client sends through it: as given if it is an httpx one,
    an httpx2 one through a sender that hands back httpx types (and never closes it)."""
    if http_type is httpx.Client:
        _deadline.bound(users)
    if isinstance(users, http_type):
        return users
    return _httpx2.AsyncSender(users) if http_type is httpx.AsyncClient else _httpx2.Sender(users)


def accepts(users: object, http_type: type[httpx.Client] | type[httpx.AsyncClient]) -> bool:
    """Whether `users` can be the http_client of a client whose pool is an `http_type`."""
    return isinstance(users, http_type) or _httpx2.is_client(users, is_async=http_type is httpx.AsyncClient)


def sync_pool(settings: dict[str, Any], kind: str | None = None) -> httpx.Client | _httpx2.Sender:
    """Raia's own pool: an httpx.Client with `settings`, or an httpx2 one (see _httpx2)."""
    kind = kind or SYNC_DEFAULT
    if kind == HTTPX2:
        return _httpx2.own_pool({**settings, "verify": default_tls(_httpx2.create_tls)})
    if kind != HTTPX:
        raise ValueError(f"unknown transport {kind!r} for Raia; expected {HTTPX!r} or {HTTPX2!r}")
    pool = httpx.Client(**settings)
    pool._cookies = NoCookies()  # as async_pool's
    _deadline.bound(pool)
    return pool


def async_pool(settings: dict[str, Any], kind: str | None = None) -> httpx.AsyncClient | _httpx2.AsyncSender:
    """An httpx.AsyncClient with `settings` (headers, timeout, redirects, limits) over `kind`, or an
    httpx2 one (see _httpx2)."""
    kind = kind or DEFAULT
    limits: httpx.Limits = settings.get("limits", httpx.Limits())
    if kind == HTTPX:
        limits = _bounded(limits)
        inner: Any = httpx.AsyncHTTPTransport(limits=limits, verify=settings.get("verify", True))
    elif kind == HTTPX2:
        if not _httpx2.installed():
            raise ImportError("the httpx2 transport needs the extra: pip install 'raia-agent[httpx2]'")
        # httpx2's own client sends, with no httpx client above it (see _httpx2); only a fallback
        # for AsyncRaia, where aiohttp is missing, so it goes ungated.
        return _httpx2.own_async_pool({**settings, "verify": default_tls(_httpx2.create_tls)})
    elif kind != AIOHTTP:
        raise ValueError(f"unknown transport {kind!r}; expected one of {available()}")
    elif AIOHTTP not in available():
        raise ImportError(
            "aiohttp and httpx-aiohttp, dependencies of raia-agent, are not installed: pip install raia-agent"
        )
    else:
        inner = _aiohttp_transport(limits, settings.get("verify", True))
    # With no bound on connections there is nothing to queue for.
    transport = inner if limits.max_connections is None else Gated(inner, limits.max_connections)
    pool = httpx.AsyncClient(**{**settings, "limits": limits}, transport=transport)
    # The API authenticates by header and sets no cookies; httpx would still parse every response
    # for them through http.cookiejar (about a tenth of the import's CPU in the profile).
    pool._cookies = NoCookies()
    return pool


def _bounded(limits: httpx.Limits) -> httpx.Limits:
    """httpcore's pool scans every connection on every request, so more connections cost more
    than they carry: raw httpx at 64 in flight made ~100 calls/s with 64 connections kept alive
    against ~450 with 20, and AsyncRaia ~1.4x raw httpx's default pool at 16 in flight with 8.
    Requests beyond the bound wait for a connection (the pool timeout still applies)."""
    cap = (
        HTTPX_CONNECTIONS
        if limits.max_connections is None
        else min(limits.max_connections, HTTPX_CONNECTIONS)
    )
    return httpx.Limits(
        max_connections=cap, max_keepalive_connections=cap, keepalive_expiry=limits.keepalive_expiry
    )


class Gated(httpx.AsyncBaseTransport):
    """An async transport with at most `width` requests inside it; the others wait their turn
    (anyio's semaphore hands a freed turn to the longest waiter). A request leaves when its response
    is closed."""

    def __init__(self, inner: httpx.AsyncBaseTransport, width: int) -> None:
        self._inner, self._width = inner, width
        self._turns = anyio.Semaphore(width)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._turns.acquire()
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            self._turns.release()
            raise
        if response.is_closed:  # read already (a mock's): nothing left to wait for
            self._turns.release()
            return response
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Turn(response.stream, self._turns)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Turn(httpx.AsyncByteStream):
    """A response body that gives its request's turn back once, when it is closed."""

    def __init__(self, inner: httpx.AsyncByteStream, turns: anyio.Semaphore) -> None:
        self._inner, self._turns = inner, turns

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        turns, self._turns = self._turns, None  # type: ignore[assignment]
        try:
            await self._inner.aclose()
        finally:
            if turns is not None:
                turns.release()


def _aiohttp_transport(limits: httpx.Limits, verify: ssl.SSLContext | bool) -> httpx.AsyncBaseTransport:
    import aiohttp
    import httpx_aiohttp

    # Most specific first: ClientConnectorError is a ClientOSError, the timeouts are ClientErrors.
    mapping: list[tuple[type[BaseException], type[httpx.TransportError]]] = [
        (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
        (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
        (aiohttp.ClientConnectorError, httpx.ConnectError),
        (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
        (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError, httpx.ReadError),
        (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
        (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
        (aiohttp.ClientOSError, httpx.ReadError),
        (aiohttp.ClientError, httpx.TransportError),
    ]

    def translate(exc: Exception) -> httpx.TransportError | None:
        """httpx's error for `exc`, or None to let `exc` through. The error is raised outside the
        handler by the callers, so aiohttp's exception is neither its cause nor its context: aiohttp
        keeps the request's headers (the key among them) and what the server sent in attributes that
        redaction cannot reach. Only a certificate failure behind it is kept, so it is not retried."""
        # httpx-aiohttp has already mapped some: judge those by the aiohttp error behind them.
        origin = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
        for source, target in mapping:
            if origin is not None and isinstance(origin, source):
                failure = target(str(origin))
                failure.__cause__ = certificate_error(origin)
                failure.__suppress_context__ = True
                return failure
        return None

    class Stream(httpx.AsyncByteStream):
        def __init__(self, inner: httpx.AsyncByteStream) -> None:
            self._inner = inner

        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for chunk in self._inner:
                    yield chunk
            except Exception as exc:
                failure = translate(exc)
                if failure is None:
                    raise
            else:
                return
            raise failure

        async def aclose(self) -> None:
            await unchained(self._inner.aclose)

    async def unchained(call: Callable[[], Awaitable[T]]) -> T:
        """`call()`'s result, or httpx's error for its failure raised here, outside the handler."""
        try:
            return await call()
        except Exception as exc:
            failure = translate(exc)
            if failure is None:
                raise
        raise failure

    class Transport(httpx_aiohttp.AiohttpTransport):
        # Bodies still being read: closing the session does not wake their readers, which would then
        # wait out their read timeout, so closing the transport ends them first.
        reading: weakref.WeakSet[httpx.AsyncByteStream]

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await unchained(lambda: super(Transport, self).handle_async_request(request))
            assert isinstance(response.stream, httpx.AsyncByteStream)
            self.reading.add(response.stream)
            response.stream = Stream(response.stream)
            return response

        async def aclose(self) -> None:
            for stream in list(self.reading):
                answer = getattr(stream, "_aiohttp_response", None)
                if answer is not None and not answer.closed:
                    answer.content.set_exception(aiohttp.ClientConnectionError("the client was closed"))
            await super().aclose()

    def session() -> aiohttp.ClientSession:
        # What httpx-aiohttp builds, minus the cookie jar (see above), so nothing is kept per response.
        connector = aiohttp.TCPConnector(
            limit=limits.max_connections or 0,
            keepalive_timeout=limits.keepalive_expiry,
            ssl=transport.ssl_context,
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    transport = Transport(limits=limits, verify=verify, client=session)
    transport.reading = weakref.WeakSet()
    return transport
