"""httpx2 under the client: a user's httpx2.Client / httpx2.AsyncClient, or the `[httpx2]` extra's pool.

httpx2 has httpx's API but classes of its own, so an httpx2 object is never an httpx one. Rather
than teach every module two sets of classes, httpx2 sits where aiohttp sits: as the transport of
an httpx client the library builds. Everything the client guarantees (the whole-response time
bound, the body limit, redaction, no redirects, cookies dropped) stays above the transport; httpx2
opens the connections, with its own TLS trust store (the operating system's) and pool.

A failure comes back as the httpx exception of the same name, so the retry policy reads it as it
reads httpx's: a ConnectError still means "the request never left". It is not chained to httpx2's
exception (that one holds the request, its key header included); only a certificate failure
behind it is kept, so that such a failure is still recognised and not retried.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from ._retry import certificate_error


def installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("httpx2") is not None


def is_client(value: object, *, is_async: bool) -> bool:
    """Whether `value` is an httpx2 client of the right flavour (False when httpx2 is absent)."""
    module = type(value).__module__.split(".", 1)[0]
    if module != "httpx2":
        return False
    import httpx2

    return isinstance(value, httpx2.AsyncClient if is_async else httpx2.Client)


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    import httpx2

    try:
        yield
    except httpx2.HTTPError as exc:
        target = getattr(httpx, type(exc).__name__, None)
        if not (isinstance(target, type) and issubclass(target, httpx.HTTPError)):
            target = httpx.TransportError
        failure: Any = target(str(exc))
        raise failure from certificate_error(exc)


def _outgoing(sender: Any, request: httpx.Request, stream: Any) -> Any:
    """httpx2's copy of `request`: built by the user's client (its default headers and cookies
    apply, below ours) or directly for the library's own transport. A body httpx holds in memory
    (JSON, form fields) goes as bytes; a streamed one (a file upload) through `stream`."""
    import httpx2

    content = request.content if isinstance(request.stream, httpx.ByteStream) else None
    if isinstance(sender, httpx2.Client | httpx2.AsyncClient):
        outgoing = sender.build_request(
            request.method, str(request.url), headers=request.headers.raw, content=content,
            extensions=request.extensions,
        )  # fmt: skip
        if content is None:
            outgoing.stream = stream  # no body headers were added: the request's own (length, type) stand
        return outgoing
    if content is not None:
        return httpx2.Request(
            request.method, str(request.url), headers=request.headers.raw, content=content,
            extensions=request.extensions,
        )  # fmt: skip
    return httpx2.Request(
        request.method,
        str(request.url),
        headers=request.headers.raw,
        stream=stream,
        extensions=request.extensions,
    )


def _read_already(answer: Any) -> httpx.Response:
    """An answer httpx2 read in full already (a mock transport's): its decoded body, so its
    Content-Encoding no longer applies."""
    headers = [(k, v) for k, v in answer.headers.raw if k.lower() != b"content-encoding"]
    return httpx.Response(
        answer.status_code,
        headers=headers,
        stream=httpx.ByteStream(answer.content),
        extensions=answer.extensions,
    )


class AsyncTransport(httpx.AsyncBaseTransport):
    """httpx's async transport interface over an httpx2 AsyncClient (a user's, never closed here)
    or an httpx2 AsyncHTTPTransport (the library's own, closed with the pool)."""

    def __init__(self, sender: Any, *, owned: bool) -> None:
        self._sender, self._owned = sender, owned

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import httpx2

        class Body(httpx2.AsyncByteStream):
            async def __aiter__(self) -> AsyncIterator[bytes]:
                assert isinstance(request.stream, httpx.AsyncByteStream)
                async for chunk in request.stream:
                    yield chunk

        outgoing = _outgoing(self._sender, request, Body())
        with _mapped():
            if isinstance(self._sender, httpx2.AsyncClient):
                answer = await self._sender.send(outgoing, stream=True, follow_redirects=False)
            else:
                answer = await self._sender.handle_async_request(outgoing)

        class Stream(httpx.AsyncByteStream):
            async def __aiter__(self) -> AsyncIterator[bytes]:
                with _mapped():
                    async for chunk in answer.aiter_raw():
                        yield chunk

            async def aclose(self) -> None:
                with _mapped():
                    await answer.aclose()

        if answer.is_stream_consumed:
            return _read_already(answer)
        return httpx.Response(
            answer.status_code, headers=answer.headers.raw, stream=Stream(), extensions=answer.extensions
        )

    async def aclose(self) -> None:
        if self._owned:
            await self._sender.aclose()


class SyncTransport(httpx.BaseTransport):
    """The same for Raia: over an httpx2 Client or HTTPTransport."""

    def __init__(self, sender: Any, *, owned: bool) -> None:
        self._sender, self._owned = sender, owned

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import httpx2

        class Body(httpx2.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                assert isinstance(request.stream, httpx.SyncByteStream)
                yield from request.stream

        outgoing = _outgoing(self._sender, request, Body())
        with _mapped():
            if isinstance(self._sender, httpx2.Client):
                answer = self._sender.send(outgoing, stream=True, follow_redirects=False)
            else:
                answer = self._sender.handle_request(outgoing)

        class Stream(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                with _mapped():
                    yield from answer.iter_raw()

            def close(self) -> None:
                with _mapped():
                    answer.close()

        if answer.is_stream_consumed:
            return _read_already(answer)
        return httpx.Response(
            answer.status_code, headers=answer.headers.raw, stream=Stream(), extensions=answer.extensions
        )

    def close(self) -> None:
        if self._owned:
            self._sender.close()


def own_transport(limits: httpx.Limits, *, is_async: bool) -> httpx.AsyncBaseTransport | httpx.BaseTransport:
    """The `[httpx2]` extra's pool: an httpx2 transport with `limits`, as httpx's transport interface."""
    import httpx2

    kept = httpx2.Limits(
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
    )
    if is_async:
        return AsyncTransport(httpx2.AsyncHTTPTransport(limits=kept), owned=True)
    return SyncTransport(httpx2.HTTPTransport(limits=kept), owned=True)
