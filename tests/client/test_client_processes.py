"""Clients and their errors across process boundaries: pickled errors and forked processes."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import httpx
import pytest
from raia_agent_api.models import ForbiddenError
from raia_agent_api.resources._operations import AUTH_HEADERS

from raia_agent import (
    AsyncRaia,
    PermissionDeniedError,
    Raia,
    RaiaError,
    ResponseValidationError,
)
from raia_agent.testing import LocalServer
from tests.support.server_helpers import CREATE_ARGS, USER_ID

ARGS = CREATE_ARGS
WRONG_KEY = "sk-wrong-5d41402abc4b2a76b9719d911017c592"
HEADER = AUTH_HEADERS[0]
# A guard against a hang, never a timing assertion: a broken pickle used to hang Pool.get() for ever.
PATIENCE = 120


def forbidden_call(base_url: str) -> None:
    """Run in a worker process: a call with a key the server refuses."""
    with Raia(secret_key=WRONG_KEY, base_url=base_url, max_retries=0) as client:
        client.feedback.create_or_update(**ARGS)


def assert_forbidden(exc: BaseException) -> None:
    assert isinstance(exc, PermissionDeniedError)
    assert exc.status_code == 403
    assert isinstance(exc.body, dict) and exc.body["message"] == "INVALID_CREDENTIALS"
    assert isinstance(exc.error, ForbiddenError)
    assert exc.error.message == exc.body["message"]
    assert exc.request_id and exc.request_id == exc.response.headers["x-request-id"]
    assert exc.response.json() == exc.body
    assert exc.request is not None and exc.request.headers[HEADER] == "[REDACTED]"
    assert WRONG_KEY.encode() not in pickle.dumps(exc)


def test_a_403_pickles_without_the_key_and_comes_back_whole(server: LocalServer) -> None:
    """A status error pickles with status, body, parsed error and request id, and its bytes hold no key."""
    with pytest.raises(PermissionDeniedError) as caught:
        forbidden_call(server.base_url)
    data = pickle.dumps(caught.value)
    assert WRONG_KEY.encode() not in data
    restored = pickle.loads(data)
    assert_forbidden(restored)
    assert str(restored) == str(caught.value)
    assert restored.request_id == caught.value.request_id


def test_a_403_in_a_process_pool_worker_reaches_the_caller_as_itself(server: LocalServer) -> None:
    """A ProcessPoolExecutor worker's 403 arrives as PermissionDeniedError, not BrokenProcessPool."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(forbidden_call, server.base_url)
        with pytest.raises(PermissionDeniedError) as caught:
            future.result(timeout=PATIENCE)
    assert_forbidden(caught.value)


def test_a_403_in_a_multiprocessing_pool_reaches_map_async_get(server: LocalServer) -> None:
    """multiprocessing.Pool.map_async().get() raises the worker's 403 instead of hanging."""
    with multiprocessing.Pool(1) as pool:
        result = pool.map_async(forbidden_call, [server.base_url])
        with pytest.raises(PermissionDeniedError) as caught:
            result.get(timeout=PATIENCE)
    assert_forbidden(caught.value)


KEY = "sk-test-echoed-0123456789"


def echo_transport(request: httpx.Request) -> httpx.Response:
    """A server that quotes the key back in a header and in the body."""
    body = {"status": 403, "name": "FORBIDDEN_ERROR", "message": f"key {KEY} is not allowed", "details": []}
    return httpx.Response(403, json=body, headers={"x-echo": KEY, "x-request-id": "req-1"})


def invalid_transport(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"id": KEY}, headers={"x-request-id": "req-2"})


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("transport", [echo_transport, invalid_transport])
async def test_an_error_whose_response_echoes_the_key_pickles_without_it(
    flavour: str, transport: Any
) -> None:
    """A key echoed in a response header or body is hidden in the pickle too, for both clients."""
    mock = httpx.MockTransport(transport)
    caught: RaiaError
    if flavour == "sync":
        with Raia(secret_key=KEY, http_client=httpx.Client(transport=mock), max_retries=0) as client:
            with pytest.raises(RaiaError) as info:
                client.feedback.create_or_update(**ARGS)
            caught = info.value
    else:
        async with AsyncRaia(
            secret_key=KEY, http_client=httpx.AsyncClient(transport=mock), max_retries=0
        ) as aclient:
            with pytest.raises(RaiaError) as ainfo:
                await aclient.feedback.create_or_update(**ARGS)
            caught = ainfo.value
    data = pickle.dumps(caught)
    for form in (KEY, json.dumps(KEY)[1:-1]):
        assert form.encode() not in data
    restored = pickle.loads(data)
    assert type(restored) is type(caught)
    assert restored.status_code == caught.status_code  # type: ignore[attr-defined]
    assert restored.request_id == caught.request_id  # type: ignore[attr-defined]
    if isinstance(restored, ResponseValidationError):
        assert restored.body == {"id": "[REDACTED]"}
        assert restored.problems and all(KEY not in str(p) for p in restored.problems)
    else:
        assert restored.body["message"] == "key [REDACTED] is not allowed"
        assert restored.error is not None and restored.error.message == "key [REDACTED] is not allowed"
        assert restored.response.headers["x-echo"] == "[REDACTED]"


def test_every_error_class_round_trips_through_pickle() -> None:
    """Errors without a response (a closed client, a dropped connection) pickle too."""
    import raia_agent

    for name in raia_agent._EXCEPTIONS:
        cls = getattr(raia_agent, name)
        if issubclass(cls, (raia_agent.APIStatusError, ResponseValidationError)):
            continue  # need a response; covered above
        restored = pickle.loads(pickle.dumps(cls("boom")))
        assert type(restored) is cls and str(restored) == "boom"


fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork() does not exist on this platform")
ROUNDS = 30


def _calls(client: Raia, who: str) -> list[str]:
    """ROUNDS upserts, each with its own question; the answers' questions in order."""
    seen = []
    for n in range(ROUNDS):
        question = f"{who} {n}"
        fb = client.feedback.create_or_update(**{**ARGS, "user_id": USER_ID, "question": question})
        seen.append(fb.question or "")
    return seen


@fork_only
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork with a server thread running
def test_a_client_used_after_fork_opens_its_own_connections(server: LocalServer) -> None:
    """Parent and child calls on one Raia across os.fork() all succeed: the child never shares a socket."""
    client = Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0)
    copy = client.with_options(max_retries=0)
    client.feedback.create_or_update(**ARGS)  # a pooled keep-alive connection exists before the fork
    parent_pool = client._http
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running pytest's teardown
        status = 1
        try:
            result = {
                "answers": _calls(copy, "child"),
                "new_pool": copy._http is not parent_pool and client._http is copy._http,
            }
            os.write(write, json.dumps(result).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    answers = _calls(client, "parent")
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read()
    assert os.waitstatus_to_exitcode(status) == 0, report
    child = json.loads(report)
    assert child["answers"] == [f"child {n}" for n in range(ROUNDS)]
    assert child["new_pool"] is True
    assert answers == [f"parent {n}" for n in range(ROUNDS)]
    assert client._http is parent_pool  # the parent's pool is untouched
    client.close()


@fork_only
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_client_with_a_users_http_client_refuses_calls_after_fork(server: LocalServer) -> None:
    """A client built on the user's http_client cannot reopen it in a child: a clear RaiaError."""
    client = Raia(secret_key=server.secret_key, base_url=server.base_url, http_client=httpx.Client())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            try:
                client.feedback.create_or_update(**ARGS)
                message = "no error"
            except RaiaError as exc:
                message = f"{type(exc).__name__}: {exc}"
            os.write(write, message.encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    assert message.startswith("RaiaError: ") and "os.fork()" in message and "child process" in message
    assert client.feedback.create_or_update(**ARGS).question == "Q"  # the parent is unaffected
    client.close()


@fork_only
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_threads_racing_to_call_after_fork_open_one_pool(server: LocalServer) -> None:
    """Sixteen threads of a child calling at once find one new pool; the parent's is set aside once."""
    client = Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0)
    client.feedback.create_or_update(**ARGS)
    parent_pool = client._http
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            start = threading.Barrier(16)
            seen: list[int] = []

            def call() -> None:
                start.wait()
                seen.append(id(client._http))
                client.feedback.create_or_update(**ARGS)

            threads = [threading.Thread(target=call) for _ in range(16)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            result = {"pools": len(set(seen)), "calls": len(seen), "set_aside": len(client._pool.abandoned),
                      "new": id(client._http) != id(parent_pool)}  # fmt: skip
            os.write(write, json.dumps(result).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read()
    assert os.waitstatus_to_exitcode(status) == 0, report
    assert json.loads(report) == {"pools": 1, "calls": 16, "set_aside": 1, "new": True}
    client.close()


SLASHED_KEY = "sk-test/escaped+0123456789"


def escaped_echo(escape: str) -> Any:
    """A server quoting the key in its body through JSON escapes: PHP's `\\/`, or `\\uXXXX` for every character."""
    if escape == "slash":
        spelled = SLASHED_KEY.replace("/", "\\/")
    else:
        spelled = "".join(f"\\u{ord(ch):04x}" for ch in SLASHED_KEY)
    content = (
        b'{"status": 403, "name": "FORBIDDEN_ERROR", "message": "key '
        + spelled.encode()
        + b'", "details": []}'
    )
    return lambda request: httpx.Response(403, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize("escape", ["slash", "unicode"])
def test_a_key_echoed_through_json_escapes_is_not_in_the_pickle_nor_in_the_restored_response(
    escape: str,
) -> None:
    """The pickled response body is written again from its redacted value, so `.json()` after unpickling shows no key."""
    mock = httpx.MockTransport(escaped_echo(escape))
    with (
        Raia(secret_key=SLASHED_KEY, http_client=httpx.Client(transport=mock), max_retries=0) as client,
        pytest.raises(PermissionDeniedError) as info,
    ):
        client.feedback.create_or_update(**ARGS)
    restored = pickle.loads(pickle.dumps(info.value))
    assert restored.response.json()["message"] == "key [REDACTED]"
    assert restored.body["message"] == "key [REDACTED]"
    assert SLASHED_KEY not in json.dumps(restored.response.json(), ensure_ascii=False)


def test_a_note_quoting_the_key_is_redacted_in_the_pickle() -> None:
    """Text added with add_note() (by a framework, say) reaches the pickle without the key."""
    mock = httpx.MockTransport(echo_transport)
    with (
        Raia(secret_key=KEY, http_client=httpx.Client(transport=mock), max_retries=0) as client,
        pytest.raises(PermissionDeniedError) as info,
    ):
        client.feedback.create_or_update(**ARGS)
    info.value.add_note(f"while calling with {KEY}")
    data = pickle.dumps(info.value)
    assert KEY.encode() not in data
    assert pickle.loads(data).__notes__ == ["while calling with [REDACTED]"]
