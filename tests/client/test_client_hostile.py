"""Hostile servers and bad arguments end in a typed error, in bounded time and memory, never leaking the key."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import json
import logging
import pickle
import socket
import time
import traceback
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
from raia_agent_api.resources._operations import AUTH_HEADERS

from raia_agent import (
    APIStatusError,
    APITimeoutError,
    AsyncRaia,
    BadRequestError,
    InternalServerError,
    Raia,
    RaiaError,
    ResponseValidationError,
)
from tests.support.raw_server import raw_server, response_head
from tests.support.server_helpers import CREATE_ARGS

KEY = "sk-hostile-5d1e9a7c33b2"
ARGS = CREATE_ARGS
FLAVOURS = ["sync", "async"]


def call(flavour: str, base_url: str, **options: Any) -> object:
    """One create_or_update through Raia or AsyncRaia; what it returns or raises."""
    http = options.pop("http_client", None)
    if flavour == "sync":
        with Raia(secret_key=KEY, base_url=base_url, max_retries=0, http_client=http, **options) as client:
            return client.feedback.create_or_update(**ARGS)

    async def run() -> object:
        async with AsyncRaia(
            secret_key=KEY, base_url=base_url, max_retries=0, http_client=http, **options
        ) as client:
            return await client.feedback.create_or_update(**ARGS)

    return asyncio.run(run())


def answer(status: int, body: bytes, **headers: str) -> Callable[[socket.socket, bytes], None]:
    def handle(conn: socket.socket, request: bytes) -> None:
        head = {"content-type": "application/json", "content-length": str(len(body)), **headers}
        conn.sendall(response_head(status, head) + body)

    return handle


def answer_raw(data: bytes) -> Callable[[socket.socket, bytes], None]:
    return lambda conn, request: conn.sendall(data)


DEEP = b"[" * 100_000
HUGE_INT = b'{"id": ' + b"7" * 5000 + b"}"


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (201, b"this is not gzip at all", {"content-encoding": "gzip"}, ResponseValidationError),
        (201, DEEP, {}, ResponseValidationError),
        (500, DEEP, {}, InternalServerError),
        (201, HUGE_INT, {}, ResponseValidationError),
        (400, HUGE_INT, {}, BadRequestError),
        (201, gzip.compress(b"{" * 10), {"content-encoding": "gzip"}, ResponseValidationError),
    ],
    ids=["bad-gzip", "deep-201", "deep-500", "huge-int-201", "huge-int-400", "gzip-garbage-json"],
)
def test_malformed_bodies_raise_typed_errors(
    flavour: str, status: int, body: bytes, headers: dict[str, str], expected: type[RaiaError]
) -> None:
    """Bad gzip, 100,000 nested brackets and 5,000-digit numbers raise the typed error, nothing raw."""
    with raw_server(answer(status, body, **headers)) as url, pytest.raises(expected) as info:
        call(flavour, url)
    assert KEY not in str(info.value)


def trickle(conn: socket.socket, request: bytes) -> None:
    """A chunked 201 of 1 KiB every 0.2 s, for up to 60 s: each read is quick, the body never ends."""
    conn.sendall(response_head(201, {"content-type": "application/json", "transfer-encoding": "chunked"}))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conn.sendall(b"400\r\n" + b" " * 1024 + b"\r\n")
        time.sleep(0.2)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_trickling_body_is_bounded_by_the_timeout(flavour: str) -> None:
    """A body that trickles in forever raises APITimeoutError after about `timeout`, not never."""
    with raw_server(trickle) as url, pytest.raises(APITimeoutError, match="did not arrive within 1 s"):
        call(flavour, url, timeout=1.0)


def endless(conn: socket.socket, request: bytes) -> None:
    conn.sendall(response_head(201, {"content-type": "application/json", "transfer-encoding": "chunked"}))
    chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
    for _ in range(1000):  # 64 MiB at most, so a client that reads it all still ends the test
        conn.sendall(chunk)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_endless_body_is_bounded_in_size(flavour: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A body larger than the limit raises ResponseValidationError once the limit is passed."""
    monkeypatch.setattr("raia_agent._base_client.MAX_RESPONSE_BYTES", 1 << 20)
    with (
        raw_server(endless) as url,
        pytest.raises(ResponseValidationError, match="larger than 1048576 bytes"),
    ):
        call(flavour, url)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_closed_client_raises_raia_error(flavour: str) -> None:
    """Calling a closed client raises RaiaError, not httpx's RuntimeError."""
    if flavour == "sync":
        client = Raia(secret_key=KEY, base_url="http://127.0.0.1:9")
        client.close()
        with pytest.raises(RaiaError, match="closed"):
            client.feedback.create_or_update(**ARGS)
        return

    async def run() -> None:
        client = AsyncRaia(secret_key=KEY, base_url="http://127.0.0.1:9")
        await client.aclose()
        with pytest.raises(RaiaError, match="closed"):
            await client.feedback.create_or_update(**ARGS)

    asyncio.run(run())


