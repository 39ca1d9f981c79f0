"""Escape hatches: extra_headers, extra_query and extra_body on every call, and with_options."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from raia_agent_api.resources._operations import AUTH_HEADERS
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import AsyncRaia, BadRequestError, Raia
from raia_agent.testing import LocalServer
from raia_runtime import Operation
from tests.support.bodies import success_body
from tests.support.server_helpers import CREATE_ARGS, MESSAGE_ID, USER_ID
from tests.support.typecheck import check_snippet

ARGS = CREATE_ARGS
# Built from the spec's reply schema, echoing the request, so a vendor update changes it here too.
FEEDBACK: dict[str, Any] = success_body(
    CREATE, **{p.name: ARGS[p.python] for p in CREATE.params if p.location == "body" and p.python in ARGS}
)
KEY = "sk-test-extras-0123456789"
HEADER = AUTH_HEADERS[0]


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(201, json=FEEDBACK)


async def call(flavour: str, recorder: Recorder, **kw: Any) -> Any:
    transport = httpx.MockTransport(recorder)
    if flavour == "sync":
        with Raia(secret_key=KEY, http_client=httpx.Client(transport=transport), max_retries=0) as client:
            return client.feedback.create_or_update(**{**ARGS, **kw})
    async with AsyncRaia(
        secret_key=KEY, http_client=httpx.AsyncClient(transport=transport), max_retries=0
    ) as aclient:
        return await aclient.feedback.create_or_update(**{**ARGS, **kw})


FLAVOURS = pytest.mark.parametrize("flavour", ["sync", "async"])


@FLAVOURS
async def test_extras_are_merged_after_the_documented_arguments(flavour: str) -> None:
    """Extra headers, query parameters and body fields are sent beside (and over) the documented ones."""
    recorder = Recorder()
    await call(
        flavour,
        recorder,
        extra_headers={"X-Beta": "feedback-v2", "User-Agent": "mine/1"},
        extra_query={"beta": True, "tag": ["a", "b"], "n": 3},
        extra_body={"rating": 5, "voteType": "neutral", "meta": {"source": "csv"}},
    )
    (request,) = recorder.requests
    assert request.headers["x-beta"] == "feedback-v2"
    assert request.headers["user-agent"] == "mine/1"
    assert request.headers.get_list(HEADER) == [KEY]
    assert request.url.params.multi_items() == [("beta", "true"), ("tag", "a"), ("tag", "b"), ("n", "3")]
    body = json.loads(request.content)
    assert body == {
        "conversationMessageId": MESSAGE_ID,
        "userId": USER_ID,
        "voteType": "neutral",  # an extra field wins: that is what an escape hatch is for
        "question": "Q",
        "rating": 5,
        "meta": {"source": "csv"},
    }
    assert request.headers["content-type"] == "application/json"


@FLAVOURS
@pytest.mark.parametrize("name", [HEADER, HEADER.lower(), HEADER.upper()])
async def test_extra_headers_never_replace_or_duplicate_the_key(flavour: str, name: str) -> None:
    """The key's header in extra_headers, in any case, is refused before anything is sent."""
    recorder = Recorder()
    with pytest.raises(ValueError, match=r"extra_headers: .* carries the secret key") as caught:
        await call(flavour, recorder, extra_headers={name: "sk-other"})
    assert recorder.requests == []
    assert "sk-other" not in str(caught.value) and KEY not in str(caught.value)


