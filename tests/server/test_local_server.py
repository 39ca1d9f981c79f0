"""The local server, spoken to over real HTTP."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections import Counter

import httpx
import pytest
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE

from raia_agent.testing import LocalServer, local_server
from tests.support.server_helpers import MESSAGE_ID, USER_ID
from tests.support.server_helpers import request_body as feedback_body

PATH = FEEDBACK_CREATE_OR_UPDATE.path

FORBIDDEN = {"status": 403, "name": "FORBIDDEN_ERROR", "message": "INVALID_CREDENTIALS", "details": []}


# The server speaks plain HTTP; one TLS context for every throwaway client spares each one loading the CA
# bundle (most of a client's construction cost, paid 200 times by the drop test).
PLAIN_HTTP = ssl.create_default_context()


def post(server: LocalServer, body: object = None, key: str | None = "", **kw: object) -> httpx.Response:
    headers = {} if key is None else {"Agent-Secret-Key": key or server.secret_key}
    with httpx.Client(base_url=server.base_url, timeout=5, verify=PLAIN_HTTP) as client:
        if isinstance(body, bytes):
            return client.post(PATH, content=body, headers={**headers, "content-type": "application/json"})
        return client.post(PATH, json=feedback_body() if body is None else body, headers=headers)


def test_create_then_update_keeps_id_and_created_at(server: LocalServer) -> None:
    """A second call for the same pair updates the feedback: same id and createdAt, later updatedAt."""
    first = post(server)
    assert first.status_code == 201
    created = first.json()
    assert created["createdAt"] == created["updatedAt"]
    assert created["answer"] is None and created["comment"] is None
    second = post(server, feedback_body(voteType="down", answer="A", comment="meh")).json()
    assert second["id"] == created["id"]
    assert second["createdAt"] == created["createdAt"]
    assert second["updatedAt"] > created["updatedAt"]
    assert (second["voteType"], second["answer"], second["comment"]) == ("down", "A", "meh")
    assert server.store.count() == 1


def test_two_users_on_one_message_are_two_feedbacks(server: LocalServer) -> None:
    """The pair (message, user) identifies a feedback."""
    a = post(server).json()
    b = post(server, feedback_body(userId="3f333df6-90a4-4fda-8dd3-9485d27cee36")).json()
    assert a["id"] != b["id"]
    assert server.store.count() == 2


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_missing_or_wrong_key_gets_the_real_403_body(server: LocalServer, key: str | None) -> None:
    """Without the right Agent-Secret-Key the answer is the real API's 403 body."""
    response = post(server, key=key)
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert server.store.count() == 0


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"{not json", "JSON"),
        (feedback_body(question=42), "question"),
        (feedback_body(question=...), "question"),
        (feedback_body(userId="not-a-uuid"), "userId"),
        (feedback_body(conversationMessageId="1234"), "conversationMessageId"),
        (feedback_body(voteType="sideways"), "voteType"),
        (feedback_body(answer=["a"]), "answer"),
        ([1, 2], "object"),
    ],
)
def test_invalid_bodies_get_400_listing_the_problem(server: LocalServer, body: object, named: str) -> None:
    """Each class of invalid body gets a NestJS-style 400 naming the problem, and stores nothing."""
    response = post(server, body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["statusCode"] == 400 and payload["error"] == "Bad Request"
    assert any(named in message for message in payload["message"]), payload
    assert server.store.count() == 0


def test_400_lists_every_problem(server: LocalServer) -> None:
    """All problems of one body are reported together."""
    payload = post(server, {"userId": "x", "voteType": "left"}).json()
    text = " ".join(payload["message"])
    for field in ("conversationMessageId", "question", "userId", "voteType"):
        assert field in text
    assert len(payload["message"]) == 4


def test_every_response_has_a_request_id(server: LocalServer) -> None:
    """x-request-id is on successes, errors and injected faults alike."""
    server.fail_next("500")
    responses = [post(server), post(server), post(server, key="bad"), post(server, b"{")]
    ids = [r.headers.get("x-request-id") for r in responses]
    assert all(ids) and len(set(ids)) == 4


async def test_concurrent_upserts_of_one_pair_leave_one_row(server: LocalServer) -> None:
    """100 concurrent calls for the same pair create exactly one feedback."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    PATH,
                    json=feedback_body(question=f"q{i}"),
                    headers={"Agent-Secret-Key": server.secret_key},
                )
                for i in range(100)
            )
        )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert server.store.count() == 1


def test_fault_500_uses_the_spec_body(server: LocalServer) -> None:
    """An injected 500 answers with the spec's InternalServerError body, then service resumes."""
    server.fail_next("500", times=2)
    assert [post(server).status_code for _ in range(3)] == [500, 500, 201]
    server.fail_next("500")
    assert post(server).json() == {"status": 500, "message": "Internal Server Error"}


def test_fault_429_carries_retry_after(server: LocalServer) -> None:
    """An injected 429 carries the configured Retry-After."""
    server.fail_next("429", retry_after="7")
    response = post(server)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


def test_fault_502_is_a_proxy_html_page(server: LocalServer) -> None:
    """An injected 502 is an HTML page, as a proxy in front of the API would send."""
    server.fail_next("502")
    response = post(server)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text


def test_fault_slow_delays_the_headers(server: LocalServer) -> None:
    """A slow fault holds the response back: a short read timeout fires."""
    server.fail_next("slow", delay=1.0)
    with httpx.Client(base_url=server.base_url) as client, pytest.raises(httpx.ReadTimeout):
        client.post(PATH, json=feedback_body(), headers={"Agent-Secret-Key": server.secret_key}, timeout=0.2)


def test_fault_drop_closes_the_connection(server: LocalServer) -> None:
    """A dropped connection ends without a response; the next request works."""
    server.fail_next("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        post(server)
    assert post(server).status_code == 201


def test_fault_drop_is_a_close_never_a_reset(server: LocalServer) -> None:
    """200 drops in a row each end as "closed without a response", never as a reset (ReadError).

    The drop used to close while the request body could still be unread in the kernel, which
    makes the close a reset; it now reads the request to its end first. Each drop is a new
    connection, as in the test that failed 1 run in 20.
    """
    seen: Counter[str] = Counter()
    for _ in range(200):
        server.fail_next("drop")
        try:
            post(server)
        except httpx.HTTPError as exc:
            seen[type(exc).__name__] += 1
    assert seen == {"RemoteProtocolError": 200}
    assert post(server).status_code == 201


def test_fault_fraction_hits_about_that_share(server: LocalServer) -> None:
    """fail_fraction injects into roughly the given share of requests."""
    server.fail_fraction("500", 0.5)
    statuses = [post(server).status_code for _ in range(60)]
    assert 10 < statuses.count(500) < 50
    server.clear_faults()
    assert post(server).status_code == 201


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_server_stops_and_frees_its_port() -> None:
    """Leaving the context stops the server and frees the port."""
    with local_server() as server:
        port = server.port
        assert post(server).status_code == 201
    assert port_is_free(port)
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"http://127.0.0.1:{port}{PATH}", json={}, timeout=2)


def test_server_stops_after_an_exception_in_the_body() -> None:
    """The server shuts down even when the with-block raises."""
    with pytest.raises(ZeroDivisionError), local_server() as server:
        port = server.port
        _ = 1 / 0
    deadline = time.monotonic() + 5
    while not port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert port_is_free(port)


def test_binds_to_loopback_only(server: LocalServer) -> None:
    """The server listens on 127.0.0.1."""
    assert server.base_url.startswith("http://127.0.0.1:")


def test_ids_are_case_insensitive_uuids(server: LocalServer) -> None:
    """The same UUID in upper case names the same feedback."""
    a = post(server).json()
    b = post(server, feedback_body(conversationMessageId=MESSAGE_ID.upper(), userId=USER_ID.upper())).json()
    assert a["id"] == b["id"]


def test_faults_can_be_given_to_local_server() -> None:
    """local_server(fail=..., times=...) schedules faults before the first request."""
    with local_server(fail="429", times=2, retry_after="0") as server:
        assert [post(server).status_code for _ in range(3)] == [429, 429, 201]


@pytest.mark.parametrize(
    ("keywords", "named"),
    [
        ({"retry_after": "5"}, "retry_after"),
        ({"times": 2, "delay": 0.5}, "times, delay"),
        ({"fail": "429", "retry_after": 5}, "retry_after"),
        ({"fail": "500", "times": "2"}, "times"),
        ({"fail": "slow", "delay": "1"}, "delay"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_keywords_that_do_not_fit_are_a_type_error_naming_them(
    keywords: dict[str, object], named: str
) -> None:
    """local_server() refuses a fault keyword without `fail`, of the wrong type, or unknown, by name."""
    with pytest.raises(TypeError, match=named), local_server(**keywords):  # type: ignore[arg-type]
        pytest.fail("the server started")


def test_access_log_lines_cover_faults_and_escape_the_path() -> None:
    """local_server(access_log=...) gets a line per request: a drop has status "-", a path is escaped."""
    lines: list[str] = []
    with local_server(access_log=lines.append) as server:
        assert post(server).status_code == 201
        server.fail_next("drop")
        with pytest.raises(httpx.RemoteProtocolError):
            post(server)
        with httpx.Client(base_url=server.base_url) as client:
            assert client.get("/a%1b]0;title%07").status_code == 404
    assert [line.split(" ")[:3] for line in lines] == [
        ["POST", PATH, "201"],
        ["POST", PATH, "-"],
        ["GET", "/a%1b]0;title%07", "404"],
    ]
    assert all(server.secret_key not in line for line in lines)
