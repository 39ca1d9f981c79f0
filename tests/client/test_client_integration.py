"""Raia and AsyncRaia against the local server, over real HTTP."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from raia_agent import (
    APIConnectionError,
    APITimeoutError,
    AsyncRaia,
    Feedback,
    InternalServerError,
    PermissionDeniedError,
    Raia,
    _transport,
)
from raia_agent.testing import LocalServer
from tests.support.server_helpers import MESSAGE_ID, USER_ID

ARGS = {"conversation_message_id": MESSAGE_ID, "user_id": USER_ID, "vote_type": "up", "question": "Why?"}


@pytest.fixture
def client(server: LocalServer) -> Iterator[Raia]:
    with Raia(secret_key=server.secret_key, base_url=server.base_url) as raia:
        yield raia


@pytest.fixture
async def aclient(server: LocalServer) -> AsyncIterator[AsyncRaia]:
    async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url) as raia:
        yield raia


def pool_is_quiet(http: httpx.AsyncClient | httpx.Client) -> bool:
    transport: Any = http._transport
    if isinstance(transport, _transport.Gated):  # every async pool behind its gate: every turn back
        if transport._turns.value != transport._width:
            return False
        transport = transport._inner
    if hasattr(transport, "_sender"):  # httpx2's pool (see raia_agent._httpx2)
        transport = transport._sender
    if not hasattr(transport, "_pool"):  # aiohttp's connector (see raia_agent._transport)
        return transport.client is None or not transport.client.connector._acquired
    pool = transport._pool
    return not pool._requests and all(c.is_idle() or c.is_closed() for c in pool.connections)


def test_create_then_update(client: Raia, server: LocalServer) -> None:
    """The first call creates, the second updates the same feedback."""
    created = client.feedback.create_or_update(**ARGS)
    assert isinstance(created, Feedback)
    assert created.vote_type == "up"
    assert created.answer is None
    updated = client.feedback.create_or_update(**{**ARGS, "vote_type": "down", "comment": "Wrong"})
    assert updated.id == created.id
    assert updated.created_at == created.created_at
    assert (updated.vote_type, updated.comment) == ("down", "Wrong")
    assert server.store.count() == 1


def test_accepts_uuid_objects(client: Raia) -> None:
    """uuid.UUID values are accepted for the ids."""
    fb = client.feedback.create_or_update(**{**ARGS, "conversation_message_id": uuid.UUID(MESSAGE_ID)})
    assert fb.conversation_message_id == uuid.UUID(MESSAGE_ID)


def test_raw_response_carries_status_headers_and_request_id(client: Raia) -> None:
    """with_raw_response gives the status, headers and request id with the parsed model."""
    raw = client.feedback.with_raw_response.create_or_update(**ARGS)
    assert raw.status_code == 201
    assert raw.request_id == raw.headers["x-request-id"]
    assert raw.parse().question == "Why?"


def test_wrong_key_raises_permission_denied_with_parsed_body(server: LocalServer) -> None:
    """A wrong key raises PermissionDeniedError carrying the parsed ForbiddenError."""
    with (
        Raia(secret_key="wrong", base_url=server.base_url) as raia,
        pytest.raises(PermissionDeniedError) as info,
    ):
        raia.feedback.create_or_update(**ARGS)
    assert info.value.status_code == 403
    assert info.value.error is not None
    assert info.value.error.message == "INVALID_CREDENTIALS"
    assert info.value.error.details == []
    assert info.value.request_id
    assert server.requests_received == 1, "a 403 is not retried"


def test_two_500s_then_success_takes_three_attempts(client: Raia, server: LocalServer) -> None:
    """Retries a 500 twice and returns the third answer."""
    server.fail_next("500", times=2)
    assert client.feedback.create_or_update(**ARGS).vote_type == "up"
    assert server.requests_received == 3


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_500_forever_gives_up_after_max_retries(client: Raia, server: LocalServer, max_retries: int) -> None:
    """A 500 that never ends raises InternalServerError after max_retries + 1 attempts."""
    server.fail_next("500", times=100)
    with pytest.raises(InternalServerError) as info:
        client.with_options(max_retries=max_retries).feedback.create_or_update(**ARGS)
    assert info.value.status_code == 500
    assert server.requests_received == max_retries + 1


def test_per_call_max_retries_overrides(client: Raia, server: LocalServer) -> None:
    """max_retries= on the call overrides the client's."""
    server.fail_next("500", times=100)
    with pytest.raises(InternalServerError):
        client.feedback.create_or_update(**ARGS, max_retries=4)
    assert server.requests_received == 5


