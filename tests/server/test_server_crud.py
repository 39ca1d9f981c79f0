"""Every operation means what the spec says, read from its method and path (issue 19, items 5-8).

Run over tests/specs/server/crud_update.json: vendor_update.json plus DELETE, PATCH and PUT on a
feedback, an `Idempotency-Key` header (maxLength 255) on the create, and conversations under
another tag with messages under each conversation.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from raia_agent.testing import LocalServer, local_server
from tests.support.server_helpers import (
    auth_header,
    create_path,
    request_body,
    response_schema_problems,
    spec,
)

SPEC = spec("crud_update")
KEY_HEADER = auth_header(SPEC)
FEEDBACKS = create_path(SPEC)
ITEM = f"{FEEDBACKS}/{{id}}"
CONVERSATIONS = "/external/conversations"
MESSAGES = "/external/conversations/{conversationId}/messages"


def defaults(schema: str) -> dict[str, Any]:
    """The body a schema's defaults make: how the vendor's documented errors read."""
    properties = SPEC["components"]["schemas"][schema]["properties"]
    return {name: p.get("default", []) for name, p in properties.items()}


def documented_404(path: str, method: str) -> dict[str, Any]:
    ref = SPEC["paths"][path][method]["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
    return defaults(ref.rsplit("/", 1)[-1])


@contextlib.contextmanager
def serve(document: dict[str, Any]) -> Iterator[tuple[LocalServer, httpx.Client]]:
    with (
        local_server(spec=document) as running,
        httpx.Client(base_url=running.base_url, headers={auth_header(document): running.secret_key}) as http,
    ):
        yield running, http


@pytest.fixture
def served() -> Iterator[tuple[LocalServer, httpx.Client]]:
    with serve(spec("crud_update")) as pair:
        yield pair


@pytest.fixture
def http(served: tuple[LocalServer, httpx.Client]) -> httpx.Client:
    return served[1]


@pytest.fixture
def server(served: tuple[LocalServer, httpx.Client]) -> LocalServer:
    return served[0]


def create(http: httpx.Client, **fields: object) -> dict[str, Any]:
    response = http.post(FEEDBACKS, json=request_body(**fields))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_delete_removes_the_item_and_a_second_delete_gets_the_documented_404(
    http: httpx.Client, server: LocalServer
) -> None:
    """DELETE answers 204 and removes the document; the next DELETE and GET get the spec's 404 body."""
    kept = create(http, userId=str(uuid.uuid4()))
    gone = create(http)
    first = http.delete(ITEM.format(id=gone["id"]))
    assert (first.status_code, first.content) == (204, b"")
    assert "content-length" not in first.headers
    assert server.store.count() == 1 and server.store.all()[0]["id"] == kept["id"]
    for again in (http.delete(ITEM.format(id=gone["id"])), http.get(ITEM.format(id=gone["id"]))):
        assert again.status_code == 404
        assert again.json() == documented_404(ITEM, "delete")
    assert http.get(ITEM.format(id=kept["id"])).json() == kept


def test_patch_merges_the_body_into_the_stored_document(http: httpx.Client, server: LocalServer) -> None:
    """PATCH changes the fields it sends and keeps the rest, id and createdAt; updatedAt moves."""
    created = create(http, answer="Use the link.", comment="quick")
    patched = http.patch(ITEM.format(id=created["id"]), json={"voteType": "down", "comment": "too quick"})
    assert patched.status_code == 200, patched.text
    expected = {
        **created,
        "voteType": "down",
        "comment": "too quick",
        "updatedAt": patched.json()["updatedAt"],
    }
    assert patched.json() == expected
    assert patched.json()["updatedAt"] > created["updatedAt"]
    assert response_schema_problems(SPEC, ITEM, "patch", 200, patched.json()) == []
    assert http.get(ITEM.format(id=created["id"])).json() == expected
    assert server.store.count() == 1


