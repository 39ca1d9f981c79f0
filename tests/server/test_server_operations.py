"""The local server answers every operation of the spec it is given (issue 9, item 4).

Run over tests/specs/server/vendor_update.json: the corrected spec plus a GET by id with a 404, a
list with bounded query parameters, a new optional request field, a renamed auth header, and two
operations outside the feedback collection.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from raia_agent.testing import LocalServer, _store, local_server
from tests.support.server_helpers import (
    MESSAGE_ID,
    auth_header,
    create_path,
    request_body,
    response_schema_problems,
    spec,
)

SPEC = spec("vendor_update")
KEY_HEADER = auth_header(SPEC)
FEEDBACKS = create_path(SPEC)
OPERATIONS = [(path, method) for path, item in SPEC["paths"].items() for method in item]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server(spec=spec("vendor_update")) as running:
        yield running


@pytest.fixture
def http(server: LocalServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={KEY_HEADER: server.secret_key}, timeout=10) as c:
        yield c


def success_status(path: str, method: str) -> int:
    return min(int(s) for s in SPEC["paths"][path][method]["responses"] if s.startswith("2"))


def call(http: httpx.Client, path: str, method: str, ids: dict[str, str], **kw: Any) -> httpx.Response:
    url = path.format(**ids)
    if "requestBody" in SPEC["paths"][path][method]:
        kw.setdefault("json", request_body())
    return http.request(method.upper(), url, **kw)


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_every_operation_answers_a_schema_valid_success(http: httpx.Client, path: str, method: str) -> None:
    """Each operation, called validly, gets its documented success status and a body valid against it."""
    created = http.post(FEEDBACKS, json=request_body()).json()
    response = call(http, path, method, {"id": created["id"], "conversationId": str(uuid.uuid4())})
    status = success_status(path, method)
    assert response.status_code == status, response.text
    assert response_schema_problems(SPEC, path, method, status, response.json()) == []


def test_get_by_id_answers_the_stored_feedback_or_the_documented_404(http: httpx.Client) -> None:
    """GET <collection>/{id} answers the stored document; an unknown id gets the spec's NotFoundErrorDTO."""
    created = http.post(FEEDBACKS, json=request_body(comment="kept")).json()
    assert http.get(f"{FEEDBACKS}/{created['id']}").json() == created
    assert http.get(f"{FEEDBACKS}/{created['id'].upper()}").json() == created
    missing = http.get(f"{FEEDBACKS}/{uuid.uuid4()}")
    assert missing.status_code == 404
    path = f"{FEEDBACKS}/{{id}}"
    assert response_schema_problems(SPEC, path, "get", 404, missing.json()) == []
    defaults = SPEC["components"]["schemas"]["NotFoundErrorDTO"]["properties"]
    assert missing.json() == {name: p.get("default", []) for name, p in defaults.items()}


def test_get_by_id_checks_its_path_parameter(http: httpx.Client) -> None:
    """A path parameter that breaks its schema (not a uuid) gets a NestJS 400 naming it."""
    response = http.get(f"{FEEDBACKS}/not-a-uuid")
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert any("id" in message for message in response.json()["message"])


def test_list_pages_and_filters_the_stored_feedbacks(http: httpx.Client) -> None:
    """The collection's GET lists stored documents, with limit, offset, a field filter and a total."""
    ids = [http.post(FEEDBACKS, json=request_body(userId=str(uuid.uuid4()))).json()["id"] for _ in range(5)]
    other = http.post(FEEDBACKS, json=request_body(conversationMessageId=str(uuid.uuid4()))).json()
    page = http.get(FEEDBACKS, params={"limit": 2, "offset": 1}).json()
    assert [item["id"] for item in page["items"]] == ids[1:3]
    assert page["total"] == 6
    only = http.get(FEEDBACKS, params={"conversationMessageId": other["conversationMessageId"]}).json()
    assert [item["id"] for item in only["items"]] == [other["id"]]
    assert only["total"] == 1
    assert len(http.get(FEEDBACKS).json()["items"]) == 6


@pytest.mark.parametrize("limit", ["0", "101", "ten", "1.5", "9" * 5000])
def test_list_query_parameters_are_checked_against_their_bounds(http: httpx.Client, limit: str) -> None:
    """limit must be an integer from 1 to 100, as documented; anything else is a 400 naming it."""
    response = http.get(FEEDBACKS, params={"limit": limit})
    assert response.status_code == 400
    assert any(message.startswith("limit") for message in response.json()["message"]), response.json()


def test_new_optional_request_field_is_checked_stored_and_echoed(
    http: httpx.Client, server: LocalServer
) -> None:
    """`rating` (1..5), new in the spec, is validated, stored as part of the JSON body and echoed."""
    rated = http.post(FEEDBACKS, json=request_body(rating=4)).json()
    assert rated["rating"] == 4
    assert http.get(f"{FEEDBACKS}/{rated['id']}").json()["rating"] == 4
    assert server.store.all()[0]["rating"] == 4
    unrated = http.post(FEEDBACKS, json=request_body(rating=...)).json()
    assert unrated["rating"] is None and unrated["id"] == rated["id"]
    refused = http.post(FEEDBACKS, json=request_body(rating=9))
    assert refused.status_code == 400
    assert any("rating" in message for message in refused.json()["message"])


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_key_goes_in_the_header_the_spec_names(server: LocalServer, path: str, method: str) -> None:
    """Every operation wants the key in the spec's header (X-Agent-Secret-Key here), else the spec's 403."""
    ids = {"id": str(uuid.uuid4()), "conversationId": str(uuid.uuid4())}
    with httpx.Client(base_url=server.base_url, headers={"Agent-Secret-Key": server.secret_key}) as old:
        response = call(old, path, method, ids)
    assert response.status_code == 403
    assert response.json() == {
        "status": 403,
        "name": "FORBIDDEN_ERROR",
        "message": "INVALID_CREDENTIALS",
        "details": [],
    }
    assert server.store.count() == 0


