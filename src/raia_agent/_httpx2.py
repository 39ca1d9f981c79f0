"""httpx2 under the client: a user's httpx2.Client / httpx2.AsyncClient, or the `[httpx2]` extra's pool.

httpx2 has httpx's API but classes of its own, so an httpx2 object is never an httpx one. The
request path sends through the httpx2 client itself (`Sender`): one client layer per call, as a
raw httpx2 call has, where wrapping it as the transport of an httpx client ran both clients'
layers and built every request twice (4-5x a raw httpx2 call). What the client guarantees (the
whole-response time bound, the body limit, redaction, no redirects, cookies dropped from its own
pool) stays in the request path, which sees httpx types only: the answer is handed on as an
httpx.Response over httpx2's stream, and a failure as httpx's exception of the same name.

A failure is not chained to httpx2's exception (that one holds the request, its key header
included), nor does it carry it as context; only a certificate failure behind it is kept, so that
such a failure is still recognised and not retried. A ConnectError still means "the request never
left", which the retry policy reads.
"""

from __future__ import annotations

import datetime
import functools
import ssl
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._retry import certificate_error

if TYPE_CHECKING:  # an optional dependency: imported when an httpx2 client is first used
    import httpx2


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


def failure(exc: BaseException) -> httpx.HTTPError:
    """httpx's exception of the same name as httpx2's `exc` (TransportError when httpx has none),
    its message only, caused by nothing but a certificate failure behind `exc`."""
    target = getattr(httpx, type(exc).__name__, None)
    if not (isinstance(target, type) and issubclass(target, httpx.HTTPError)):
        target = httpx.TransportError
    mapped: Any = target(str(exc))
    mapped.__cause__ = certificate_error(exc)
    mapped.__suppress_context__ = True
    return mapped  # type: ignore[no-any-return]


@functools.cache
def _errors() -> type[BaseException]:
    import httpx2

    return httpx2.HTTPError


class Response(httpx.Response):
    """httpx's response for one httpx2 answer. Its request is converted only when asked for (an
    error, a debug log line): the request path itself never reads it, and parsing a URL again
    would cost a third of a raw call."""

    _sent: Any
    _answer: Any

    @property
    def request(self) -> httpx.Request:
        if self._request is None:
            self._request = _request_of(self._sent)
        return self._request

    @request.setter
    def request(self, value: httpx.Request) -> None:
        self._request = value

    @property
    def elapsed(self) -> datetime.timedelta:
        if hasattr(self, "_elapsed"):
            return self._elapsed
        elapsed: datetime.timedelta = self._answer.elapsed
        return elapsed

    @elapsed.setter
    def elapsed(self, elapsed: datetime.timedelta) -> None:
        self._elapsed = elapsed

    # Reading the whole body as it comes (the request path's way) goes straight to the stream: httpx's
    # own loop would add a chunker and an error context per chunk over httpx2's, which has them.
    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        if chunk_size is not None or self.is_stream_consumed or self.is_closed:
            yield from super().iter_raw(chunk_size)  # httpx's checks, and its errors
            return
        stream = self.stream
        assert isinstance(stream, httpx.SyncByteStream)
        self.is_stream_consumed, self._num_bytes_downloaded = True, 0
        for chunk in stream:
            if chunk:
                self._num_bytes_downloaded += len(chunk)
                yield chunk
        self.close()

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        if chunk_size is not None or self.is_stream_consumed or self.is_closed:
            async for chunk in super().aiter_raw(chunk_size):
                yield chunk
            return
        stream = self.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        self.is_stream_consumed, self._num_bytes_downloaded = True, 0
        async for chunk in stream:
            if chunk:
                self._num_bytes_downloaded += len(chunk)
                yield chunk
        await self.aclose()


