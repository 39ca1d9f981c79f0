"""AsyncRaia's own pool on a plain install: aiohttp's (a required dependency), behind a fair gate.

(The wheel's metadata and a plain virtualenv are checked in tests/test_packaging.py.)
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import anyio
import httpx
import httpx_aiohttp
import pytest

from raia_agent import AsyncRaia, RaiaError, _httpx2, _pool, _transport
from raia_agent.testing import LocalServer
from tests.support.raw_server import raw_server
from tests.support.server_helpers import CREATE_ARGS


def test_async_raia_pools_over_aiohttp_with_as_many_turns_as_connections() -> None:
    """A default AsyncRaia sends through aiohttp's transport, gated at the pool's connections."""
    client = AsyncRaia(secret_key="sk-default")
    gate: Any = client._http._transport
    assert isinstance(gate, _transport.Gated)
    assert isinstance(gate._inner, httpx_aiohttp.AiohttpTransport)
    assert gate._width == _pool.DEFAULT_LIMITS.max_connections == gate._inner.limits.max_connections


@pytest.mark.parametrize("kind", [k for k in _transport.available() if k != _transport.HTTPX2])
def test_every_own_async_pool_under_httpx_is_gated_at_its_connections(kind: str) -> None:
    """httpx's and aiohttp's pools alike let in no more requests than they have connections."""
    client = AsyncRaia(secret_key="sk-default")
    client._size_pool(5, kind)
    gate: Any = client._http._transport
    assert isinstance(gate, _transport.Gated)
    assert gate._width == 5


def test_an_own_httpx2_async_pool_is_httpx2s_client_alone() -> None:
    """On httpx2's pool (aiohttp missing) httpx2's own client sends, with no httpx client or gate above it."""
    client = AsyncRaia(secret_key="sk-default")
    client._size_pool(5, _transport.HTTPX2)
    assert isinstance(client._http, _httpx2.AsyncSender)


async def test_the_gate_lets_requests_in_in_the_order_they_came() -> None:
    """A request waiting for a turn is let in before any that arrived after it (aiohttp's own
    connector is not fair: with more requests in flight than connections, a few waited seconds)."""
    entered: list[int] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        entered.append(int(request.url.path.strip("/")))
        for _ in range(3):  # let the waiting requests pile up while this one is inside
            await anyio.sleep(0)
        return httpx.Response(200, stream=httpx.ByteStream(b"{}"))

    gate = _transport.Gated(httpx.MockTransport(handle), 2)  # type: ignore[arg-type]
    async with (
        httpx.AsyncClient(transport=gate, base_url="http://test") as client,
        anyio.create_task_group() as group,
    ):
        for number in range(12):
            group.start_soon(client.get, f"/{number}")
            await anyio.sleep(0)  # each request reaches the gate before the next one starts
    assert entered == list(range(12))
    assert gate._turns.value == 2


# aiohttp made unimportable, as in an install made without dependencies (pip --no-deps).
WITHOUT_AIOHTTP = textwrap.dedent(
    """
    import sys
    sys.modules["aiohttp"] = None
    if sys.argv[1] == "httpx":
        sys.modules["httpx2"] = None  # nor the [httpx2] extra
    import asyncio
    import httpx
    from raia_agent import AsyncRaia, _transport

    async def main() -> str:
        async with AsyncRaia() as client:  # the key and URL from the environment
            await client.feedback.create_or_update(conversation_message_id="0f8fad5b-d9cb-469f-a165-70867728950e",
                user_id="7c9e6679-7425-40de-944b-e07fc1f90ae7", vote_type="up", question="Q")
            http = client._http
            return type(http._transport._inner if isinstance(http, httpx.AsyncClient) else http).__module__
    print(_transport.DEFAULT, asyncio.run(main()), "httpx_aiohttp" in sys.modules)
    """
)


@pytest.mark.parametrize(("pool", "module"), [("httpx", "httpx"), ("httpx2", "raia_agent._httpx2")])
def test_without_aiohttp_async_raia_falls_back_to_the_next_pool_behind_the_gate(
    server: LocalServer, pool: str, module: str
) -> None:
    """An install missing aiohttp still works: AsyncRaia sends through httpx2's own client if
    installed, else httpx's pool behind the gate."""
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_AIOHTTP, pool],
        env={
            **os.environ,
            "RAIA_AGENT_SECRET_KEY": server.secret_key,
            "RAIA_AGENT_BASE_URL": server.base_url,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [pool, module, "False"]
    assert server.store.count() == 1


def test_calls_in_flight_when_the_client_closes_end_at_once_saying_it_closed() -> None:
    """On aiohttp's pool, closing AsyncRaia ends a call reading its body and one waiting for a
    connection at once, each told that the client closed (not left to its read timeout)."""
    arrived = threading.Event()

    def hold(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 99\r\n\r\n{")
        arrived.set()
        time.sleep(3)

    async def run() -> list[BaseException | object]:
        client = AsyncRaia(secret_key="sk-default", base_url=url, max_retries=0, timeout=30.0)
        client._size_pool(1, _transport.AIOHTTP)  # one connection: the second call waits for the first
        calls = [asyncio.create_task(client.feedback.create_or_update(**CREATE_ARGS)) for _ in range(2)]
        while not arrived.is_set():
            await asyncio.sleep(0.01)
        await client.aclose()
        return await asyncio.gather(*calls, return_exceptions=True)

    with raw_server(hold) as url:
        first, second = asyncio.run(run())
    for call in (first, second):
        assert isinstance(call, RaiaError) and "closed while the call was in flight" in str(call), call
