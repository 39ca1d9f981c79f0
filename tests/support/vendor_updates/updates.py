"""Vendor-like spec updates, each a change to the frozen base spec, with code that uses what changed.

Each snippet runs against `local_server()` through both clients and must pass `mypy --strict`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parents[2] / "specs" / "openapi.frozen.json"
COLLECTION = "/external/conversation-message-feedbacks"
BODY = "ExternalApiCrateOrUpdateConversationMessageFeedbackBodyDTO"
REPLY = "ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO"
CONTROLLER = "ExternalApiConversationMessageFeedbacksController_"

# Shared by every snippet: run `body(client)` with Raia, then `abody(client)` with AsyncRaia.
PRELUDE = """
import asyncio
import uuid
from typing import Any

from raia_agent import AsyncRaia, Raia
from raia_agent.testing import local_server

M, U = str(uuid.uuid4()), uuid.uuid4()
"""
RUN = """
with local_server() as server:
    with Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as client:
        body(client)

    async def main() -> None:
        async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as aclient:
            await abody(aclient)

    asyncio.run(main())
print("ok")
"""


@dataclass(frozen=True)
class Update:
    name: str
    change: Callable[[dict[str, Any]], None]
    body: str
    """Python using the change: defines body(client: Raia) and async abody(client: AsyncRaia)."""
    overlay: tuple[dict[str, Any], ...] = ()
    """Overlay actions the update needs on top of the frozen overlay (a fix aimed at a new path)."""

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
        self.change(spec)
        return spec

    def snippet(self) -> str:
        return PRELUDE + self.body + RUN


def _ok(schema: str) -> dict[str, Any]:
    return {
        "description": "OK",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def get_by_id(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ExternalApiNotFoundErrorDTO"] = {
        "type": "object",
        "properties": {
            "statusCode": {"type": "number"},
            "message": {"type": "string"},
            "error": {"type": "string"},
        },
        "required": ["statusCode", "message"],
    }
    spec["paths"][COLLECTION + "/{id}"] = {
        "get": {
            "summary": "Get one conversation message feedback",
            "description": "The feedback with this id.",
            "operationId": CONTROLLER + "getFeedback",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
            ],
            "responses": {
                "200": _ok(REPLY),
                "404": {"description": "No such feedback.", **_ok("ExternalApiNotFoundErrorDTO")},
            },
            "tags": ["Conversation Message Feedbacks"],
        }
    }


def list_with_query(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ExternalApiListConversationMessageFeedbacksResponseDTO"] = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{REPLY}"}},
            "total": {"type": "number"},
        },
        "required": ["items", "total"],
    }
    integer = {"type": "integer"}
    spec["paths"][COLLECTION]["get"] = {
        "summary": "List conversation message feedbacks",
        "operationId": CONTROLLER + "listFeedbacks",
        "parameters": [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {**integer, "minimum": 1, "maximum": 100},
            },
            {"name": "offset", "in": "query", "required": False, "schema": {**integer, "minimum": 0}},
            {
                "name": "voteType",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["up", "down"]},
            },
        ],
        "responses": {"200": _ok("ExternalApiListConversationMessageFeedbacksResponseDTO")},
        "tags": ["Conversation Message Feedbacks"],
    }


def optional_field(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    schemas[BODY]["properties"]["rating"] = {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "description": "Stars.",
    }
    schemas[REPLY]["properties"]["rating"] = {"type": "integer", "nullable": True, "description": "Stars."}


def required_field(spec: dict[str, Any]) -> None:
    body = spec["components"]["schemas"][BODY]
    body["properties"]["agentId"] = {"type": "string", "format": "uuid", "description": "The agent."}
    body["required"].append("agentId")


def new_enum_value(spec: dict[str, Any]) -> None:
    for name in (BODY, REPLY):
        spec["components"]["schemas"][name]["properties"]["voteType"]["enum"].append("neutral")


def renamed_auth_header(spec: dict[str, Any]) -> None:
    spec["components"]["securitySchemes"]["Agent-Secret-Key"]["name"] = "X-Agent-Secret-Key"


def typo_fixed(spec: dict[str, Any]) -> None:
    text = json.dumps(spec).replace("ExternalApiCrateOrUpdate", "ExternalApiCreateOrUpdate")
    spec.clear()
    spec.update(json.loads(text))


CREATE = "conversation_message_id=M, user_id=U, vote_type='up', question='Q'"

UPDATES = [
    Update(
        "get_by_id_with_404",
        get_by_id,
        f"""
from raia_agent import NotFoundError
from raia_agent_api.models import Feedback


