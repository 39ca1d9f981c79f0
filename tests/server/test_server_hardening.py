"""The local server under hostile and careless clients (issue 10, items 11-13)."""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from raia_agent.testing import LocalServer, local_server
from tests.support.server_helpers import LogCapture, read_until_closed, request_body

PATH = "/external/conversation-message-feedbacks"
KEY = "Agent-Secret-Key"
TOO_LARGE = {"statusCode": 413, "message": "request entity too large", "error": "Payload Too Large"}


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


def valid_json(**overrides: object) -> bytes:
    return json.dumps(request_body(**overrides)).encode()


def post_raw(
    server: LocalServer, content: bytes, content_type: str | None = "application/json"
) -> httpx.Response:
    headers = {KEY: server.secret_key, **({"content-type": content_type} if content_type else {})}
    return httpx.post(server.base_url + PATH, content=content, headers=headers, timeout=30)


def nested(depth: int) -> bytes:
    return b'{"conversationMessageId":' + b"[" * depth + b"1" + b"]" * depth + b"}"


HOSTILE = {
    "100,000 [": b"[" * 100_000,
    "deep value, past the parser's recursion": nested(5_000),
    "deep value, inside the parser's recursion": nested(500),
    "5,000-digit integer": valid_json()[:-1] + b',"answer":' + b"9" * 5_000 + b"}",
    "5,000-digit number with a fraction": valid_json()[:-1] + b',"answer":1.' + b"5" * 5_000 + b"e999}",
    "lone surrogate in a string": valid_json(question="\ud800 left alone"),
    "lone surrogate in a key": valid_json()[:-1] + b',"\\udfff":1}',
    "NaN": valid_json()[:-1] + b',"answer":NaN}',
    "not UTF-8": valid_json(question="caf\xe9").replace(b"caf\\u00e9", b"caf\xe9"),
    "a bare string": b'"just text"',
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_bodies_get_400_and_log_nothing(server: LocalServer, content: bytes) -> None:
    """Bodies that crash naive parsers get NestJS's 400, store nothing and print no traceback."""
    with LogCapture() as log:
        response = post_raw(server, content)
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "Bad Request"
    assert server.store.count() == 0
    assert log.lines() == []


@pytest.mark.parametrize("limit", [1024, "1kb"])
def test_body_limit_is_express_like_and_configurable(limit: int | str) -> None:
    """local_server(body_limit=...) takes bytes or Express's spelling; one byte over gets the 413 body."""
    with local_server(body_limit=limit) as server:
        fits = valid_json(comment="x" * (1024 - len(valid_json(comment=""))))
        assert len(fits) == 1024
        assert post_raw(server, fits).status_code == 201
        over = post_raw(server, fits.replace(b'"x', b'"xx', 1))
        assert over.status_code == 413
        assert over.json() == TOO_LARGE


def test_default_body_limit_is_100_kib(server: LocalServer) -> None:
    """Without body_limit the server takes 100 KiB, as Express's JSON parser does, and refuses more."""
    base = len(valid_json(comment=""))
    assert post_raw(server, valid_json(comment="x" * (100 * 1024 - base))).status_code == 201
    assert post_raw(server, valid_json(comment="x" * (100 * 1024 - base + 1))).status_code == 413


def test_an_announced_oversize_body_is_refused_before_it_is_sent(server: LocalServer) -> None:
    """A Content-Length over the limit gets 413 and a closed connection without the body being read."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            f"POST {PATH} HTTP/1.1\r\nHost: x\r\n{KEY}: {server.secret_key}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{".encode()
        )
        answer = read_until_closed(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"connection: close" in head.lower()
    assert json.loads(body) == TOO_LARGE


def test_an_endless_chunked_upload_is_cut_off_at_the_limit(server: LocalServer) -> None:
    """Chunked bytes are counted as they arrive: 413 comes mid-stream, long before the upload would end."""
    chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            f"POST {PATH} HTTP/1.1\r\nHost: x\r\n{KEY}: {server.secret_key}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        try:
            while sent < 50 * 1024 * 1024 and not select.select([sock], [], [], 0)[0]:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < 50 * 1024 * 1024


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_bodies_that_are_not_json_typed_are_not_parsed(server: LocalServer, content_type: str | None) -> None:
    """Express parses only application/json; a valid JSON body of another type is validated as {}."""
    response = post_raw(server, valid_json(), content_type)
    assert response.status_code == 400
    assert '"question" is a required property' in response.json()["message"]
    assert post_raw(server, valid_json(), "application/json; charset=utf-8").status_code == 201


def test_json_bodies_are_read_as_express_reads_them(server: LocalServer) -> None:
    """A UTF-8 byte-order mark is skipped; a charset that is not UTF gets body-parser's 415."""
    assert post_raw(server, b"\xef\xbb\xbf" + valid_json()).status_code == 201
    refused = post_raw(server, valid_json(), "application/json; charset=latin1")
    assert refused.status_code == 415
    assert refused.json() == {
        "statusCode": 415,
        "message": 'unsupported charset "LATIN1"',
        "error": "Unsupported Media Type",
    }


@pytest.mark.parametrize("second", ["same key", "wrong key"])
def test_a_repeated_key_header_is_refused(server: LocalServer, second: str) -> None:
    """Two Agent-Secret-Key headers get 403, whichever comes first: no copy decides alone."""
    keys = [server.secret_key, server.secret_key if second == "same key" else "wrong"]
    headers = [(KEY, key) for key in keys]
    response = httpx.post(server.base_url + PATH, json=request_body(), headers=headers, timeout=10)
    assert response.status_code == 403
    assert server.store.count() == 0


@pytest.mark.parametrize(
    "sent",
    [b"", f"POST {PATH} HTTP/1.1\r\nHost: x\r\n".encode(),
     f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{{".encode()],
    ids=["nothing", "half the headers", "half the body"],
)  # fmt: skip
def test_slow_clients_are_answered_408_and_dropped(sent: bytes) -> None:
    """A client that stalls before its headers or body are in gets Node's 408 and a closed connection."""
    with (
        local_server(header_timeout=0.3, request_timeout=0.3) as server,
        socket.create_connection(("127.0.0.1", server.port)) as sock,
    ):
        sock.sendall(sent)
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer


def test_an_injected_slow_fault_logs_at_most_one_line(server: LocalServer) -> None:
    """A client giving up on a `slow` fault leaves no ClientDisconnect traceback in the log."""
    server.fail_next("slow", delay=0.5)
    with LogCapture() as log, httpx.Client(base_url=server.base_url) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post(PATH, json=request_body(), headers={KEY: server.secret_key}, timeout=0.05)
        deadline = time.monotonic() + 10
        while server.requests_handled < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)  # the handler's last steps after it counted the request
    assert server.requests_handled == 1
    assert len(log.lines()) <= 1, log.lines()


def smuggling_request(key: str, order: str) -> bytes:
    """A create whose body is framed twice (chunked and by Content-Length), then a second, plain create."""
    body = json.dumps(request_body()).encode()
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    framing = [f"Content-Length: {len(chunked)}", "Transfer-Encoding: chunked"]
    first = "\r\n".join(
        [f"POST {PATH} HTTP/1.1", "Host: x", f"{KEY}: {key}", "Content-Type: application/json"]
        + (framing if order == "CL first" else framing[::-1])
    )
    second = (
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\n{KEY}: {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return first.encode() + b"\r\n\r\n" + chunked + second.encode() + body


@pytest.mark.parametrize("order", ["CL first", "TE first"])
def test_content_length_with_transfer_encoding_is_a_400_and_a_closed_connection(
    server: LocalServer, order: str
) -> None:
    """RFC 9112 6.3: both framings in one request get 400 and a close; the request behind it is never run."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(smuggling_request(server.secret_key, order))
        answer = read_until_closed(sock)
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert b"connection: close" in head
    assert answer.count(b"HTTP/1.1 ") == 1, answer
    assert server.store.count() == 0
    assert server.requests_received == 0


def test_a_client_that_sends_its_whole_body_before_reading_gets_the_413(server: LocalServer) -> None:
    """http.client sends all 20 MB before it reads: the server drains the refused body, so it reads 413."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        body = b"{" + b" " * (20 * 1024 * 1024)
        headers = {KEY: server.secret_key, "Content-Type": "application/json"}
        conn.request("POST", PATH, body=body, headers=headers)
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read()) == TOO_LARGE
        assert response.getheader("connection") == "close"
    finally:
        conn.close()
    assert server.store.count() == 0


def test_a_refused_body_is_drained_only_within_a_bound(server: LocalServer) -> None:
    """A client that ignores the 413 and keeps uploading is cut off once the drain bound is spent."""
    chunk = b"100000\r\n" + b" " * 0x100000 + b"\r\n"
    sent, cap = 0, 1024 * 1024**2
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            f"POST {PATH} HTTP/1.1\r\nHost: x\r\n{KEY}: {server.secret_key}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        sock.settimeout(30)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            while sent < cap:
                sock.sendall(chunk)
                sent += len(chunk)
    assert sent < cap, "the server never closed the connection"