@pytest.mark.parametrize("cls", [Raia, AsyncRaia])
@pytest.mark.parametrize(
    ("timeout", "exc"),
    [
        (-1, ValueError),
        (0, ValueError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        ("5", TypeError),
    ],
)
def test_bad_timeouts_are_refused_at_construction(
    cls: type[Raia], timeout: Any, exc: type[Exception]
) -> None:
    """A negative, zero, NaN, infinite or non-numeric timeout is refused naming `timeout`."""
    with pytest.raises(exc, match="timeout"):
        cls(secret_key=KEY, timeout=timeout)
    with pytest.raises(exc, match="timeout"):
        cls(secret_key=KEY).with_options(timeout=timeout)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("status", [500, 201])
def test_a_request_id_echoing_the_key_is_redacted(
    flavour: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A proxy echoing the key in x-request-id never gets it printed: message, attribute or debug log."""
    body = b'{"status": 500, "message": "boom"}' if status == 500 else b'{"not": "a feedback"}'
    caplog.set_level(logging.DEBUG, logger="raia_agent")
    echo = answer(status, body, **{"x-request-id": f"echo-{KEY}"})
    with raw_server(echo) as url, pytest.raises(RaiaError) as info:
        call(flavour, url)
    error: Any = info.value
    assert KEY not in str(error)
    assert "[REDACTED]" in str(error)
    assert KEY not in (error.request_id or "")
    assert KEY not in caplog.text
    assert "echo-[REDACTED]" in caplog.text


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("raw", "shown"),
    [(b"req-\x9b31m-", "req-\\x9b31m-"), ("req-\u202e-".encode(), "req-\\u202e-")],
    ids=["C1 CSI byte", "UTF-8 bidi override"],
)
def test_a_request_id_with_terminal_controls_is_escaped_and_bounded(
    flavour: str, raw: bytes, shown: str, caplog: pytest.LogCaptureFixture
) -> None:
    """x-request-id holding a C1 control or a bidi override, then 5,000 bytes, reaches message, attribute and log escaped and cut."""
    value = raw + b"x" * 5000
    body = b'{"status": 500, "message": "boom"}'
    head = b"HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\ncontent-type: application/json\r\n"
    data = head + b"content-length: %d\r\nx-request-id: %s\r\n\r\n%s" % (len(body), value, body)
    caplog.set_level(logging.DEBUG, logger="raia_agent")
    with raw_server(answer_raw(data)) as url, pytest.raises(RaiaError) as info:
        call(flavour, url)
    error: Any = info.value
    for text in (str(error), error.request_id, caplog.text):
        assert "\x9b" not in text and "\u202e" not in text
    assert error.request_id.startswith(shown + "xxx")
    assert len(error.request_id) < 300 and len(str(error)) < 600


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_key_never_follows_a_redirect_to_another_origin(flavour: str) -> None:
    """Even a user's http_client with follow_redirects=True sends the key to no other origin."""
    seen: list[bytes] = []

    def elsewhere(conn: socket.socket, request: bytes) -> None:
        seen.append(request)
        answer(201, b"{}")(conn, request)

    with raw_server(elsewhere) as other:
        redirect = answer(307, b"", location=f"{other}/steal")
        with raw_server(redirect) as url:
            http: httpx.Client | httpx.AsyncClient = (
                httpx.Client(follow_redirects=True)
                if flavour == "sync"
                else httpx.AsyncClient(follow_redirects=True)
            )
            with pytest.raises(APIStatusError) as info:
                call(flavour, url, http_client=http)
    assert info.value.status_code == 307
    assert not any(KEY.encode() in request for request in seen)
    assert all(name.encode() not in b"".join(seen) for name in AUTH_HEADERS)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_lone_surrogate_is_refused_before_sending(flavour: str) -> None:
    """A string UTF-8 cannot encode raises ValueError naming the field; nothing is sent."""
    seen: list[bytes] = []

    def record(conn: socket.socket, request: bytes) -> None:
        seen.append(request)

    with raw_server(record) as url, pytest.raises(ValueError, match="question"):
        if flavour == "sync":
            with Raia(secret_key=KEY, base_url=url) as client:
                client.feedback.create_or_update(**{**ARGS, "question": "\ud800"})
        else:

            async def run() -> None:
                async with AsyncRaia(secret_key=KEY, base_url=url) as client:
                    await client.feedback.create_or_update(**{**ARGS, "question": "\ud800"})

            asyncio.run(run())
    assert seen == []


def silent(conn: socket.socket, request: bytes) -> None:
    """Accept the request and never answer (for at most 30 s)."""
    conn.settimeout(30)
    with contextlib.suppress(OSError):
        conn.recv(1)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("how", ["constructor", "with_options", "per-call retries"])
def test_a_silent_server_is_bounded_by_the_configured_timeout(flavour: str, how: str) -> None:
    """A server that never answers raises APITimeoutError: the client's own pool applies its timeout."""
    with raw_server(silent) as url, pytest.raises(APITimeoutError):
        if flavour == "sync":
            with Raia(secret_key=KEY, base_url=url, timeout=0.5, max_retries=0) as client:
                target = client.with_options(max_retries=0) if how == "with_options" else client
                target.feedback.create_or_update(
                    **ARGS, **({"max_retries": 0} if how == "per-call retries" else {})
                )
        else:

            async def run() -> None:
                async with AsyncRaia(secret_key=KEY, base_url=url, timeout=0.5, max_retries=0) as client:
                    target = client.with_options(max_retries=0) if how == "with_options" else client
                    await target.feedback.create_or_update(**ARGS)

            asyncio.run(run())


def header_trickle(conn: socket.socket, request: bytes) -> None:
    conn.sendall(b"HTTP/1.1 201 Created\r\n")
    deadline = time.monotonic() + 30
    with contextlib.suppress(OSError):
        while time.monotonic() < deadline:
            conn.sendall(b"X-A: b\r\n")
            time.sleep(0.2)


def _pool_of(pool: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Any]:
    """(flavour, http_client) for `pool`: "<flavour>-own-<library>" or "sync-yours-<library>"."""
    import httpx2

    from raia_agent import _transport

    flavour, whose, library = pool.split("-")
    if whose == "own":
        monkeypatch.setattr(_transport, "SYNC_DEFAULT", library)
        return flavour, None
    return flavour, (httpx.Client() if library == "httpx" else httpx2.Client())


@pytest.mark.parametrize(
    "pool",
    ["async-own-aiohttp", "sync-own-httpx", "sync-own-httpx2", "sync-yours-httpx", "sync-yours-httpx2"],
)
def test_a_trickling_head_is_bounded_by_the_timeout(pool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A header line every 0.2 s cannot hold a call past its read timeout, sync or async, on any pool."""
    flavour, http = _pool_of(pool, monkeypatch)
    with contextlib.ExitStack() as stack:
        if http is not None:
            stack.callback(http.close)
        url = stack.enter_context(raw_server(header_trickle))
        with pytest.raises(APITimeoutError, match="within 1 s"):
            call(flavour, url, timeout=1.0, http_client=http)


def every_link(exc: BaseException) -> list[BaseException]:
    """Every exception reachable from `exc` by cause or context, suppressed or not."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        link = todo.pop()
        if link is not None and all(link is not seen for seen in found):
            found.append(link)
            todo += [link.__cause__, link.__context__]
    return found


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    "reply",
    [b"hello", f"HTTP/1.1 2x1 {KEY}\r\n\r\n".encode(), b"HTTP/1.1 201 Created\r\nContent-Length: x\r\n\r\n"],
    ids=["not-http", "key-in-status-line", "bad-content-length"],
)
def test_no_exception_behind_a_broken_answer_holds_the_key(flavour: str, reply: bytes) -> None:
    """Neither the error nor any exception behind it, by cause or context, shows the key."""
    with raw_server(answer_raw(reply)) as url, pytest.raises(RaiaError) as info:
        call(flavour, url)
    assert_no_link_holds_the_key(info.value)


def assert_no_link_holds_the_key(exc: BaseException) -> None:
    for link in every_link(exc):
        shown = repr(link) + str(link) + repr(getattr(link, "__dict__", {}))
        assert KEY not in shown, f"{type(link).__module__}.{type(link).__name__}"


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/json", f'{{"id": "{KEY}"'.encode()), ("application/json", KEY.encode() + b"\xff")],
    ids=["not-json", "not-utf8"],
)
def test_no_exception_behind_an_unreadable_body_holds_the_key(
    flavour: str, content_type: str, body: bytes
) -> None:
    """A 201 whose body echoes the key and cannot be read leaves the raw body in no exception behind the
    error, and the decoding error kept as its cause still pickles."""
    reply = answer(201, body, **{"content-type": content_type})
    with raw_server(reply) as url, pytest.raises(ResponseValidationError) as info:
        call(flavour, url)
    assert_no_link_holds_the_key(info.value)
    cause = info.value.__cause__
    assert isinstance(cause, ValueError)
    assert str(pickle.loads(pickle.dumps(cause))) == str(cause)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_key_echoed_in_the_headers_of_a_success_is_redacted(flavour: str) -> None:
    """A 201 whose head echoes the key (x-request-id, any header's value or name, the reason phrase) shows
    it neither as `_request_id` nor in `.headers` nor as the reason."""
    from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

    from tests.support.bodies import success_body

    fields = {p.name: ARGS[p.python] for p in CREATE.params if p.location == "body" and p.python in ARGS}
    body = json.dumps(success_body(CREATE, **fields)).encode()
    echoes = {"x-request-id": KEY, "x-echo": f"key={KEY}", f"x-{KEY}": "1"}
    head = response_head(
        CREATE.success, {"content-type": "application/json", "content-length": str(len(body)), **echoes}
    )

    def reply(conn: socket.socket, request: bytes) -> None:  # the key as the reason phrase too
        conn.sendall(head.replace(b" X\r\n", f" {KEY}\r\n".encode(), 1) + body)

    with raw_server(reply) as url:
        model: Any = call(flavour, url)
        with Raia(secret_key=KEY, base_url=url, max_retries=0) as client:
            raw = client.feedback.with_raw_response.create_or_update(**ARGS)
    assert model._request_id == raw.request_id == "[REDACTED]"
    assert KEY not in repr(raw.headers) and raw.headers["x-echo"] == "key=[REDACTED]"
    assert KEY not in raw.http_response.reason_phrase and f"x-{KEY}" not in raw.headers


def test_the_read_timeout_counts_from_the_first_read_not_from_the_wait_for_a_connection() -> None:
    """Raia's read budget starts once its request is sent: time queued for a pooled connection is the pool's."""
    import threading

    from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

    from tests.support.bodies import success_body

    fields = {p.name: ARGS[p.python] for p in CREATE.params if p.location == "body" and p.python in ARGS}
    body = json.dumps(success_body(CREATE, **fields)).encode()

    def slow(conn: socket.socket, request: bytes) -> None:
        time.sleep(1.2)  # each answer well within the 2 s read timeout; two in a row are not
        answer(CREATE.success, body)(conn, request)

    outcomes: list[object] = []
    with raw_server(slow) as url, httpx.Client(limits=httpx.Limits(max_connections=1)) as http:
        client = Raia(
            secret_key=KEY, base_url=url, max_retries=0, timeout=httpx.Timeout(10, read=2.0), http_client=http
        )

        def one() -> None:
            try:
                outcomes.append(client.feedback.create_or_update(**ARGS))
            except RaiaError as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=one) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not [o for o in outcomes if isinstance(o, RaiaError)], outcomes
    assert len(outcomes) == 2


