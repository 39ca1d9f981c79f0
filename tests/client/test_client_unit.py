"""Client behaviour that a real server cannot produce on demand, over httpx.MockTransport."""

from __future__ import annotations

import json
import logging
import math
import platform
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from raia_agent_api.resources._operations import AUTH_HEADERS, BASE_URL, OPERATIONS
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import (
    DEFAULT_TIMEOUT,
    APIStatusError,
    AsyncRaia,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    Raia,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    __version__,
    _httpx2,
)
from raia_agent._retry import MAX_RETRY_AFTER, retry_after, should_retry
from tests.support.bodies import success_body
from tests.support.server_helpers import CREATE_ARGS, MESSAGE_ID, USER_ID

ARGS = CREATE_ARGS
# The 201 body is built from the spec's reply schema, echoing the request, so a vendor update that
# adds a reply field (a required, nullable one, as the vendor writes them) changes it here too.
FEEDBACK = success_body(
    CREATE, **{p.name: ARGS[p.python] for p in CREATE.params if p.location == "body" and p.python in ARGS}
)
KEY = "sk-test-0123456789"
BASE = BASE_URL  # the spec's server
HEADER = AUTH_HEADERS[0]  # the spec's apiKey header


class Recorder:
    """A MockTransport handler answering from a list of responses, recording each request."""

    def __init__(self, *responses: httpx.Response | Callable[[httpx.Request], httpx.Response]) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses[min(len(self.requests), len(self.responses)) - 1]
        return answer(request) if callable(answer) else answer


def ok(body: object = FEEDBACK, **kw: Any) -> httpx.Response:
    return httpx.Response(201, json=body, **kw)


def make(recorder: Recorder, **kw: Any) -> Raia:
    return Raia(secret_key=KEY, http_client=httpx.Client(transport=httpx.MockTransport(recorder)), **kw)


# Retry-After ---------------------------------------------------------------------------------

NOW = datetime(2026, 11, 29, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-2"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "1e400"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": format_datetime(NOW + timedelta(seconds=30), usegmt=True)}, 30.0),
        ({"retry-after": format_datetime(NOW - timedelta(seconds=30), usegmt=True)}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "-5", "retry-after": "2"}, 2.0),
        ({"retry-after-ms": "junk"}, None),
        ({"retry-after": "99999999"}, 99999999.0),
        ({}, None),
    ],
)
def test_retry_after_values(headers: dict[str, str], expected: float | None) -> None:
    """Retry-After in seconds, HTTP dates and retry-after-ms parse; nonsense is ignored."""
    assert retry_after(httpx.Headers(headers), now=NOW) == expected


def status_error(status: int, headers: dict[str, str] | None = None) -> APIStatusError:
    from raia_agent._exceptions import status_error_class

    response = httpx.Response(status, headers=headers, request=httpx.Request("POST", BASE))
    return status_error_class(status)(f"Error code: {status}", response=response, body=None)


@pytest.mark.parametrize(
    ("status", "headers", "decision"),
    [
        (429, {"retry-after": "2"}, 2.0),
        (429, {"retry-after": "0"}, 0.0),
        (429, {"retry-after": str(MAX_RETRY_AFTER)}, MAX_RETRY_AFTER),
        (429, {"retry-after": str(MAX_RETRY_AFTER + 1)}, False),
        (429, {"retry-after": "99999999"}, False),
        (429, {"retry-after": "garbage"}, True),
        (429, {"retry-after": "nan"}, True),
        (503, {}, True),
        (500, {}, True),
        (408, {}, True),
        (409, {}, True),
        (400, {}, False),
        (403, {}, False),
        (404, {}, False),
        (422, {}, False),
        (400, {"retry-after": "1"}, False),
    ],
)
def test_retry_decisions(status: int, headers: dict[str, str], decision: bool | float) -> None:
    """Retries 408, 409, 429 and 5xx, honouring Retry-After up to the ceiling; never other 4xx."""
    assert should_retry(status_error(status, headers)) == decision


def test_retry_after_above_ceiling_raises_without_waiting() -> None:
    """A 429 asking for more than the ceiling is raised after one attempt."""
    recorder = Recorder(httpx.Response(429, headers={"retry-after": "3600"}, json={}), ok())
    with make(recorder) as client, pytest.raises(RateLimitError):
        client.feedback.create_or_update(**ARGS)
    assert len(recorder.requests) == 1