class _Unkept(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The body of a converted request that streamed its body (a file upload): already sent, not kept."""

    _none: tuple[bytes, ...] = ()

    def __iter__(self) -> Iterator[bytes]:
        yield from self._none

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._none:
            yield chunk


def _request_of(sent: Any) -> httpx.Request:
    content = getattr(sent, "_content", None)
    return httpx.Request(
        sent.method,
        str(sent.url),
        headers=sent.headers.raw,
        stream=_Unkept() if content is None else httpx.ByteStream(content),
        extensions=sent.extensions,
    )


def _response(
    answer: Any, sent: Any, stream: httpx.SyncByteStream | httpx.AsyncByteStream | None
) -> Response:
    if stream is None:
        # read in full already (a mock transport's answer): its body decoded, so its
        # Content-Encoding no longer applies
        headers = [(k, v) for k, v in answer.headers.raw if k.lower() != b"content-encoding"]
        stream = httpx.ByteStream(answer.content)
    else:
        headers = answer.headers.raw
    response = Response(answer.status_code, headers=headers, stream=stream, extensions=answer.extensions)
    response._sent, response._answer = sent, answer
    return response


class _Body(httpx.SyncByteStream):
    __slots__ = ("_answer",)

    def __init__(self, answer: Any) -> None:
        self._answer = answer

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._answer.iter_raw()
        except _errors() as exc:
            mapped = failure(exc)
        else:
            return
        raise mapped  # outside the handler, so httpx2's exception is not even its context

    def close(self) -> None:
        try:
            self._answer.close()
        except _errors() as exc:
            mapped = failure(exc)
        else:
            return
        raise mapped


class _AsyncBody(httpx.AsyncByteStream):
    __slots__ = ("_answer",)

    def __init__(self, answer: Any) -> None:
        self._answer = answer

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._answer.aiter_raw():
                yield chunk
        except _errors() as exc:
            mapped = failure(exc)
        else:
            return
        raise mapped

    async def aclose(self) -> None:
        try:
            await self._answer.aclose()
        except _errors() as exc:
            mapped = failure(exc)
        else:
            return
        raise mapped


class _Base:
    """What both senders share: the httpx2 client, and requests built for it from the request
    path's arguments (its timeout an httpx.Timeout, its URL parsed by `url`)."""

    __slots__ = ("_client", "_extensions", "_timeout")

    def __init__(self, client: Any) -> None:
        self._client = client
        self._timeout: httpx.Timeout | None = None
        self._extensions: dict[str, Any] = {}

    @property
    def is_closed(self) -> bool:
        closed: bool = self._client.is_closed
        return closed

    @property
    def headers(self) -> httpx2.Headers:
        return self._client.headers  # type: ignore[no-any-return]

    @property
    def _transport(self) -> Any:  # what the tests and the bench look into
        return self._client._transport

    @_transport.setter
    def _transport(self, value: Any) -> None:
        self._client._transport = value

    @staticmethod
    def url(text: str) -> httpx2.URL:
        import httpx2

        return httpx2.URL(text)

    def build_request(
        self,
        method: str,
        url: Any,
        *,
        params: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Any = httpx.USE_CLIENT_DEFAULT,
        data: Any = None,
        files: Any = None,
    ) -> httpx2.Request:
        """The client's own build_request (its base URL, default headers and cookies apply, below
        ours), with the timeout as httpx2 reads it from a request."""
        extensions = None
        if isinstance(timeout, httpx.Timeout):
            if timeout is not self._timeout:  # most calls carry the client's one timeout
                self._timeout, self._extensions = timeout, timeout.as_dict()
            extensions = {"timeout": self._extensions}
        request: httpx2.Request = self._client.build_request(
            method, url, params=params, content=content, data=data, files=files, extensions=extensions
        )
        if headers:
            # Set one by one, each replacing the client's header of its name: build_request's merge
            # scans the headers twice more for each name the client has too (User-Agent and
            # Accept-Encoding always), a quarter of a raw call. Every value is printable ASCII (checked
            # in _options and _validation), which is what the merge would have encoded too.
            sent = request.headers
            for name, value in headers.items():
                sent[name] = value
        return request


class Sender(_Base):
    """Raia's request path over an httpx2.Client (a user's, never closed here, or the extra's own)."""

    __slots__ = ()

    def send(self, request: Any, *, stream: bool, follow_redirects: bool) -> httpx.Response:
        try:
            answer = self._client.send(request, stream=True, follow_redirects=follow_redirects)
        except _errors() as exc:
            mapped = failure(exc)
        else:
            return _response(answer, request, None if answer.is_stream_consumed else _Body(answer))
        raise mapped  # see _Body

    def close(self) -> None:
        self._client.close()


class AsyncSender(_Base):
    """AsyncRaia's, over an httpx2.AsyncClient."""

    __slots__ = ()

    async def send(self, request: Any, *, stream: bool, follow_redirects: bool) -> httpx.Response:
        try:
            answer = await self._client.send(request, stream=True, follow_redirects=follow_redirects)
        except _errors() as exc:
            mapped = failure(exc)
        else:
            return _response(answer, request, None if answer.is_stream_consumed else _AsyncBody(answer))
        raise mapped

    async def aclose(self) -> None:
        await self._client.aclose()


@functools.cache
def _no_cookies() -> type[Any]:
    import httpx2

    class NoCookies(httpx2.Cookies):
        """As _pool.NoCookies, for httpx2: the API sets none, and nothing is kept per response."""

        def extract_cookies(self, response: httpx2.Response) -> None:
            return None

    return NoCookies


def own_pool(settings: dict[str, Any]) -> Sender:
    """The `[httpx2]` extra's pool for Raia: an httpx2.Client with `settings` (see _client)."""
    import httpx2

    from . import _deadline

    client = httpx2.Client(**_settings(settings))
    _deadline.bound(client)
    return Sender(_kept_nothing(client))


def own_async_pool(settings: dict[str, Any]) -> AsyncSender:
    """The same for AsyncRaia, an httpx2.AsyncClient."""
    import httpx2

    return AsyncSender(_kept_nothing(httpx2.AsyncClient(**_settings(settings))))


def create_tls() -> ssl.SSLContext:
    """httpx2's default TLS context: the operating system's trust store (see the README)."""
    import httpx2

    context: ssl.SSLContext = httpx2.create_ssl_context()
    return context


def _settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The client's pool settings (headers, an httpx.Timeout, redirects, httpx.Limits) as httpx2's."""
    import httpx2

    limits: httpx.Limits = settings["limits"]
    timeout: httpx.Timeout = settings["timeout"]
    return {
        **settings,
        "timeout": httpx2.Timeout(**timeout.as_dict()),
        "limits": httpx2.Limits(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        ),
    }


def _kept_nothing(client: Any) -> Any:
    client._cookies = _no_cookies()()
    return client
