"""What the generated surface makes of spec shapes the vendor's NestJS emits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from raia_agent import InternalServerError, Raia
from raia_runtime import NOT_GIVEN, Operation, Reply
from tests.support.frozen import FROZEN_GENERATOR
from tools.codegen.naming import Naming
from tools.codegen.surface import build

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "specs" / "openapi.frozen.json"
PATH = "/external/conversation-message-feedbacks"


def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    return loaded


def naming() -> Naming:
    return Naming.load(FROZEN_GENERATOR)[0]


def test_a_documented_auth_header_parameter_is_not_an_argument() -> None:
    """NestJS's @ApiHeader for the key does not become a method argument: the client sends the key."""
    document = spec()
    post = document["paths"][PATH]["post"]
    post["parameters"] = [
        {"name": "agent-secret-key", "in": "header", "required": True, "schema": {"type": "string"}}
    ]
    (op,) = build(document, naming()).operations
    assert "agent_secret_key" not in [a.python for a in op.arguments]


def test_only_idempotent_or_listed_operations_are_retry_safe() -> None:
    """A POST is retry-safe only when retry_safe lists it; a GET always is."""
    document = spec()
    document["paths"][PATH]["get"] = {
        "operationId": "ExternalApiConversationMessageFeedbacksController_listFeedbacks",
        "responses": {"200": {"description": "OK"}},
        "tags": ["Conversation Message Feedbacks"],
    }
    document["paths"][PATH + "/bulk"] = {
        "post": {
            "operationId": "ExternalApiConversationMessageFeedbacksController_bulk",
            "responses": {"201": {"description": "OK"}},
        }
    }
    found = {op.method_name: op.idempotent for op in build(document, naming()).operations}
    assert found == {"create_or_update": True, "list": True, "bulk": False}


UNSAFE: Operation[Any] = Operation(
    name="things.create",
    method="POST",
    path="/things",
    params=(),
    params_schema=None,
    body_schema=None,
    body_required=False,
    success=201,
    replies={201: Reply(None)},
    idempotent=False,
)


@pytest.mark.parametrize(
    ("first", "attempts", "ok"),
    [
        (httpx.Response(502, text="<html>bad gateway</html>"), 1, False),
        (httpx.Response(500, json={"status": 500, "message": "x"}), 1, False),
        (httpx.Response(429, json={"message": "slow"}, headers={"retry-after": "0"}), 2, True),
    ],
)
def test_a_non_idempotent_call_is_retried_only_when_the_api_surely_did_not_act(
    first: httpx.Response, attempts: int, ok: bool
) -> None:
    """A 5xx may follow a write, so it is raised at once; a 429 is retried."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return first if len(seen) == 1 else httpx.Response(201)

    client = Raia(
        secret_key="sk-unsafe",
        base_url="https://api.example",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    if ok:
        client._request(UNSAFE, {}, timeout=NOT_GIVEN, max_retries=2)
    else:
        with pytest.raises(InternalServerError):
            client._request(UNSAFE, {}, timeout=NOT_GIVEN, max_retries=2)
    assert len(seen) == attempts
