"""Each transport under AsyncRaia reports failures by what happened and keeps no state between calls."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
from typing import Any

import anyio
import httpx
import pytest
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import APIConnectionError, AsyncRaia, _retry, _transport
from raia_agent.testing import LocalServer
from tests.support.bodies import success_body
from tests.support.raw_server import raw_server, response_head
from tests.support.server_helpers import CREATE_ARGS

ARGS = CREATE_ARGS
TRANSPORTS = _transport.available()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("kind", TRANSPORTS)
async def test_a_connection_dropped_after_sending_is_not_taken_for_one_never_made(
    kind: str, server: LocalServer
) -> None:
    """A drop after the request left may have been acted on: its cause is no ConnectError, so no unsafe retry."""
    server.fail_next("drop")
    async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as client:
        client._size_pool(4, kind)
        with pytest.raises(APIConnectionError) as info:
            await client.feedback.create_or_update(**ARGS)
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert not _retry.not_processed(info.value)


@pytest.mark.parametrize("kind", TRANSPORTS)
async def test_a_refused_connection_is_known_never_to_have_reached_the_api(kind: str) -> None:
    """A refused connection becomes a ConnectError on every transport: safe to retry any call."""
    url = f"http://127.0.0.1:{closed_port()}"
    async with AsyncRaia(secret_key="sk-transport", base_url=url, max_retries=0) as client:
        client._size_pool(4, kind)
        with pytest.raises(APIConnectionError) as info:
            await client.feedback.create_or_update(**ARGS)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert _retry.not_processed(info.value)


def test_an_unknown_transport_is_refused_by_name() -> None:
    """Asking for a transport that does not exist names it and the ones that do."""
    with pytest.raises(ValueError, match=r"'carrier-pigeon'.*'httpx'"):
        _transport.async_pool({}, "carrier-pigeon")


def test_the_fastest_installed_transport_is_the_default() -> None:
    """aiohttp (a required dependency) is AsyncRaia's and the import's pool even with the [httpx2]
    extra installed (as in development); Raia's is httpx2."""
    code = "from raia_agent import _transport as t; print(t.DEFAULT, t.SYNC_DEFAULT, *t.available())"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["aiohttp", "httpx2", "httpx", "httpx2", "aiohttp"]


# Built from the spec's reply schema, echoing the request, so a vendor update changes it here too.
ANSWER = json.dumps(
    success_body(
        CREATE, **{p.name: ARGS[p.python] for p in CREATE.params if p.location == "body" and p.python in ARGS}
    )
).encode()


@pytest.mark.parametrize("kind", TRANSPORTS)
async def test_cookies_a_server_sets_are_never_sent_back(kind: str) -> None:
    """The pool keeps no cookies: the API authenticates by header, so nothing else rides along on later calls."""
    seen: list[bytes] = []

    def handle(conn: socket.socket, request: bytes) -> None:
        seen.append(request)
        head = {
            "content-type": "application/json",
            "content-length": str(len(ANSWER)),
            "set-cookie": "s=1; Path=/",
            "connection": "close",  # raw_server serves one request per connection
        }
        conn.sendall(response_head(CREATE.success, head) + ANSWER)

    with raw_server(handle) as url:
        async with AsyncRaia(secret_key="sk-transport", base_url=url, max_retries=0) as client:
            client._size_pool(2, kind)
            for _ in range(2):
                await client.feedback.create_or_update(**ARGS)
    assert len(seen) == 2
    assert all(b"\r\ncookie:" not in request.lower() for request in seen)


def test_httpx_own_pool_is_bounded_at_eight_connections_kept_alive() -> None:
    """httpcore's cost grows with its connections, so its pool is capped (make bench's sweep); aiohttp's is not."""
    asked = httpx.Limits(max_connections=64, max_keepalive_connections=20)
    pool: Any = _transport.async_pool({"limits": asked}, _transport.HTTPX)
    inner = pool._transport._inner._pool
    assert (inner._max_connections, inner._max_keepalive_connections) == (8, 8)
    small: Any = _transport.async_pool({"limits": httpx.Limits(max_connections=3)}, _transport.HTTPX)
    assert small._transport._inner._pool._max_connections == 3


async def test_httpx_own_pool_lets_in_no_more_requests_than_it_has_connections() -> None:
    """httpcore churns when requests outnumber its connections, so the rest queue in front of it, and
    every request's turn comes back: after a success, after a failure, after a body left unread."""
    inside, most = [0], [0]

    async def handle(request: httpx.Request) -> httpx.Response:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        for _ in range(3):  # let the other requests run while this one is inside
            await anyio.sleep(0)
        inside[0] -= 1
        if request.url.path == "/fail":
            raise httpx.ReadError("dropped")
        # a body still to read, as a real transport's (a mock's own is read at once)
        return httpx.Response(200, stream=httpx.ByteStream(b"{}"))

    gate = _transport.Gated(httpx.MockTransport(handle), 3)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=gate, base_url="http://test") as client:

        async def call(path: str) -> None:
            with contextlib.suppress(httpx.ReadError):
                async with client.stream("GET", path):
                    pass  # closed without reading the body

        async with anyio.create_task_group() as group:
            for number in range(20):
                group.start_soon(call, "/fail" if number % 4 == 0 else "/ok")
    assert most[0] == 3
    assert gate._turns.value == 3
