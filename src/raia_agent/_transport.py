"""The connection pool under AsyncRaia: httpx's own, or aiohttp's (the `[aiohttp]` extra).

httpcore's async pool rescans every connection on every request, so its cost grows with the
number of connections and of requests in flight; aiohttp's connector does not. Both sit under
the same httpx.AsyncClient, so everything the client guarantees (the whole-response time bound,
the body limit, redaction, no redirects) is enforced above the transport, on either.

The one thing the transport decides is which httpx exception a failure becomes, and the retry
policy reads it: a ConnectError or ConnectTimeout means "the request never left", which makes
even a non-idempotent call safe to repeat. httpx-aiohttp maps every aiohttp connection error,
a disconnect after the request was sent included, to ConnectTimeout, so this module maps them
itself, by what happened.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from ._pool import NoCookies

HTTPX = "httpx"
AIOHTTP = "aiohttp"
HTTPX_CONNECTIONS = 8  # the best bound on httpx's own pool in make bench's sweep (see _bounded)


def available() -> list[str]:
    """The transports this installation can use, httpx's always first."""
    kinds = [HTTPX]
    if importlib.util.find_spec("httpx_aiohttp") is not None:
        kinds.append(AIOHTTP)
    return kinds


def fastest() -> str:
    """The transport that serves many requests in flight best (measured by `make bench`)."""
    return available()[-1]


# What an AsyncRaia that builds its own pool (and so the bulk import) uses: installing the
# extra is the opt-in. Tests set it to run the client's behaviour tests over each transport.
DEFAULT = fastest()


def async_pool(settings: dict[str, Any], kind: str | None = None) -> httpx.AsyncClient:
    """An httpx.AsyncClient with `settings` (headers, timeout, redirects, limits) over `kind`."""
    kind = kind or DEFAULT
    if kind == HTTPX:
        pool = httpx.AsyncClient(**{**settings, "limits": _bounded(settings["limits"])})
    elif kind != AIOHTTP:
        raise ValueError(f"unknown transport {kind!r}; expected one of {available()}")
    elif AIOHTTP not in available():
        raise ImportError("the aiohttp transport needs the extra: pip install 'raia-agent[aiohttp]'")
    else:
        pool = httpx.AsyncClient(**settings, transport=_aiohttp_transport(settings["limits"]))
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


def _aiohttp_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
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

    def translate(exc: BaseException) -> httpx.TransportError | None:
        for source, target in mapping:
            if isinstance(exc, source):
                return target(str(exc))
        return None

    @contextlib.contextmanager
    def mapped() -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            # httpx-aiohttp has already mapped some: judge those by the aiohttp error behind them.
            origin = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
            failure = translate(origin) if origin is not None else None
            if failure is None:
                raise
            # Not chained: aiohttp keeps what the server sent (a status line that may echo the key)
            # in attributes that redaction cannot reach; the message, in args, is redacted.
            raise failure from None

    class Stream(httpx.AsyncByteStream):
        def __init__(self, inner: httpx.AsyncByteStream) -> None:
            self._inner = inner

        async def __aiter__(self) -> AsyncIterator[bytes]:
            with mapped():
                async for chunk in self._inner:
                    yield chunk

        async def aclose(self) -> None:
            with mapped():
                await self._inner.aclose()

    class Transport(httpx_aiohttp.AiohttpTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            with mapped():
                response = await super().handle_async_request(request)
            assert isinstance(response.stream, httpx.AsyncByteStream)
            response.stream = Stream(response.stream)
            return response

    def session() -> aiohttp.ClientSession:
        # What httpx-aiohttp builds, minus the cookie jar (see above), so nothing is kept per response.
        connector = aiohttp.TCPConnector(
            limit=limits.max_connections or 0,
            keepalive_timeout=limits.keepalive_expiry,
            ssl=transport.ssl_context,
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    transport = Transport(limits=limits, client=session)
    return transport