def test_operations_outside_the_store_answer_the_spec_example_or_a_minimal_body(http: httpx.Client) -> None:
    """An operation the store does not back answers the spec's example, else a minimal schema-valid body."""
    listed = http.get("/external/conversations", params={"archived": "true"})
    media = SPEC["paths"]["/external/conversations"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed.json() == media["example"]
    path = "/external/conversations/{conversationId}/archive"
    archived = http.post(path.format(conversationId=MESSAGE_ID))
    assert archived.status_code == 201
    assert response_schema_problems(SPEC, path, "post", 201, archived.json()) == []


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_faults_apply_to_every_operation(
    http: httpx.Client, server: LocalServer, path: str, method: str
) -> None:
    """An injected 500 hits whichever operation comes next, then service resumes."""
    ids = {"id": http.post(FEEDBACKS, json=request_body()).json()["id"], "conversationId": MESSAGE_ID}
    server.fail_next("500")
    assert call(http, path, method, ids).status_code == 500
    assert call(http, path, method, ids).status_code == success_status(path, method)


def test_unknown_routes_get_nestjs_404(http: httpx.Client) -> None:
    """A path or method the spec does not have gets Express's 'Cannot <METHOD> <path>' 404."""
    response = http.delete(FEEDBACKS)
    assert response.status_code == 404
    assert response.json() == {
        "message": f"Cannot DELETE {FEEDBACKS}",
        "error": "Not Found",
        "statusCode": 404,
    }
    assert http.get("/external/nothing-here").status_code == 404


def test_new_required_request_field_is_required_stored_and_echoed() -> None:
    """A request field the spec makes required is demanded, then stored and echoed, with no server edit."""
    document = spec("vendor_update")
    schemas = document["components"]["schemas"]
    next(s for name, s in schemas.items() if name.endswith("BodyDTO"))["required"].append("rating")
    with (
        local_server(spec=document) as server,
        httpx.Client(base_url=server.base_url, headers={KEY_HEADER: server.secret_key}) as http,
    ):
        missing = http.post(FEEDBACKS, json=request_body())
        assert missing.status_code == 400
        assert '"rating" is a required property' in missing.json()["message"]
        assert http.post(FEEDBACKS, json=request_body(rating=2)).json()["rating"] == 2
        assert [row["rating"] for row in server.store.all()] == [2]


def test_a_server_url_with_a_base_path_is_served_with_or_without_it() -> None:
    """When the spec's server moves under /v2, requests with the base path and without it both route."""
    document = spec("vendor_update")
    document["servers"] = [{"url": "https://api.example.test/v2"}]
    with (
        local_server(spec=document) as server,
        httpx.Client(base_url=server.base_url, headers={KEY_HEADER: server.secret_key}) as http,
    ):
        created = http.post("/v2" + FEEDBACKS, json=request_body())
        assert created.status_code == 201
        assert http.get(f"{FEEDBACKS}/{created.json()['id']}").status_code == 200
        assert http.get(f"/v3{FEEDBACKS}").status_code == 404


def test_an_undocumented_404_is_nestjs_own() -> None:
    """A GET by id whose spec documents no 404 answers an unknown id with NestJS's default 404 body."""
    document = spec("vendor_update")
    del document["paths"][f"{FEEDBACKS}/{{id}}"]["get"]["responses"]["404"]
    with (
        local_server(spec=document) as server,
        httpx.Client(base_url=server.base_url, headers={KEY_HEADER: server.secret_key}) as http,
    ):
        missing = http.get(f"{FEEDBACKS}/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json() == {"statusCode": 404, "message": "Not Found", "error": "Not Found"}


def test_list_is_in_creation_order_even_within_one_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows created in the same millisecond list in the order they were created; an update keeps its place."""
    monkeypatch.setattr(_store, "_now", lambda: "2026-01-01T00:00:00.000Z")
    with (
        local_server(spec=spec("vendor_update")) as server,
        httpx.Client(base_url=server.base_url, headers={KEY_HEADER: server.secret_key}) as http,
    ):
        users = [str(uuid.uuid4()) for _ in range(30)]
        ids = [http.post(FEEDBACKS, json=request_body(userId=user)).json()["id"] for user in users]
        assert (
            http.post(FEEDBACKS, json=request_body(userId=users[0], comment="later")).json()["id"] == ids[0]
        )
        listed = http.get(FEEDBACKS, params={"limit": 100}).json()["items"]
    assert [item["id"] for item in listed] == ids


def test_an_injected_500_answers_the_operations_documented_500_body() -> None:
    """The 500 fault's body comes from the spec: a vendor's new default message is what the client reads."""
    document = spec("vendor_update")
    document["components"]["schemas"]["InternalServerErrorDTO"]["properties"]["message"]["default"] = "BOOM"
    with (
        local_server(spec=document) as server,
        httpx.Client(base_url=server.base_url, headers={KEY_HEADER: server.secret_key}) as http,
    ):
        server.fail_next("500", times=2)
        documented = http.post(FEEDBACKS, json=request_body())
        unknown = http.get("/no/such/route")
    assert (documented.status_code, documented.json()) == (500, {"status": 500, "message": "BOOM"})
    assert (unknown.status_code, unknown.json()) == (
        500,
        {"statusCode": 500, "message": "Internal server error"},
    )
