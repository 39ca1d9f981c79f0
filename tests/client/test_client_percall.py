"""What the per-call path keeps once per client or operation still holds on every later call.

The URL, the argument and response schema checks and the parse plan are worked out on the first
call and kept; the request id is read only when an error or a log line needs it; the pool keeps
no cookies. None of that may change what a call sends, accepts or reports.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

import pytest
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import AsyncRaia, Raia, ResponseValidationError
from tests.support.bodies import instants, success_body
from tests.support.raw_server import raw_server, response_head
from tests.support.server_helpers import CREATE_ARGS

KEY = "sk-percall-7a41c0de"
ARGS = CREATE_ARGS
# Built from the spec's reply schema, echoing the request, so a vendor update changes it here too.
DOCUMENT: dict[str, Any] = success_body(
    CREATE, **{p.name: ARGS[p.python] for p in CREATE.params if p.location == "body" and p.python in ARGS}
)
FEEDBACK = json.dumps(DOCUMENT).encode()
# A string field of the reply, answered as a number: the longest name, so finding it in a message means something.
WRONG = max((name for name, value in DOCUMENT.items() if isinstance(value, str)), key=len)
FLAVOURS = ["sync", "async"]
Handler = Callable[[socket.socket, bytes], None]


def answers(*replies: tuple[bytes, dict[str, str]], seen: list[bytes] | None = None) -> Handler:
    """Answer the n-th request with the n-th (body, extra headers), closing each connection."""
    left = list(replies)

    def handle(conn: socket.socket, request: bytes) -> None:
        if seen is not None:
            seen.append(request)
        body, extra = left.pop(0)
        head = {"content-type": "application/json", "content-length": str(len(body)), "connection": "close"}
        conn.sendall(response_head(CREATE.success, {**head, **extra}) + body)

    return handle


def calls(flavour: str, base_url: str, steps: list[Callable[[Any], Any]]) -> list[object]:
    """Run each step on one Raia or AsyncRaia (awaiting what the async one returns); what each gave or raised."""
    out: list[object] = []

    def record(result: Callable[[], object]) -> None:
        try:
            out.append(result())
        except Exception as exc:  # the test inspects it
            out.append(exc)

    if flavour == "sync":
        with Raia(secret_key=KEY, base_url=base_url, max_retries=0) as client:
            for step in steps:
                record(lambda step=step: step(client))
        return out

    async def run() -> None:
        async with AsyncRaia(secret_key=KEY, base_url=base_url, max_retries=0) as client:
            for step in steps:
                try:
                    out.append(await step(client))
                except Exception as exc:  # the test inspects it
                    out.append(exc)

    asyncio.run(run())
    return out


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_raw_response_read_after_the_call_has_every_header_the_server_sent(flavour: str) -> None:
    """Headers and the request id are read from the raw response when asked, after the call, not copied during it."""
    extra = {"x-request-id": "req-1", "x-ratelimit-remaining": "41", "x-vendor-new": "kept"}
    with raw_server(answers((FEEDBACK, extra))) as url:
        [raw] = calls(flavour, url, [lambda c: c.feedback.with_raw_response.create_or_update(**ARGS)])
    assert not isinstance(raw, Exception), raw
    raw_response: Any = raw
    assert {name: raw_response.headers[name] for name in extra} == extra
    assert raw_response.request_id == "req-1"
    assert raw_response.http_response.json() == DOCUMENT
    assert instants(raw_response.parse().to_dict()) == instants(DOCUMENT)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_after_a_good_answer_a_bad_one_is_still_refused_naming_the_field_with_the_key_redacted(
    flavour: str,
) -> None:
    """The response check compiled on the first call still refuses the second answer; its request id, worked out then, hides the key."""
    bad = json.dumps({**DOCUMENT, WRONG: 7}).encode()
    replies = ((FEEDBACK, {}), (bad, {"x-request-id": f"echo-{KEY}"}))
    step = lambda c: c.feedback.create_or_update(**ARGS)  # noqa: E731
    with raw_server(answers(*replies)) as url:
        first, second = calls(flavour, url, [step, step])
    assert not isinstance(first, Exception), first
    assert isinstance(second, ResponseValidationError)
    assert WRONG in str(second)
    assert KEY not in str(second) and "echo-[REDACTED]" in str(second)
    assert second.request_id == "echo-[REDACTED]"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_after_a_good_call_bad_arguments_are_still_refused_naming_the_argument_before_sending(
    flavour: str,
) -> None:
    """The argument check compiled on the first call refuses a bad user_id on the next, and nothing is sent for it."""
    seen: list[bytes] = []
    good = lambda c: c.feedback.create_or_update(**ARGS)  # noqa: E731
    bad = lambda c: c.feedback.create_or_update(**{**ARGS, "user_id": "not-a-uuid"})  # noqa: E731
    with raw_server(answers((FEEDBACK, {}), seen=seen)) as url:
        first, second = calls(flavour, url, [good, bad])
    assert not isinstance(first, Exception), first
    assert isinstance(second, ValueError)
    assert "user_id" in str(second)
    assert len(seen) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_copy_with_another_base_url_sends_there_after_the_original_has_called(flavour: str) -> None:
    """The URL kept per client is not shared with a with_options copy for another base URL."""
    seen: list[bytes] = []
    with raw_server(answers((FEEDBACK, {}), (FEEDBACK, {}), seen=seen)) as url:
        port = url.rsplit(":", 1)[1]
        other = f"http://localhost:{port}"
        results = calls(
            flavour,
            url,
            [
                lambda c: c.feedback.create_or_update(**ARGS),
                lambda c: c.with_options(base_url=other).feedback.create_or_update(**ARGS),
            ],
        )
    assert all(not isinstance(result, Exception) for result in results), results
    lines = [line.lower() for request in seen for line in request.split(b"\r\n")]
    assert [line for line in lines if line.startswith(b"host:")] == [
        f"host: 127.0.0.1:{port}".encode(),
        f"host: localhost:{port}".encode(),
    ]


def test_the_sync_pool_keeps_no_cookies() -> None:
    """Like AsyncRaia's, Raia's own pool never sends back a cookie a server set."""
    seen: list[bytes] = []
    with_cookie = (FEEDBACK, {"set-cookie": "s=1; Path=/"})
    with raw_server(answers(with_cookie, with_cookie, seen=seen)) as url:
        results = calls("sync", url, [lambda c: c.feedback.create_or_update(**ARGS)] * 2)
    assert all(not isinstance(result, Exception) for result in results), results
    assert len(seen) == 2
    assert all(b"\r\ncookie:" not in request.lower() for request in seen)