@FLAVOURS
@pytest.mark.parametrize(
    ("extras", "error", "names"),
    [
        ({"extra_headers": {"X-Bad": "a\r\nInjected: 1"}}, ValueError, "extra_headers['X-Bad']"),
        ({"extra_headers": {"Bad Name": "1"}}, ValueError, "extra_headers: 'Bad Name'"),
        ({"extra_headers": {"X-Number": 1}}, TypeError, "extra_headers: 'X-Number'"),
        ({"extra_query": {"when": object()}}, TypeError, "extra_query['when']"),
        ({"extra_query": {"x": float("nan")}}, ValueError, "extra_query['x']"),
        ({"extra_query": {"x": "\ud800"}}, ValueError, "extra_query['x']"),
        ({"extra_body": {"when": object()}}, TypeError, "extra_body['when']"),
        ({"extra_body": {"x": float("inf")}}, ValueError, "extra_body['x']"),
        ({"extra_body": ["not", "a", "mapping"]}, TypeError, "extra_body must be a mapping"),
    ],
)
async def test_bad_extras_are_refused_by_name_before_sending(
    flavour: str, extras: dict[str, Any], error: type[Exception], names: str
) -> None:
    """Extras are checked like the arguments they join, and the error names the entry."""
    recorder = Recorder()
    with pytest.raises(error) as caught:
        await call(flavour, recorder, **extras)
    assert names in str(caught.value)
    assert recorder.requests == []


@pytest.mark.parametrize("value", [" v", "v ", "\t", "v\t"])
@pytest.mark.parametrize("where", ["extra_headers", "default_headers"])
def test_a_header_value_with_outer_whitespace_is_refused_before_sending(
    server: LocalServer, where: str, value: str
) -> None:
    """h11 refuses to send such a value: a ValueError naming the header, not a retried connection error."""
    with pytest.raises(ValueError, match=rf"{where}\['X-Padded'\] starts or ends with whitespace"):
        if where == "default_headers":
            Raia(secret_key=server.secret_key, base_url=server.base_url, default_headers={"X-Padded": value})
        else:
            with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
                client.feedback.create_or_update(**ARGS, extra_headers={"X-Padded": value})
    assert server.requests_received == 0


@pytest.mark.parametrize("name", ["Content-Length", "transfer-encoding", "TRANSFER-ENCODING"])
@pytest.mark.parametrize("where", ["extra_headers", "default_headers"])
def test_a_header_that_frames_the_message_is_refused_before_sending(
    server: LocalServer, where: str, name: str
) -> None:
    """Content-Length or Transfer-Encoding from the caller is a ValueError naming it, never a raw h11 error or a 400."""
    value = "3" if name.lower() == "content-length" else "chunked"
    with pytest.raises(ValueError, match=f"{where}: '{name}' frames the message"):
        if where == "default_headers":
            Raia(secret_key=server.secret_key, base_url=server.base_url, default_headers={name: value})
        else:
            with Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as client:
                client.feedback.create_or_update(**ARGS, extra_headers={name: value})
    assert server.requests_received == 0