def test_a_body_sent_slower_than_the_read_timeout_is_bounded_by_the_write_timeout() -> None:
    """Sending a large body keeps its own (write) timeout: the read budget starts after it."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    received: list[int] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            time.sleep(1.5)  # the client's send blocks on full socket buffers meanwhile
            data = bytearray()
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head = bytes(data[: data.index(b"\r\n\r\n")]).lower()
            length = int(head.split(b"content-length:")[1].split(b"\r\n")[0])
            body = len(data) - len(head) - 4
            while body < length and (chunk := conn.recv(1 << 20)):  # read at once: the client's clock runs
                body += len(chunk)
            received.append(body)
            head_500 = response_head(500, {"content-type": "application/json", "content-length": "2"})
            conn.sendall(head_500 + b"{}")

    thread = threading.Thread(target=serve)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        timeout = httpx.Timeout(10, read=1.0)
        client = Raia(secret_key=KEY, base_url=url, max_retries=0, timeout=timeout)
        with client, pytest.raises(InternalServerError):  # the answer arrived, after the whole upload
            client.feedback.create_or_update(**ARGS, extra_body={"pad": "x" * 32_000_000})
    finally:
        thread.join()
        listener.close()
    assert received and received[0] > 32_000_000


def slow_head(conn: socket.socket, request: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(8):  # 1.6 s in all, each line well within a 1 s read timeout
        conn.sendall(b"X-A: b\r\n")
        time.sleep(0.2)
    conn.sendall(b"content-length: 2\r\n\r\n{}")


@pytest.mark.parametrize("library", ["httpx", "httpx2"])
def test_your_client_keeps_its_per_read_timeout_outside_raia(library: str) -> None:
    """Your http_client, once Raia has it, still lets a slow head through when you call it yourself."""
    import httpx2

    http: Any = httpx.Client() if library == "httpx" else httpx2.Client()
    with http, Raia(secret_key=KEY, http_client=http), raw_server(slow_head) as url:
        assert http.get(url, timeout=1.0).json() == {}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_key_echoed_in_a_broken_status_line_stays_out_of_the_exception_chain(flavour: str) -> None:
    """Transport errors quoting what the server sent are scrubbed along the whole chain."""
    status_line = answer_raw(f"HTTP/1.1 2x1 {KEY}\r\n\r\n".encode())
    with raw_server(status_line) as url, pytest.raises(RaiaError) as info:
        call(flavour, url)
    text = "".join(traceback.format_exception(info.value))
    assert KEY not in text, text


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_server_message_with_terminal_controls_is_escaped_in_the_error(flavour: str) -> None:
    """A 400 whose message holds OSC 52, CSI and a bidi override reaches str(error) escaped; .body keeps it as sent."""
    message = "bad \x1b]52;c;cm0gLXJmIH4=\x07 \x9b31m \u202eevil"
    body = json.dumps({"statusCode": 400, "message": message}).encode()
    with raw_server(answer(400, body)) as url, pytest.raises(BadRequestError) as info:
        call(flavour, url)
    shown = str(info.value)
    assert not any(ch in shown for ch in "\x1b\x07\x9b\u202e"), repr(shown)
    assert "\\x1b]52;c;cm0gLXJmIH4=\\x07 \\x9b31m \\u202eevil" in shown
    assert info.value.body["message"] == message


PERCENT_KEY = "sk-test/plus+key 0123"


@pytest.mark.parametrize(
    "echoed",
    [
        quote(PERCENT_KEY, safe=""),
        quote(PERCENT_KEY, safe="").lower(),
        quote_plus(PERCENT_KEY, safe=""),
        quote(PERCENT_KEY),
        quote(PERCENT_KEY, safe="!~*'()"),
        json.dumps(PERCENT_KEY)[1:-1].replace("/", "\\/"),
    ],
    ids=[
        "upper hex",
        "lower hex",
        "form-encoded",
        "python quote",
        "js encodeURIComponent",
        "json slash escaped",
    ],
)
def test_a_key_echoed_percent_encoded_is_hidden_in_message_body_and_pickle(echoed: str) -> None:
    """A proxy quoting the request URL or a form body echoes the key encoded as common encoders do: hidden
    like the key itself."""
    body = json.dumps({"statusCode": 400, "message": f"bad url /x?key={echoed}"}).encode()
    with (
        raw_server(answer(400, body)) as url,
        pytest.raises(BadRequestError) as info,
        Raia(secret_key=PERCENT_KEY, base_url=url, max_retries=0) as client,
    ):
        client.feedback.create_or_update(**ARGS)
    assert echoed not in str(info.value) and "[REDACTED]" in str(info.value)
    assert echoed.encode() not in pickle.dumps(info.value)


@pytest.mark.parametrize("padding", [0, 190, 197])
def test_a_key_echoed_in_an_error_body_is_hidden_in_every_form(padding: int) -> None:
    """A key with " or \\ echoed JSON-escaped, or cut by the 200-character excerpt, leaks no part of it."""
    key = 'sk-"quoted\\key-77'
    body = json.dumps({"statusCode": 400, "message": "x" * padding + key}).encode()
    with (
        raw_server(answer(400, body)) as url,
        pytest.raises(BadRequestError) as info,
        Raia(secret_key=key, base_url=url, max_retries=0) as client,
    ):
        client.feedback.create_or_update(**ARGS)
    assert "quoted" not in str(info.value)
    assert "sk-" not in str(info.value)