def test_put_replaces_the_stored_body(http: httpx.Client, server: LocalServer) -> None:
    """PUT replaces the body: fields it leaves out are gone (null in the answer), id and createdAt stay."""
    created = create(http, answer="Use the link.", comment="quick", rating=5)
    replaced = http.put(ITEM.format(id=created["id"]), json=request_body(voteType="down", question="Again?"))
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert (body["id"], body["createdAt"]) == (created["id"], created["createdAt"])
    assert (body["voteType"], body["question"]) == ("down", "Again?")
    assert (body["answer"], body["comment"], body["rating"]) == (None, None, None)
    assert response_schema_problems(SPEC, ITEM, "put", 200, body) == []
    (stored,) = server.store.all()
    assert (stored["question"], stored["comment"], stored["rating"]) == ("Again?", None, None)


@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("delete", None), ("patch", {"comment": "x"}), ("put", request_body())],
)
def test_an_unknown_id_gets_the_documented_404_and_changes_nothing(
    http: httpx.Client, server: LocalServer, method: str, body: object
) -> None:
    """Every item operation answers an id that names nothing with its documented 404 and stores nothing."""
    create(http)
    response = http.request(method.upper(), ITEM.format(id=uuid.uuid4()), json=body)
    assert response.status_code == 404
    assert response.json() == documented_404(ITEM, method)
    assert response_schema_problems(SPEC, ITEM, method, 404, response.json()) == []
    assert server.store.count() == 1


def test_item_bodies_are_validated_against_their_own_schema(http: httpx.Client) -> None:
    """PATCH takes its own schema (every field optional) and PUT the create's (required fields)."""
    created = create(http)
    assert http.patch(ITEM.format(id=created["id"]), json={}).status_code == 200
    bad_vote = http.patch(ITEM.format(id=created["id"]), json={"voteType": "sideways"})
    assert bad_vote.status_code == 400
    assert any("voteType" in message for message in bad_vote.json()["message"])
    partial = http.put(ITEM.format(id=created["id"]), json={"voteType": "down"})
    assert partial.status_code == 400
    assert '"question" is a required property' in partial.json()["message"]


