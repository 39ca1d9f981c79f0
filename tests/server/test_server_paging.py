"""The local server pages its lists by the client's own rule (raia_runtime.paging), over HTTP.

Served from tests/specs/server/vendor_update.json, whose list has limit/offset and a total (style
"offset"), and from the same spec turned into a cursor list (limit/cursor and a nullable nextCursor).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from raia_agent.testing import local_server
from raia_runtime.paging import recognise
from tests.support.server_helpers import auth_header, create_path, request_body, spec

LIST = "ExternalApiListConversationMessageFeedbacksResponseDTO"


def cursor_spec() -> dict[str, Any]:
    document = spec("vendor_update")
    get = document["paths"][create_path(document)]["get"]
    get["parameters"] = [
        {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}}
        if p["name"] == "offset"
        else p
        for p in get["parameters"]
    ]
    schema = document["components"]["schemas"][LIST]
    schema["properties"] = {
        "items": schema["properties"]["items"],
        "nextCursor": {"type": "string", "nullable": True},
    }
    schema["required"] = ["items"]
    return document


def _list_style(document: dict[str, Any]) -> str | None:
    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    get = document["paths"][create_path(document)]["get"]
    body = resolve(get["responses"]["200"]["content"]["application/json"]["schema"])
    found = recognise("GET", [p["name"] for p in get["parameters"] if p["in"] == "query"], body, resolve)
    return None if found is None else found["style"]


@pytest.fixture
def cursor_http() -> Iterator[httpx.Client]:
    document = cursor_spec()
    with local_server(spec=document) as server:
        headers = {auth_header(document): server.secret_key}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
            yield client


def test_the_frozen_specs_lists_are_one_of_each_style() -> None:
    """The rule sees the vendor_update list as offset/total and the changed one as a cursor list."""
    assert _list_style(spec("vendor_update")) == "offset"
    assert _list_style(cursor_spec()) == "cursor"


def test_a_cursor_list_answers_next_cursors_until_the_last_page(cursor_http: httpx.Client) -> None:
    """25 documents at 10 a page: three pages by their next cursors, each document once in order, null at the end."""
    path = create_path(cursor_spec())
    ids = [
        cursor_http.post(path, json=request_body(userId=str(uuid.uuid4()))).json()["id"] for _ in range(25)
    ]
    seen: list[str] = []
    cursors: list[str | None] = []
    params: dict[str, Any] = {"limit": 10}
    while True:
        page = cursor_http.get(path, params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursors.append(page["nextCursor"])
        if page["nextCursor"] is None:
            break
        params = {"limit": 10, "cursor": page["nextCursor"]}
    assert seen == ids
    assert len(cursors) == 3 and cursors[-1] is None and all(isinstance(c, str) for c in cursors[:2]), cursors


@pytest.mark.parametrize("cursor", ["not-a-cursor", "-1", "9" * 40])
def test_a_cursor_the_server_never_gave_is_a_400_naming_it(cursor_http: httpx.Client, cursor: str) -> None:
    """An unknown cursor is a NestJS-shaped 400 naming the parameter, not a silent first page."""
    response = cursor_http.get(create_path(cursor_spec()), params={"cursor": cursor})
    assert response.status_code == 400, response.text
    assert any("cursor" in message for message in response.json()["message"]), response.json()
