"""Binary, text and event-stream replies through Raia and AsyncRaia against a transport answering like the
vendor (real bytes, event streams cut at awkward places), and a stream's life: closing, per-event timeouts,
retries, buffering, secrets. Run by tests/client/test_media_out.py with `raia_agent_api` generated from
tests/specs/vendor_media_out (this module is not collected on its own)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import pickle
import threading
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from raia_agent import APIConnectionError, APITimeoutError, AsyncRaia, Raia, ResponseValidationError
from raia_agent.streaming import ServerSentEvent
from tests.support.media_out import arguments, method, operation_of

KEY = "sk-media-out-secret-0123456789"
BASE = "https://vendor.test"
FLAVOURS = ["sync", "async"]


# ---- against a transport answering like the vendor -------------------------------------------


def _sse_chunks() -> list[bytes]:
    """A vendor-like event stream cut at awkward places: a BOM, CRLF split across chunks, a comment,
    multi-line data, a bare CR line end, a UTF-8 character split in two, and an unfinished last event."""
    text = (
        "\ufeff: keep-alive\r\n\r\n"
        'event: delta\r\nid: 7\r\nretry: 1500\r\ndata: {"type": "delta",\r\ndata:  "delta": "h\u00e9llo"}\r\n\r\n'
        'data: {"type":"done","delta":""}\r\r'
        'data: {"type":"delta","delta":"never finished"}\n'
    ).encode()
    cuts = [1, 3, 17, 18, 40, 41, 75, 76, 77, 120]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def _client(flavour: str, handler: Any, **options: Any) -> Any:
    if flavour == "sync":
        return Raia(
            secret_key=KEY,
            base_url=BASE,
            http_client=httpx.Client(transport=httpx.MockTransport(handler)),
            **options,
        )
    return AsyncRaia(
        secret_key=KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        **options,
    )


def _sync_or_async_body(chunks: list[bytes], flavour: str) -> Any:
    if flavour == "sync":
        return iter(chunks)

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    return body()


async def _events(flavour: str, client: Any, op: Any, how: str = "") -> list[ServerSentEvent[Any]]:
    if flavour == "sync":
        result = method(client, op, how)(**arguments(op))
        return list(result.parse() if how else result)
    result = await method(client, op, how)(**arguments(op))
    return [event async for event in (result.parse() if how else result)]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("raw", [False, True], ids=["parsed", "raw"])
async def test_a_vendor_event_stream_split_at_awkward_places_parses_by_the_standard(
    flavour: str, raw: bool
) -> None:
    """BOM, CRLF/CR line ends, comments, multi-line data and split chunks parse as the SSE standard says."""
    op = operation_of("events")
    chunks = _sse_chunks()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=_sync_or_async_body(chunks, flavour)
        )

    client = _client(flavour, handler)
    events = await _events(flavour, client, op, "with_raw_response" if raw else "")
    assert [(e.event, e.id, e.retry) for e in events] == [("delta", "7", 1500), ("message", "7", 1500)]
    assert events[0].data == '{"type": "delta",\n "delta": "h\u00e9llo"}'
    assert events[0].json().delta == "h\u00e9llo" and events[1].json().type_ == "done"


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_vendor_binary_and_text_bodies_arrive_intact(flavour: str) -> None:
    """Real bytes (gzip-encoded on the wire) come back whole; text is decoded per its declared charset."""
    payload = bytes(range(256)) * 300
    binary_op, text_op = operation_of("binary"), operation_of("text")

    def handler(request: httpx.Request) -> httpx.Response:
        if (
            request.method == binary_op.method
            and "summary" not in request.url.path
            and request.url.path.endswith(binary_op.path.rpartition("/")[2])
        ):
            headers = {"content-type": "application/octet-stream", "content-encoding": "gzip"}
            return httpx.Response(
                200, headers=headers, content=_sync_or_async_body([gzip.compress(payload)], flavour)
            )
        return httpx.Response(
            200,
            headers={"content-type": "text/plain; charset=iso-8859-1"},
            content=_sync_or_async_body(["Zusammenfassung: gr\u00fc\u00df".encode("latin-1")], flavour),
        )

    client = _client(flavour, handler)
    if flavour == "sync":
        binary, text = (
            method(client, binary_op)(**arguments(binary_op)),
            method(client, text_op)(**arguments(text_op)),
        )
    else:
        binary, text = (
            await method(client, binary_op)(**arguments(binary_op)),
            await method(client, text_op)(**arguments(text_op)),
        )
    assert binary.content == payload
    assert text == "Zusammenfassung: gr\u00fc\u00df"


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_text_in_a_charset_it_does_not_fit_is_a_typed_error(flavour: str) -> None:
    """A text body that is not in its declared charset raises ResponseValidationError, not UnicodeDecodeError."""
    op = operation_of("text")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-type": "text/plain; charset=utf-8"},
            content=_sync_or_async_body([b"\xff\xfe bad"], flavour),
        )

    client = _client(flavour, handler)
    with pytest.raises(ResponseValidationError, match="not utf-8"):
        if flavour == "sync":
            method(client, op)(**arguments(op))
        else:
            await method(client, op)(**arguments(op))


# ---- a stream's life: closing, timeouts, retries, secrets ------------------------------------


class Tracked(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that counts the chunks pulled from it and knows whether it was closed."""

    def __init__(self, chunks: list[bytes], hang: float | None = None, fail_after: int | None = None) -> None:
        self.chunks, self.hang, self.fail_after = chunks, hang, fail_after
        self.pulled = 0
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if self.fail_after is not None and self.pulled >= self.fail_after:
                raise httpx.ReadError("connection reset")
            self.pulled += 1
            yield chunk
            if self.hang is not None:
                time.sleep(self.hang)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            if self.fail_after is not None and self.pulled >= self.fail_after:
                raise httpx.ReadError("connection reset")
            self.pulled += 1
            yield chunk
            if self.hang is not None:
                await asyncio.sleep(self.hang)

    def close(self) -> None:
        self.closed.set()

    async def aclose(self) -> None:
        self.closed.set()


