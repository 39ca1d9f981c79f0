"""The request path over httpx2: one client layer per call, httpx types out, no httpx2 exception kept.

(What the calls return and raise is the client behaviour suite's, which runs over httpx2 too; these
pin the structure that makes a call over httpx2 cost about what a raw httpx2 call costs.)
"""

from __future__ import annotations

import asyncio
import pickle
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import httpx2
import pytest

from raia_agent import APIConnectionError, AsyncRaia, PermissionDeniedError, Raia, RaiaError, _transport
from raia_agent.testing import LocalServer
from tests.support.server_helpers import MESSAGE_ID, USER_ID

ARGS: dict[str, Any] = {
    "conversation_message_id": MESSAGE_ID,
    "user_id": USER_ID,
    "vote_type": "up",
    "question": "Q",
}
CALLS = 3


def client_for(
    flavour: str, whose: str, base_url: str, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> Any:
    """Raia or AsyncRaia over httpx2: the user's own httpx2 client, or the [httpx2] extra's pool."""
    if whose == "own":
        monkeypatch.setattr(_transport, "SYNC_DEFAULT" if flavour == "sync" else "DEFAULT", _transport.HTTPX2)
        users: Any = None
    else:
        users = httpx2.Client() if flavour == "sync" else httpx2.AsyncClient()
    cls = Raia if flavour == "sync" else AsyncRaia
    return cls(base_url=base_url, http_client=users, **options)


def run(flavour: str, client: Any, call: Callable[[Any], Any]) -> Any:
    """`call(client)` CALLS times (awaited for AsyncRaia), then the client closed; the last result."""
    if flavour == "sync":
        with client:
            return [call(client) for _ in range(CALLS)][-1]

    async def calls() -> Any:
        async with client:
            return [await call(client) for _ in range(CALLS)][-1]

    return asyncio.run(calls())


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often each client layer's build_request and send ran, and httpx2's header merge (spies that
    call through)."""
    counts: dict[str, int] = {}

    def spy(owner: type, name: str, label: str) -> None:
        original = getattr(owner, name)

        def counting(*args: Any, **kwargs: Any) -> Any:
            counts[label] = counts.get(label, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)

    spy(httpx2.Client, "send", "httpx2 send")
    spy(httpx2.AsyncClient, "send", "httpx2 send")
    spy(httpx2.Client, "build_request", "httpx2 build")
    spy(httpx2.AsyncClient, "build_request", "httpx2 build")
    spy(httpx2.Headers, "update", "httpx2 header merge")
    spy(httpx.Client, "send", "httpx send")
    spy(httpx.AsyncClient, "send", "httpx send")
    spy(httpx.Client, "build_request", "httpx build")
    spy(httpx.AsyncClient, "build_request", "httpx build")
    return counts


@pytest.mark.parametrize("whose", ["yours", "own"])
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_call_over_httpx2_is_built_once_and_sent_once_by_httpx2s_client_alone(
    flavour: str, whose: str, server: LocalServer, counted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each call over httpx2 builds one request and sends it once through httpx2's client, with no
    httpx client layer around it, and sets its headers rather than merging header sets."""
    client = client_for(flavour, whose, server.base_url, monkeypatch, secret_key=server.secret_key)
    counted.clear()  # building the clients merged their default headers once
    created = run(flavour, client, lambda c: c.feedback.create_or_update(**ARGS))
    assert created.question == ARGS["question"]
    assert counted == {"httpx2 build": CALLS, "httpx2 send": CALLS}


@pytest.mark.parametrize("whose", ["yours", "own"])
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_response_over_httpx2_reaches_you_as_httpxs_with_its_request_and_timing(
    flavour: str, whose: str, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """with_raw_response over httpx2 gives an httpx.Response whose request (built on demand) and
    elapsed time are those of the call."""
    client = client_for(flavour, whose, server.base_url, monkeypatch, secret_key=server.secret_key)
    raw = run(flavour, client, lambda c: c.feedback.with_raw_response.create_or_update(**ARGS))
    response = raw.http_response
    assert isinstance(response, httpx.Response)
    assert isinstance(response.request, httpx.Request)
    assert (response.request.method, response.request.url) == ("POST", httpx.URL(str(response.request.url)))
    assert str(response.request.url).startswith(server.base_url)
    assert response.request.headers["Agent-Secret-Key"] == server.secret_key
    assert response.elapsed.total_seconds() >= 0
    assert raw.parse().question == ARGS["question"]


@pytest.mark.parametrize("whose", ["yours", "own"])
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_status_error_over_httpx2_carries_httpxs_types_and_pickles_without_the_key(
    flavour: str, whose: str, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 403 (a key the server does not know) over httpx2 carries httpx's response and request, the
    request holding the key sent; its pickle holds no key."""
    wrong = "sk-not-the-servers"
    client = client_for(flavour, whose, server.base_url, monkeypatch, secret_key=wrong, max_retries=0)
    with pytest.raises(PermissionDeniedError) as info:
        run(flavour, client, lambda c: c.feedback.create_or_update(**ARGS))
    assert isinstance(info.value.response, httpx.Response)
    assert isinstance(info.value.request, httpx.Request)
    assert info.value.request.headers["Agent-Secret-Key"] == wrong
    assert wrong.encode() not in pickle.dumps(info.value)


def chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and every exception it was raised from or during."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        link = todo.pop()
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        todo += [link.__cause__, link.__context__]


def drop(conn: socket.socket, request: bytes) -> None:
    """Read the request, answer nothing, close."""


@pytest.mark.parametrize("failure", ["refused", "dropped"])
@pytest.mark.parametrize("whose", ["yours", "own"])
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_no_httpx2_exception_is_kept_anywhere_in_a_failures_chain(
    flavour: str, whose: str, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection refused, or dropped after the request left, over httpx2: neither the error's cause
    nor its context, at any depth, is an httpx2 exception (which would hold the request and its key)."""
    from tests.support.raw_server import raw_server

    def fail(base_url: str) -> RaiaError:
        client = client_for(flavour, whose, base_url, monkeypatch, secret_key="sk-kept", max_retries=0)
        with pytest.raises(APIConnectionError) as info:
            run(flavour, client, lambda c: c.feedback.create_or_update(**ARGS))
        return info.value

    if failure == "refused":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        error = fail(f"http://127.0.0.1:{port}")
    else:
        with raw_server(drop) as url:
            error = fail(url)
    links = list(chain(error))
    assert any(isinstance(link, httpx.TransportError) for link in links)
    assert not [link for link in links if type(link).__module__.split(".")[0] in {"httpx2", "httpcore2"}]