def test_retry_after_within_ceiling_is_retried() -> None:
    """A 429 with a short Retry-After is retried and succeeds."""
    recorder = Recorder(httpx.Response(429, headers={"retry-after": "1"}, json={}), ok())
    with make(recorder) as client:
        assert client.feedback.create_or_update(**ARGS).question == "Q"
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_the_wait_before_a_retry_is_the_retry_after_asked_for(
    flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429's Retry-After is the wait stamina takes before the retry, not its default backoff."""
    import asyncio
    import time

    import stamina.instrumentation

    async def no_wait(seconds: float) -> None:
        return None

    waits: list[float] = []
    recorder = Recorder(httpx.Response(429, headers={"retry-after": "7"}, json={}), ok())
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the test asserts the wait, not the clock
    monkeypatch.setattr(asyncio, "sleep", no_wait)
    previous = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([lambda details: waits.append(details.wait_for)])

    async def call_async() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
        async with AsyncRaia(secret_key=KEY, http_client=http) as client:
            await client.feedback.create_or_update(**ARGS)

    try:
        with stamina.set_testing(False):  # testing mode zeroes every wait
            if flavour == "sync":
                with make(recorder) as client:
                    client.feedback.create_or_update(**ARGS)
            else:
                asyncio.run(call_async())
    finally:
        stamina.instrumentation.set_on_retry_hooks(previous)
    assert waits == [7.0]
    assert len(recorder.requests) == 2


# Bad responses -------------------------------------------------------------------------------

BAD_201 = [
    pytest.param(httpx.Response(201), id="empty"),
    pytest.param(httpx.Response(201, text=json.dumps(FEEDBACK)), id="text-plain"),
    pytest.param(httpx.Response(201, content=json.dumps(FEEDBACK)[:40].encode(),
                                headers={"content-type": "application/json"}), id="truncated"),
    pytest.param(ok({k: v for k, v in FEEDBACK.items() if k != "id"}), id="missing-id"),
    pytest.param(ok({**FEEDBACK, "id": 42}), id="id-wrong-type"),
    pytest.param(ok({**FEEDBACK, "id": "not-a-uuid"}), id="id-not-uuid"),
    pytest.param(ok({**FEEDBACK, "voteType": "meh"}), id="vote-outside-enum"),
    pytest.param(ok([FEEDBACK]), id="array"),
    pytest.param(ok(None), id="null"),
    pytest.param(httpx.Response(201, content=b"\xff\xfe", headers={"content-type": "application/json"}), id="binary"),
]  # fmt: skip


@pytest.mark.parametrize("response", BAD_201)
def test_bad_201_bodies_raise_response_validation_error(response: httpx.Response) -> None:
    """A 201 whose body breaks the spec raises ResponseValidationError, nothing rawer."""
    with make(Recorder(response)) as client, pytest.raises(ResponseValidationError) as info:
        client.feedback.create_or_update(**ARGS)
    assert info.value.status_code == 201
    assert "does not match the spec" in str(info.value)


def test_truncated_json_keeps_the_decode_error_as_cause() -> None:
    """The JSON error is kept as __cause__."""
    response = httpx.Response(201, content=b'{"id": "x', headers={"content-type": "application/json"})
    with make(Recorder(response)) as client, pytest.raises(ResponseValidationError) as info:
        client.feedback.create_or_update(**ARGS)
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


def test_bad_body_is_not_retried() -> None:
    """A 201 with a bad body is raised at once: the write may have happened."""
    recorder = Recorder(httpx.Response(201, text="nope"))
    with make(recorder) as client, pytest.raises(ResponseValidationError):
        client.feedback.create_or_update(**ARGS)
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (418, APIStatusError),
        (400, BadRequestError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (503, InternalServerError),
        (302, APIStatusError),
    ],
)
def test_statuses_map_to_exception_classes(status: int, cls: type[APIStatusError]) -> None:
    """Each status raises its class; undocumented ones raise APIStatusError."""
    response = httpx.Response(status, json={"statusCode": status, "message": ["a", "b"]})
    with make(Recorder(response), max_retries=0) as client, pytest.raises(APIStatusError) as info:
        client.feedback.create_or_update(**ARGS)
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert info.value.body == {"statusCode": status, "message": ["a", "b"]}
    assert "a; b" in str(info.value)


def test_403_with_unexpected_body_keeps_raw_body() -> None:
    """A 403 that is not the documented shape exposes the raw body and no parsed error."""
    from raia_agent import PermissionDeniedError

    response = httpx.Response(403, text="<html>denied</html>")
    with make(Recorder(response)) as client, pytest.raises(PermissionDeniedError) as info:
        client.feedback.create_or_update(**ARGS)
    assert info.value.error is None
    assert info.value.body == "<html>denied</html>"