def test_documented_arguments_are_still_checked_when_extras_are_given() -> None:
    """extra_body does not excuse a wrong documented argument: validation runs first."""
    recorder = Recorder()
    client = Raia(secret_key=KEY, http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    with client, pytest.raises(ValueError, match="vote_type"):
        client.feedback.create_or_update(**{**ARGS, "vote_type": "sideways"}, extra_body={"x": 1})  # type: ignore[arg-type]
    assert recorder.requests == []


def test_extra_body_is_refused_for_an_operation_without_a_json_object_body() -> None:
    """An operation whose body is not a JSON object of fields has no place for extra fields."""
    op: Operation[Any] = Operation(
        name="things.list",
        method="GET",
        path="/things",
        params=(),
        params_schema=None,
        body_schema=None,
        body_required=False,
        success=200,
        replies={},
    )
    recorder = Recorder()
    client = Raia(secret_key=KEY, http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    with client, pytest.raises(TypeError, match="extra_body needs a JSON object body"):
        client._request(op, {}, timeout=client.timeout, max_retries=0, extra_body={"x": 1})
    assert recorder.requests == []


def test_extras_reach_a_real_server(server: LocalServer) -> None:
    """Against the local server, extras travel on the wire: an undocumented field is refused by it as 400."""
    with Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as client:
        fb = client.feedback.create_or_update(
            **ARGS, extra_headers={"X-Trace": "t-1"}, extra_query={"dry": "no"}
        )
        assert fb.question == "Q"
        with pytest.raises(BadRequestError):
            client.feedback.create_or_update(**ARGS, extra_body={"voteType": "sideways"})


# with_options ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [Raia, AsyncRaia])
def test_with_options_takes_every_constructor_option_but_http_client(
    cls: type[Raia] | type[AsyncRaia],
) -> None:
    """with_options accepts each constructor option except the key-bearing http_client."""
    constructor = set(inspect.signature(cls).parameters) - {"http_client"}
    assert set(inspect.signature(cls.with_options).parameters) - {"self"} == constructor


def test_with_options_shares_the_pool_and_changes_key_url_headers_and_strictness() -> None:
    """A copy shares the pool, sends its own key once, its own base URL and merged headers."""
    recorder = Recorder()
    with Raia(
        secret_key=KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        default_headers={"X-Team": "a", "X-Keep": "1"},
    ) as client:
        other = client.with_options(
            secret_key="sk-other-9876543210",
            base_url="http://127.0.0.1:9/v2",
            default_headers={"X-Team": "b"},
            strict_responses=True,
            max_retries=0,
        )
        assert other._http is client._http
        other.feedback.create_or_update(**ARGS)
        client.feedback.create_or_update(**ARGS)
    sent_by_copy, sent_by_original = recorder.requests
    assert sent_by_copy.headers.get_list(HEADER) == ["sk-other-9876543210"]
    assert str(sent_by_copy.url).startswith("http://127.0.0.1:9/v2/")
    assert (sent_by_copy.headers["x-team"], sent_by_copy.headers["x-keep"]) == ("b", "1")
    assert sent_by_original.headers.get_list(HEADER) == [KEY]
    assert sent_by_original.headers["x-team"] == "a"
    assert "sk-other" not in repr(other)


def test_with_options_on_the_owned_pool_sends_the_new_key_exactly_once(server: LocalServer) -> None:
    """Over the client's own pool (whose defaults carry the first key) a copy's key replaces it."""
    with Raia(secret_key="sk-wrong-0123456789", base_url=server.base_url, max_retries=0) as client:
        right = client.with_options(secret_key=server.secret_key)
        assert right.feedback.create_or_update(**ARGS).question == "Q"
        assert right._http is client._http


# types -------------------------------------------------------------------------------------------

SNIPPET = """\
from raia_agent import AsyncRaia, Raia


async def calls(client: Raia, aclient: AsyncRaia) -> None:
    client.feedback.create_or_update(vote_type="up", question="q", conversation_message_id="m", user_id="u", extra_headers={"X-A": "1"}, extra_query={"a": 1, "b": ["x"]}, extra_body={"c": {"d": [1]}})
    await aclient.feedback.create_or_update(vote_type="up", question="q", conversation_message_id="m", user_id="u", extra_headers={"X-A": "1"}, extra_body={"c": None})
    client.feedback.with_raw_response.create_or_update(vote_type="up", question="q", conversation_message_id="m", user_id="u", extra_query={"a": True})
    client.with_options(secret_key="k", base_url="https://x", timeout=3, max_retries=1, default_headers={"A": "b"}, strict_responses=True)
    aclient.with_options(strict_responses=False)
    client.feedback.create_or_update(vote_type="up", question="q", conversation_message_id="m", user_id="u", extra_headers={"X-A": 1})  # E: Dict entry 0 has incompatible type "str": "int"; expected "str": "str"
    client.feedback.create_or_update(vote_type="up", question="q", conversation_message_id="m", user_id="u", extra_body=["x"])  # E: extra_body
    client.feedback.create_or_update(vote_type="up", question="q", conversation_message_id="m", user_id="u", extra_query="a=1")  # E: extra_query
    client.feedback.create_or_update(vote_type="up", question="q", conversation_message_id="m", user_id="u", extra_json={})  # E: extra_json
    client.with_options(http_client=None)  # E: http_client
    client.with_options(strict_responses="yes")  # E: strict_responses
"""


def test_mypy_accepts_the_escape_hatches_and_rejects_their_misuse(tmp_path: Path) -> None:
    """mypy --strict accepts extras and with_options as documented, and rejects each wrong use."""
    check_snippet(SNIPPET, tmp_path, "extras.py")