def test_reusing_an_async_client_in_another_event_loop_is_a_raia_error() -> None:
    """A closed event loop surfaces as RaiaError, not a raw RuntimeError."""
    with raw_server(answer(201, b"{}")) as url:
        client = AsyncRaia(secret_key=KEY, base_url=url, max_retries=0)
        with contextlib.suppress(RaiaError):
            asyncio.run(client.feedback.create_or_update(**ARGS))
        with pytest.raises(RaiaError):
            asyncio.run(client.feedback.create_or_update(**ARGS))


@pytest.mark.parametrize(
    ("options", "exc", "named"),
    [
        ({"default_headers": {"X-A": "a\r\nX-Evil: 1"}}, ValueError, "default_headers"),
        ({"default_headers": {"X-A": "é"}}, ValueError, "default_headers"),
        ({"default_headers": {"X-A": 1}}, TypeError, "default_headers"),
        ({"base_url": "https://api.example/?q=1"}, ValueError, "query"),
        ({"base_url": "https://api.example/#x"}, ValueError, "fragment"),
        ({"base_url": "https://user:pw@api.example"}, ValueError, "credentials"),
    ],
)
def test_bad_configuration_is_refused_at_construction(
    options: dict[str, Any], exc: type[Exception], named: str
) -> None:
    """Header injection, non-ASCII or non-str default headers, and odd base URLs fail at construction."""
    with pytest.raises(exc, match=named) as info:
        Raia(secret_key=KEY, **options)
    assert "pw" not in str(info.value)