@pytest.mark.parametrize("content", [b"\n", b" \t\r\n ", b"not json", b"\xef\xbb\xbf  "])
def test_a_body_that_is_only_whitespace_or_not_json_is_a_400(http: httpx.Client, content: bytes) -> None:
    """A JSON-typed body of whitespace (or not JSON at all) gets Express's 400, not an empty object."""
    created = create(http)
    response = http.patch(
        ITEM.format(id=created["id"]), content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "Bad Request"
    assert http.get(ITEM.format(id=created["id"])).json() == created


def test_an_empty_body_still_parses_as_an_empty_object(http: httpx.Client) -> None:
    """No bytes at all is `{}` to Express's JSON parser: a PATCH of nothing changes nothing."""
    created = create(http)
    response = http.patch(
        ITEM.format(id=created["id"]), content=b"", headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if k != "updatedAt"} == {
        k: v for k, v in created.items() if k != "updatedAt"
    }


def test_malformed_json_is_a_400_on_an_operation_without_a_documented_body(http: httpx.Client) -> None:
    """Express parses a JSON body on every route: a DELETE with broken JSON is a 400 and deletes nothing."""
    created = create(http)
    response = http.request(
        "DELETE", ITEM.format(id=created["id"]), content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert http.get(ITEM.format(id=created["id"])).status_code == 200


@pytest.mark.parametrize(("length", "status"), [(255, 201), (256, 400), (300, 400)])
def test_header_parameters_are_validated_against_their_schema(
    http: httpx.Client, server: LocalServer, length: int, status: int
) -> None:
    """An Idempotency-Key longer than its documented maxLength (255) gets a 400 naming it."""
    response = http.post(FEEDBACKS, json=request_body(), headers={"Idempotency-Key": "k" * length})
    assert response.status_code == status, response.text
    if status == 400:
        assert any("Idempotency-Key" in message for message in response.json()["message"])
    assert server.store.count() == (1 if status == 201 else 0)


def test_a_required_header_parameter_is_demanded() -> None:
    """A header parameter the spec makes required is a 400 naming it when absent."""
    document = spec("crud_update")
    (header,) = [p for p in document["paths"][FEEDBACKS]["post"]["parameters"] if p["in"] == "header"]
    header["required"] = True
    with serve(document) as (running, http):
        missing = http.post(FEEDBACKS, json=request_body())
        assert missing.status_code == 400
        assert '"Idempotency-Key" is a required header parameter' in missing.json()["message"]
        assert http.post(FEEDBACKS, json=request_body(), headers={"Idempotency-Key": "k1"}).status_code == 201
        assert running.store.count() == 1


def start_conversation(http: httpx.Client, title: str = "Password reset") -> str:
    # Another user each time: with no upsert key configured, required uuid fields are the identity.
    response = http.post(CONVERSATIONS, json={"userId": str(uuid.uuid4()), "title": title})
    assert response.status_code == 201, response.text
    conversation: str = response.json()["id"]
    return conversation


def test_a_collection_under_an_unknown_item_gets_the_documented_404(
    http: httpx.Client, server: LocalServer
) -> None:
    """Messages of a conversation that does not exist: the documented 404 for listing and adding alike."""
    start_conversation(http)
    unknown = MESSAGES.format(conversationId=uuid.uuid4())
    listed = http.get(unknown)
    assert listed.status_code == 404
    assert listed.json() == documented_404(MESSAGES, "get")
    assert listed.json()["message"] == "CONVERSATION_NOT_FOUND"
    added = http.post(unknown, json={"text": "hello"})
    assert added.status_code == 404
    assert server.store.count() == 1
    archived = http.post(f"{CONVERSATIONS}/{uuid.uuid4()}/archive")
    assert archived.status_code == 201, "an operation that documents no 404 is not refused one"


def test_a_collection_under_an_item_holds_that_items_documents_in_order(http: httpx.Client) -> None:
    """Messages added to one conversation are listed there, oldest first, and nowhere else."""
    first, second = start_conversation(http), start_conversation(http, "Billing")
    texts = [f"message {i}" for i in range(12)]
    for text in texts:
        assert (
            http.post(MESSAGES.format(conversationId=first.upper()), json={"text": text}).status_code == 201
        )
    http.post(MESSAGES.format(conversationId=second), json={"text": "elsewhere"})
    listed = http.get(MESSAGES.format(conversationId=first))
    assert listed.status_code == 200
    assert [m["text"] for m in listed.json()["items"]] == texts
    assert listed.json()["total"] == len(texts)
    assert response_schema_problems(SPEC, MESSAGES, "get", 200, listed.json()) == []
    assert [m["text"] for m in http.get(MESSAGES.format(conversationId=second)).json()["items"]] == [
        "elsewhere"
    ]
    assert http.get(f"{CONVERSATIONS}/{second}").json()["title"] == "Billing"


def renamed(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The spec with every literal path segment, operationId, tag and schema name changed."""
    text = json.dumps(document)
    names = {"conversation-message-feedbacks": "zq-items", "conversations": "threads", "external": "v9"}
    for old, new in names.items():
        text = text.replace(f"/{old}", f"/{new}")
    counter = itertools.count()
    text = re.sub(r'"operationId": "[^"]+"', lambda m: f'"operationId": "op{next(counter)}"', text)
    return json.loads(text), {"/" + old: "/" + new for old, new in names.items()}


def test_meaning_comes_from_method_and_path_not_from_names() -> None:
    """With every path segment and operationId renamed, DELETE still deletes and the 404s still come."""
    document, names = renamed(spec("crud_update"))

    def path(template: str) -> str:
        for old, new in names.items():
            template = template.replace(old, new)
        return template

    with serve(document) as (running, http):
        created = http.post(path(FEEDBACKS), json=request_body()).json()
        item = path(ITEM).format(id=created["id"])
        assert http.patch(item, json={"comment": "renamed"}).json()["comment"] == "renamed"
        assert http.delete(item).status_code == 204
        assert http.delete(item).status_code == 404
        assert running.store.count() == 0
        assert http.get(path(MESSAGES).format(conversationId=uuid.uuid4())).status_code == 404


@pytest.mark.parametrize(("title", "status"), [("t" * 200, 201), ("t" * 201, 400), ("", 400)])
def test_body_limits_from_the_spec_are_enforced(http: httpx.Client, title: str, status: int) -> None:
    """A body field's documented bounds (title: 1 to 200 characters) decide between 201 and a 400 naming it."""
    response = http.post(CONVERSATIONS, json={"userId": str(uuid.uuid4()), "title": title})
    assert response.status_code == status, response.text
    if status == 400:
        assert any(message.startswith("title: ") for message in response.json()["message"]), response.json()