def test_429_with_retry_after_zero_is_retried(client: Raia, server: LocalServer) -> None:
    """A 429 with Retry-After: 0 is retried at once."""
    server.fail_next("429", retry_after="0")
    assert client.feedback.create_or_update(**ARGS).question == "Why?"
    assert server.requests_received == 2


def test_html_502_raises_internal_server_error_with_excerpt(client: Raia, server: LocalServer) -> None:
    """A proxy's HTML 502 raises InternalServerError with a short excerpt of the page."""
    server.fail_next("502", times=10)
    with pytest.raises(InternalServerError) as info:
        client.feedback.create_or_update(**ARGS)
    assert info.value.status_code == 502
    assert "502 Bad Gateway" in str(info.value)
    assert len(str(info.value)) < 300
    assert isinstance(info.value.body, str)


def test_slow_response_raises_timeout(client: Raia, server: LocalServer) -> None:
    """A response slower than the read timeout raises APITimeoutError."""
    server.fail_next("slow", times=10, delay=1.0)
    with pytest.raises(APITimeoutError):
        client.with_options(timeout=0.2, max_retries=1).feedback.create_or_update(**ARGS)
    assert server.requests_received == 2


def test_dropped_connection_raises_connection_error(client: Raia, server: LocalServer) -> None:
    """A connection dropped before any response raises APIConnectionError after the retries."""
    server.fail_next("drop", times=10)
    with pytest.raises(APIConnectionError) as info:
        client.feedback.create_or_update(**ARGS)
    assert not isinstance(info.value, APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert server.requests_received == 3
    assert pool_is_quiet(client._http)


def test_dropped_connection_once_is_retried(client: Raia, server: LocalServer) -> None:
    """One dropped connection is retried and the call succeeds."""
    server.fail_next("drop")
    assert client.feedback.create_or_update(**ARGS).vote_type == "up"


async def test_async_create_then_update(aclient: AsyncRaia) -> None:
    """AsyncRaia creates then updates."""
    created = await aclient.feedback.create_or_update(**ARGS)
    updated = await aclient.feedback.create_or_update(**{**ARGS, "vote_type": "down"})
    assert created.id == updated.id
    assert updated.vote_type == "down"


async def test_async_wrong_key(server: LocalServer) -> None:
    """AsyncRaia raises PermissionDeniedError with the parsed body."""
    async with AsyncRaia(secret_key="nope", base_url=server.base_url) as raia:
        with pytest.raises(PermissionDeniedError) as info:
            await raia.feedback.create_or_update(**ARGS)
    assert info.value.error is not None


async def test_async_faults_then_success_and_pool_is_clean(aclient: AsyncRaia, server: LocalServer) -> None:
    """500, 429 and a dropped connection are retried; the pool holds no busy connection afterwards."""
    server.fail_next("500")
    server.fail_next("429", retry_after="0")
    server.fail_next("drop")
    raw = await aclient.with_options(max_retries=3).feedback.with_raw_response.create_or_update(**ARGS)
    assert raw.status_code == 201
    assert server.requests_received == 4
    assert pool_is_quiet(aclient._http)


async def test_async_gives_up_and_pool_is_clean(aclient: AsyncRaia, server: LocalServer) -> None:
    """500 forever, a slow answer and drops all end in typed errors with no leaked connection."""
    server.fail_next("500", times=3)
    with pytest.raises(InternalServerError):
        await aclient.feedback.create_or_update(**ARGS)
    assert server.requests_received == 3
    server.fail_next("slow", times=2, delay=1.0)
    with pytest.raises(APITimeoutError):
        await aclient.feedback.create_or_update(**ARGS, timeout=0.2, max_retries=1)
    server.fail_next("drop", times=3)
    with pytest.raises(APIConnectionError):
        await aclient.feedback.create_or_update(**ARGS)
    server.fail_next("502", times=3)
    with pytest.raises(InternalServerError):
        await aclient.feedback.create_or_update(**ARGS)
    assert pool_is_quiet(aclient._http)


async def test_async_many_concurrent_calls(aclient: AsyncRaia, server: LocalServer) -> None:
    """One AsyncRaia serves 200 concurrent calls, with some injected failures, in one event loop."""
    server.fail_fraction("500", 0.1)
    users = [str(uuid.uuid4()) for _ in range(200)]
    results = await asyncio.gather(
        *(
            aclient.with_options(max_retries=10).feedback.create_or_update(**{**ARGS, "user_id": u})
            for u in users
        )
    )
    assert len({r.id for r in results}) == 200
    assert server.store.count() == 200
    assert pool_is_quiet(aclient._http)