def body(client: Raia) -> None:
    created = client.feedback.create_or_update({CREATE})
    found: Feedback = client.feedback.retrieve(created.id)
    assert found.id == created.id and found.question == "Q", found
    try:
        client.feedback.retrieve(id=uuid.uuid4())
    except NotFoundError as exc:
        assert exc.status_code == 404 and exc.error is not None, exc
        assert type(exc.error).__name__ == "NotFoundErrorBody", type(exc.error)
    else:
        raise AssertionError("no 404")
    try:
        client.feedback.retrieve("not-a-uuid")
    except ValueError as exc:
        assert "id" in str(exc), exc
    else:
        raise AssertionError("bad id was sent")


async def abody(client: AsyncRaia) -> None:
    created = await client.feedback.create_or_update({CREATE})
    raw = await client.feedback.with_raw_response.retrieve(str(created.id))
    assert raw.status_code == 200 and raw.parsed.id == created.id
""",
    ),
    Update(
        "list_with_query_bounds",
        list_with_query,
        f"""
from raia_agent_api.models import ListConversationMessageFeedbacksResponse


def body(client: Raia) -> None:
    client.feedback.create_or_update({CREATE})
    page = client.feedback.list(limit=10, offset=0)  # offset/total: a page (README, Pagination)
    whole: ListConversationMessageFeedbacksResponse = page.response
    assert isinstance(whole.total, float | int), whole
    for bad in (0, 101):
        try:
            client.feedback.list(limit=bad)
        except ValueError as exc:
            assert "limit" in str(exc), exc
        else:
            raise AssertionError(f"limit={{bad}} was sent")


async def abody(client: AsyncRaia) -> None:
    page = await client.feedback.list(vote_type="down")
    assert page.items is not None
""",
    ),
    Update(
        "new_optional_request_field",
        optional_field,
        f"""
def body(client: Raia) -> None:
    stored = client.feedback.create_or_update({CREATE}, rating=4)
    assert stored.rating == 4, stored
    try:
        client.feedback.create_or_update({CREATE}, rating=9)
    except ValueError as exc:
        assert "rating" in str(exc), exc
    else:
        raise AssertionError("rating=9 was sent")


async def abody(client: AsyncRaia) -> None:
    stored = await client.feedback.create_or_update({CREATE})
    assert stored.rating is None or isinstance(stored.rating, int)
""",
    ),
    Update(
        "new_required_request_field",
        required_field,
        f"""
def body(client: Raia) -> None:
    stored = client.feedback.create_or_update({CREATE}, agent_id=uuid.uuid4())
    assert stored.question == "Q"


async def abody(client: AsyncRaia) -> None:
    stored = await client.feedback.create_or_update({CREATE}, agent_id=str(uuid.uuid4()))
    assert stored.question == "Q"
""",
    ),
    Update(
        "new_enum_value",
        new_enum_value,
        """
def body(client: Raia) -> None:
    stored = client.feedback.create_or_update(conversation_message_id=M, user_id=U, vote_type="neutral", question="Q")
    assert stored.vote_type == "neutral"


async def abody(client: AsyncRaia) -> None:
    stored = await client.feedback.create_or_update(conversation_message_id=M, user_id=U, vote_type="neutral", question="Q")
    assert stored.vote_type == "neutral"
""",
    ),
    Update(
        "renamed_auth_header",
        renamed_auth_header,
        f"""
import logging
import io

from raia_agent import PermissionDeniedError


def body(client: Raia) -> None:
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    logging.getLogger("raia_agent").addHandler(handler)
    logging.getLogger("raia_agent").setLevel(logging.DEBUG)
    client.feedback.create_or_update({CREATE})
    assert "X-Agent-Secret-Key" in log.getvalue(), log.getvalue()
    assert client._options.secret_key not in log.getvalue()
    logging.getLogger("raia_agent").removeHandler(handler)


async def abody(client: AsyncRaia) -> None:
    await client.feedback.create_or_update({CREATE})
    wrong = AsyncRaia(secret_key="sk-wrong", base_url=client.base_url, max_retries=0)
    try:
        await wrong.feedback.create_or_update({CREATE})
    except PermissionDeniedError:
        pass
    else:
        raise AssertionError("a wrong key was accepted")
    finally:
        await wrong.aclose()
""",
    ),
    Update(
        "crate_typo_fixed",
        typo_fixed,
        f"""
from raia_agent_api.models import Feedback, FeedbackRequest


def body(client: Raia) -> None:
    stored: Feedback = client.feedback.create_or_update({CREATE})
    assert FeedbackRequest.__name__ == "FeedbackRequest" and stored.question == "Q"


async def abody(client: AsyncRaia) -> None:
    stored: Feedback = await client.feedback.create_or_update({CREATE})
    assert stored.question == "Q"
""",
    ),
]


def write_spec(update: Update, path: Path) -> Path:
    path.write_text(json.dumps(copy.deepcopy(update.spec()), indent=2), encoding="utf-8")
    return path