def test_a_default_header_cannot_duplicate_the_key_header() -> None:
    """default_headers spelling an auth header in any case cannot add a second copy of it."""
    seen: list[bytes] = []

    def record(conn: socket.socket, request: bytes) -> None:
        seen.append(request)
        answer(500, b"{}")(conn, request)

    header = AUTH_HEADERS[0]
    with raw_server(record) as url, pytest.raises(InternalServerError):
        call("sync", url, default_headers={header.lower(): "other", header.upper(): "x"})
    head = seen[0].split(b"\r\n\r\n")[0].lower()
    assert head.count(header.lower().encode() + b":") == 1
    assert KEY.encode() in seen[0]


@functools.cache  # compressing 256 MiB costs more than a refusal: once, not once per flavour
def gzip_bomb(decoded_mib: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"\0" * (1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(decoded_mib)) + packer.flush()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_gzip_bomb_is_refused_without_inflating_it(flavour: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small gzip body that inflates past the limit is refused with memory near the limit, not its size."""
    monkeypatch.setattr("raia_agent._base_client.MAX_RESPONSE_BYTES", 1 << 20)
    bomb = gzip_bomb(256)
    tracemalloc.start()
    try:
        with (
            raw_server(answer(201, bomb, **{"content-encoding": "gzip"})) as url,
            pytest.raises(ResponseValidationError, match="larger than 1048576 bytes"),
        ):
            call(flavour, url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20, f"peak {peak >> 20} MiB while refusing a 256 MiB body"