# Input validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "exc", "field"),
    [
        ({"conversation_message_id": "123"}, ValueError, "conversation_message_id"),
        ({"user_id": "not-a-uuid"}, ValueError, "user_id"),
        ({"vote_type": "sideways"}, ValueError, "vote_type"),
        ({"question": 42}, TypeError, "question"),
        ({"answer": ["x"]}, TypeError, "answer"),
        ({"comment": 1.5}, TypeError, "comment"),
        ({"question": None}, ValueError, "question is required"),
        ({"user_id": None}, ValueError, "user_id is required"),
    ],
)
def test_bad_input_raises_before_sending(overrides: dict[str, Any], exc: type[Exception], field: str) -> None:
    """Invalid arguments raise TypeError/ValueError naming the field, and nothing is sent."""
    recorder = Recorder(ok())
    with make(recorder) as client, pytest.raises(exc, match=field):
        client.feedback.create_or_update(**{**ARGS, **overrides})
    assert recorder.requests == []


def test_unknown_argument_is_a_type_error() -> None:
    """An argument the spec does not know is a TypeError from Python itself."""
    # a name no vendor would add, so that a compatible spec update (an optional `rating`, say) passes
    with make(Recorder(ok())) as client, pytest.raises(TypeError, match="zz_not_in_any_spec"):
        client.feedback.create_or_update(**ARGS, zz_not_in_any_spec=5)  # type: ignore[call-arg]


def test_request_body_and_headers() -> None:
    """The body is camelCase JSON without absent optionals; auth and User-Agent headers are set."""
    recorder = Recorder(ok())
    with make(recorder) as client:
        client.feedback.create_or_update(**{**ARGS, "user_id": uuid.UUID(USER_ID), "comment": "c"})
    request = recorder.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/external/conversation-message-feedbacks"
    assert json.loads(request.content) == {
        "conversationMessageId": MESSAGE_ID,
        "userId": USER_ID,
        "voteType": "up",
        "question": "Q",
        "comment": "c",
    }
    assert request.headers[HEADER] == KEY
    assert request.headers["User-Agent"] == (
        f"raia-agent/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
    )


# Configuration -------------------------------------------------------------------------------


def test_missing_key_says_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key raises at construction, naming the argument and the environment variable."""
    monkeypatch.delenv("RAIA_AGENT_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="RAIA_AGENT_SECRET_KEY"):
        Raia()


def test_key_and_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """RAIA_AGENT_SECRET_KEY and RAIA_AGENT_BASE_URL configure a bare Raia()."""
    monkeypatch.setenv("RAIA_AGENT_SECRET_KEY", KEY)
    monkeypatch.setenv("RAIA_AGENT_BASE_URL", "http://127.0.0.1:9/")
    with Raia() as client:
        assert client.base_url == "http://127.0.0.1:9"


def test_default_base_url_is_the_spec_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without configuration the base URL is the spec's server."""
    monkeypatch.delenv("RAIA_AGENT_BASE_URL", raising=False)
    with Raia(secret_key=KEY) as client:
        assert client.base_url == BASE_URL


@pytest.mark.parametrize("bad", ["sk\r\nX-Evil: 1", "sk\nx", "sk\x00x", "sk\tx", "sk-ключ", " sk"])
def test_key_with_illegal_characters_is_rejected_without_echo(bad: str) -> None:
    """A key with CR, LF, NUL, other control or non-ASCII characters is refused, not echoed."""
    with pytest.raises(ValueError, match="not allowed in an HTTP header") as info:
        Raia(secret_key=bad)
    assert bad not in str(info.value)
    assert bad.strip() not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.raia2.com",
        "http://localhost@evil.example",
        "http://127.0.0.1.evil.example",
        "http://10.0.0.1:8000",
        "ftp://api.raia2.com",
        "api.raia2.com",
    ],
)
def test_plain_http_is_refused_off_loopback(url: str) -> None:
    """http:// is refused unless the host is loopback, parsed properly."""
    with pytest.raises(ValueError, match="base_url"):
        Raia(secret_key=KEY, base_url=url)


@pytest.mark.parametrize(
    "url", ["http://localhost:8000", "http://127.0.0.1:1", "http://[::1]:80", "https://x.example"]
)
def test_loopback_http_and_https_are_accepted(url: str) -> None:
    """http:// to loopback and any https:// URL are accepted."""
    with Raia(secret_key=KEY, base_url=url) as client:
        assert client.base_url.startswith(url.split(":")[0])


def test_default_timeout_is_finite() -> None:
    """The default timeout is finite for every phase."""
    with Raia(secret_key=KEY) as client:
        assert client.timeout == DEFAULT_TIMEOUT
        assert all(
            v is not None and math.isfinite(v)
            for v in (client.timeout.connect, client.timeout.read, client.timeout.write, client.timeout.pool)
        )