def _tracked_response(body: Tracked, media: str = "text/event-stream") -> httpx.Response:
    return httpx.Response(200, headers={"content-type": media}, stream=body)


def _event(n: int) -> bytes:
    return f'id: {n}\ndata: {{"type":"delta","delta":"{n}"}}\n\n'.encode()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_breaking_out_of_the_loop_closes_the_connection(flavour: str) -> None:
    """Leaving the loop after the first event closes the response without reading the rest."""
    op = operation_of("events")
    body = Tracked([_event(n) for n in range(1, 1000)])
    client = _client(flavour, lambda request: _tracked_response(body))
    if flavour == "sync":
        for _ in method(client, op)(**arguments(op)):
            break
    else:
        stream = await method(client, op)(**arguments(op))
        async for _ in stream:
            break
        for _ in range(100):  # the event loop runs the abandoned loop's cleanup on a later turn
            if body.closed.is_set():
                break
            await asyncio.sleep(0)
    assert body.closed.is_set()
    assert body.pulled < 10


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_stream_used_as_a_context_manager_closes_on_exit(flavour: str) -> None:
    """Leaving the `with` block closes the response."""
    op = operation_of("events")
    body = Tracked([_event(n) for n in range(1, 1000)])
    client = _client(flavour, lambda request: _tracked_response(body))
    if flavour == "sync":
        with method(client, op)(**arguments(op)) as stream:
            next(iter(stream))
    else:
        async with await method(client, op)(**arguments(op)) as astream:
            await astream.__aiter__().__anext__()
    assert body.closed.is_set()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_the_read_timeout_applies_per_event_not_to_the_whole_stream(flavour: str) -> None:
    """Events each within the timeout all arrive though the stream outlasts it; a gap with only keep-alive
    comments longer than the timeout raises APITimeoutError."""
    op = operation_of("events")
    steady = Tracked([_event(n) for n in range(1, 16)], hang=0.05)
    client = _client(flavour, lambda request: _tracked_response(steady), timeout=0.5)
    assert len(await _events(flavour, client, op)) == 15
    stalled = Tracked([_event(1), *[b": still here\n"] * 400], hang=0.05)  # 20 s of comments at most
    client = _client(flavour, lambda request: _tracked_response(stalled), timeout=0.3)
    with pytest.raises(APITimeoutError, match="no event arrived"):
        await _events(flavour, client, op)
    assert stalled.pulled < 400


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_no_retry_once_the_first_byte_arrived(flavour: str) -> None:
    """A connection lost mid-stream raises after the events already yielded; the request is not repeated.
    A 429 before any byte is retried (the operation is a POST: only a refusal the API never acted on is)."""
    op = operation_of("events")
    requests: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(1)
        if len(requests) == 1:
            return httpx.Response(
                429, json={"statusCode": 429, "message": "slow down"}, headers={"retry-after": "0"}
            )
        return _tracked_response(Tracked([_event(1), _event(2), _event(3)], fail_after=1))

    client = _client(flavour, handler, max_retries=3)
    seen: list[str | None] = []
    with pytest.raises(APIConnectionError):
        if flavour == "sync":
            for event in method(client, op)(**arguments(op)):
                seen.append(event.id)
        else:
            async for event in await method(client, op)(**arguments(op)):
                seen.append(event.id)
    assert seen == ["1"]
    assert len(requests) == 2


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_with_streaming_response_does_not_buffer_the_body(flavour: str) -> None:
    """Reading the first chunk through with_streaming_response pulls one chunk, not the whole body."""
    op = operation_of("binary")
    body = Tracked([bytes([n]) * 1024 for n in range(200)])
    client = _client(flavour, lambda request: _tracked_response(body, "application/octet-stream"))
    if flavour == "sync":
        with method(client, op, "with_streaming_response")(**arguments(op)) as response:
            first = next(iter(response.iter_bytes()))
            pulled = body.pulled
    else:
        async with method(client, op, "with_streaming_response")(**arguments(op)) as aresponse:
            first = await aresponse.iter_bytes().__anext__()
            pulled = body.pulled
    assert first == b"\x00" * 1024
    assert pulled == 1
    assert body.closed.is_set()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_streamed_text_never_shows_the_secret(flavour: str, caplog: pytest.LogCaptureFixture) -> None:
    """An event echoing the key is redacted in debug logs and in the error its bad data raises."""
    op = operation_of("events")
    chunks = [f'data: {{"type":"delta","delta":"{KEY}"}}\n\n'.encode(), f"data: not json {KEY}\n\n".encode()]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=_sync_or_async_body(chunks, flavour)
        )

    client = _client(flavour, handler)
    with caplog.at_level(logging.DEBUG, logger="raia_agent"):
        events = await _events(flavour, client, op)
    assert events[0].json().delta == KEY  # the caller's own data is theirs
    with pytest.raises(ResponseValidationError) as raised:
        events[1].json()
    assert KEY not in str(raised.value)
    assert any("event" in record.getMessage() for record in caplog.records)
    assert all(KEY not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    "data", [f"not json {KEY}", f'{{"type": 5, "delta": "{KEY}"}}'], ids=["not-json", "off-schema"]
)
async def test_the_error_of_an_event_echoing_the_secret_hides_it_in_its_body_headers_and_pickle(
    flavour: str, data: str
) -> None:
    """An event's bad data and a header echoing the key: the error's body, response headers and pickle hide it."""
    op = operation_of("events")

    def handler(request: httpx.Request) -> httpx.Response:
        chunks = [f"data: {data}\n\n".encode()]
        headers = {"content-type": "text/event-stream", "x-request-id": KEY}
        return httpx.Response(200, headers=headers, content=_sync_or_async_body(chunks, flavour))

    (event,) = await _events(flavour, _client(flavour, handler), op)
    with pytest.raises(ResponseValidationError) as raised:
        event.json()
    assert KEY not in repr(raised.value.body) and KEY not in repr(raised.value.problems)
    assert KEY not in str(raised.value.response.headers)
    assert KEY.encode() not in pickle.dumps(raised.value)


