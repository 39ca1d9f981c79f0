"""httpx2 under the client: a user's httpx2 client as http_client, and Raia's own pool with the extra.

(AsyncRaia's own pool over httpx2 runs the client behaviour suite: see conftest's async_transport,
and tests/client/test_transport.py for failures by transport.)
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import httpx
import httpx2
import pytest
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import APIConnectionError, AsyncRaia, Raia, _retry, _transport
from tests.support.bodies import success_body
from tests.support.raw_server import raw_server, response_head
from tests.support.server_helpers import CREATE_ARGS

ARGS = CREATE_ARGS
BODY = {p.name: ARGS[p.python] for p in CREATE.params if p.location == "body" and p.python in ARGS}
ANSWER = json.dumps(success_body(CREATE, **BODY)).encode()
KEY = "sk-httpx2"


def call(flavour: str, base_url: str, http_client: Any = None, **options: Any) -> Any:
    """One create through Raia or AsyncRaia with `http_client`; the client is closed after it."""
    if flavour == "sync":
        with Raia(secret_key=KEY, base_url=base_url, http_client=http_client, **options) as client:
            return client.feedback.create_or_update(**ARGS)

    async def run() -> Any:
        async with AsyncRaia(secret_key=KEY, base_url=base_url, http_client=http_client, **options) as client:
            return await client.feedback.create_or_update(**ARGS)

    return asyncio.run(run())


def users_client(flavour: str, **options: Any) -> httpx2.Client | httpx2.AsyncClient:
    return httpx2.Client(**options) if flavour == "sync" else httpx2.AsyncClient(**options)


def answering(seen: list[bytes]) -> Any:
    def handle(conn: socket.socket, request: bytes) -> None:
        seen.append(request)
        head = {"content-type": "application/json", "content-length": str(len(ANSWER)), "set-cookie": "s=1"}
        conn.sendall(response_head(CREATE.success, head) + ANSWER)

    return handle


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_users_httpx2_client_carries_the_call_with_its_own_default_headers(flavour: str) -> None:
    """The request leaves through the user's httpx2 client: the key, the JSON body and the
    client's own default headers reach the server, and the reply is parsed."""
    seen: list[bytes] = []
    with raw_server(answering(seen)) as url:
        mine = users_client(flavour, headers={"X-Team": "blue"})
        created = call(flavour, url, mine)
    assert created.question == ARGS["question"]
    head, _, body = seen[0].partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    assert f"agent-secret-key: {KEY}".encode() in lines
    assert b"x-team: blue" in lines
    assert json.loads(body) == BODY
    assert not mine.is_closed  # the user's client is the user's to close


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_refused_connection_through_httpx2_is_known_never_to_have_left(flavour: str) -> None:
    """httpx2's ConnectError becomes httpx's, so the retry policy knows the request never left."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(APIConnectionError) as info:
        call(flavour, f"http://127.0.0.1:{port}", users_client(flavour), max_retries=0)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert _retry.not_processed(info.value)
    assert KEY not in repr(info.value.__cause__.__cause__)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_drop_after_sending_through_httpx2_is_not_taken_for_one_never_made(flavour: str) -> None:
    """A connection closed after the request left becomes httpx's RemoteProtocolError, never a ConnectError
    (which would make even a non-idempotent call look safe to repeat)."""
    seen: list[bytes] = []

    def drop(conn: socket.socket, request: bytes) -> None:
        seen.append(request)

    with raw_server(drop) as url, pytest.raises(APIConnectionError) as info:
        call(flavour, url, users_client(flavour), max_retries=0)
    assert type(info.value.__cause__) is httpx.RemoteProtocolError
    assert not _retry.not_processed(info.value)
    assert len(seen) == 1


@pytest.mark.parametrize("kind", [_transport.HTTPX, _transport.HTTPX2])
def test_raias_own_pool_over_each_transport_keeps_no_cookies(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Raia's own pool, over httpx or the [httpx2] extra's, sends the call and never returns a cookie."""
    monkeypatch.setattr(_transport, "SYNC_DEFAULT", kind)
    seen: list[bytes] = []
    with raw_server(answering(seen)) as url, Raia(secret_key=KEY, base_url=url, max_retries=0) as client:
        for _ in range(2):
            assert client.feedback.create_or_update(**ARGS).question == ARGS["question"]
    assert len(seen) == 2
    assert all(b"\r\ncookie:" not in request.lower() for request in seen)


@pytest.mark.parametrize("cls", [Raia, AsyncRaia])
def test_an_http_client_of_another_kind_is_refused_naming_what_is_accepted(
    cls: type[Raia | AsyncRaia],
) -> None:
    """A sync client for AsyncRaia (or the reverse) is a TypeError naming httpx's and httpx2's class."""
    wrong = httpx2.AsyncClient() if cls is Raia else httpx2.Client()
    name = "Client" if cls is Raia else "AsyncClient"
    with pytest.raises(TypeError, match=rf"httpx\.{name} or an httpx2\.{name}"):
        cls(secret_key=KEY, http_client=wrong)  # type: ignore[arg-type]