def test_timeouts_reach_the_request() -> None:
    """Client, with_options and per-call timeouts are what the request carries."""
    recorder = Recorder(ok())
    with make(recorder, timeout=7.0) as client:
        client.feedback.create_or_update(**ARGS)
        client.with_options(timeout=3.0).feedback.create_or_update(**ARGS)
        client.feedback.create_or_update(**ARGS, timeout=httpx.Timeout(1.0, connect=0.5))
        client.feedback.create_or_update(**ARGS, timeout=None)
    timeouts = [r.extensions["timeout"] for r in recorder.requests]
    assert timeouts[0]["read"] == 7.0
    assert timeouts[1]["read"] == 3.0
    assert timeouts[2]["connect"] == 0.5
    assert timeouts[3]["read"] is None


def test_with_options_shares_the_pool_and_keeps_the_original() -> None:
    """with_options returns a configured copy on the same connection pool."""
    with make(Recorder(ok()), max_retries=5) as client:
        copy = client.with_options(max_retries=0)
        assert copy._http is client._http
        assert (client.max_retries, copy.max_retries) == (5, 0)
        copy.close()
        assert not client._http.is_closed


def test_default_headers_are_sent() -> None:
    """default_headers go with every request."""
    recorder = Recorder(ok())
    with make(recorder, default_headers={"X-Team": "support"}) as client:
        client.feedback.create_or_update(**ARGS)
    assert recorder.requests[0].headers["X-Team"] == "support"


async def test_async_client_over_mock_transport() -> None:
    """AsyncRaia retries a 503 and returns the second answer."""
    recorder = Recorder(httpx.Response(503, json={"status": 503, "message": "x"}), ok())
    transport = httpx.MockTransport(recorder)
    async with AsyncRaia(secret_key=KEY, http_client=httpx.AsyncClient(transport=transport)) as client:
        fb = await client.feedback.create_or_update(**ARGS)
    assert fb.question == "Q"
    assert len(recorder.requests) == 2


# Logging -------------------------------------------------------------------------------------


def test_debug_logging_redacts_the_key(caplog: pytest.LogCaptureFixture) -> None:
    """Debug logs show the request and response, with Agent-Secret-Key redacted."""
    caplog.set_level(logging.DEBUG, logger="raia_agent")
    with make(Recorder(ok(headers={"x-request-id": "req-1"}))) as client:
        client.feedback.create_or_update(**ARGS)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "[REDACTED]" in text
    assert "req-1" in text
    assert KEY not in text


def test_each_retry_is_one_info_line(caplog: pytest.LogCaptureFixture) -> None:
    """A retry logs one info line on raia_agent: method, path, cause, attempt n of m."""
    caplog.set_level(logging.INFO, logger="raia_agent")
    failing = httpx.Response(429, json={"message": "slow down"}, headers={"retry-after": "0"})
    with make(Recorder(failing, ok())) as client:
        client.feedback.create_or_update(**ARGS)
    lines = [r.getMessage() for r in caplog.records if r.name == "raia_agent"]
    assert len(lines) == 1, lines
    assert lines[0].startswith("retrying POST /") and "after 429 (attempt 2 of 3) in 0 s" in lines[0]


def test_retries_print_nothing_without_logging_configured() -> None:
    """A script that configured no logging gets no stray stderr lines from retries."""
    code = (
        "import httpx, stamina\n"
        "from raia_agent import Raia\n"
        "answers = iter([httpx.Response(500, json={'status': 500, 'message': 'x'}), "
        f"httpx.Response(201, json={FEEDBACK!r})])\n"
        "http = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))\n"
        "stamina.set_testing(True, attempts=10)\n"
        f"Raia(secret_key='{KEY}', http_client=http).feedback.create_or_update(**{dict(ARGS)!r})\n"
    )
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_import_sizes_the_pool_to_its_concurrency() -> None:
    """A pool sized for the import holds exactly one connection per worker, and keeps the headers."""
    client = AsyncRaia(secret_key=KEY, default_headers={"X-Kept": "yes"})
    client._size_pool(7)
    gate: Any = client._http._transport
    if isinstance(client._http, _httpx2.AsyncSender):  # httpx2's own client sends, ungated (a fallback)
        transport = gate
    else:  # aiohttp's and httpx's pools sit behind a gate as wide as them (see raia_agent._transport)
        assert gate._width == 7
        transport = gate._inner
    if hasattr(transport, "_pool"):
        assert transport._pool._max_connections == 7
    else:  # aiohttp's connector is built on first use, from these limits
        assert transport.limits.max_connections == 7
    assert client._http.headers["X-Kept"] == "yes"
    # credentials are not pool headers: each request carries those its operation needs
    sent = client._sent(OPERATIONS[next(iter(OPERATIONS))])
    assert HEADER not in client._http.headers and sent.json_headers[HEADER] == KEY