def _two_gzip_layers(size: int) -> bytes:
    """`size` zero bytes under two gzip layers: a few hundred bytes on the wire."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return gzip.compress(b"".join(inner.compress(zeros) for _ in range(size >> 20)) + inner.flush())


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("kind", "how"), [("json", ""), ("binary", ""), ("events", ""), ("binary", "stream")]
)
async def test_a_body_under_two_gzip_layers_is_refused_before_it_is_inflated(
    flavour: str, kind: str, how: str
) -> None:
    """`Content-Encoding: gzip, gzip` (an encoding the client never asked for) is a typed error, and the
    64 MiB it would inflate to is never held in memory."""
    op = operation_of(kind)
    bomb = _two_gzip_layers(64 << 20)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept-encoding"] == "gzip, deflate"
        headers = {"content-type": op.replies[op.success].media, "content-encoding": "gzip, gzip"}
        return httpx.Response(200, headers=headers, content=_sync_or_async_body([bomb], flavour))

    client = _client(flavour, handler, max_retries=0)
    call = method(client, op, "with_streaming_response" if how else "")
    tracemalloc.start()
    try:
        with pytest.raises(ResponseValidationError, match="Content-Encoding"):
            if flavour == "sync":
                with (
                    call(**arguments(op)) if how else contextlib.nullcontext(call(**arguments(op))) as result
                ):
                    list(result.iter_bytes() if how else result if kind == "events" else ())
            elif how:
                async with call(**arguments(op)) as aresult:
                    [chunk async for chunk in aresult.iter_bytes()]
            else:
                aresult = await call(**arguments(op))
                if kind == "events":
                    [event async for event in aresult]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
async def test_an_event_with_a_value_a_newer_spec_explains_follows_strict_responses(
    flavour: str, strict: bool
) -> None:
    """A new enum value in an event's data is refused with strict_responses, kept (and warned) without, as for JSON."""
    op = operation_of("events")
    chunks = [b'data: {"type":"tool_call","delta":"x"}\n\n']

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=_sync_or_async_body(chunks, flavour)
        )

    (event,) = await _events(flavour, _client(flavour, handler, strict_responses=strict), op)
    if strict:
        with pytest.raises(ResponseValidationError, match="tool_call"):
            event.json()
    else:
        assert event.json().type_ == "tool_call"
