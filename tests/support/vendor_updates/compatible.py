"""The seven compatible vendor updates of issue 19: each changes the frozen base spec in a way no caller
can notice, and `make test` must pass after `make generate` with no edit.

Each snippet runs against `local_server()` through both clients and must pass `mypy --strict`.
"""

from __future__ import annotations

from typing import Any

from tests.support.vendor_updates.compatible_changes import (
    AGENT_ID_FIX,
    deprecated_and_enum,
    idempotency_key,
    item_operations,
    list_with_created_at,
    nested_metadata,
    new_path_with_overlay_fix,
    other_tag_collection,
)
from tests.support.vendor_updates.updates import Update

CREATE = "conversation_message_id=M, user_id=U, vote_type='up', question='Q'"


def refused(call: str, field: str) -> str:
    """Snippet lines: `call` raises ValueError naming `field` before anything is sent."""
    return f"""
    try:
        {call}
    except ValueError as exc:
        assert "{field}" in str(exc), exc
    else:
        raise AssertionError("{field}: a bad value was sent")
"""


COMPATIBLE = [
    Update(
        "nested_metadata_echoed_nullable",
        nested_metadata,
        f"""
from raia_agent_api.models import ConversationMessageFeedbackMetadata, Feedback


def body(client: Raia) -> None:
    stored: Feedback = client.feedback.create_or_update({CREATE}, metadata={{"source": "chat", "tags": ["a"]}})
    assert isinstance(stored.metadata, ConversationMessageFeedbackMetadata), stored
    assert stored.metadata.source == "chat" and stored.metadata.tags == ["a"], stored
    loose: Any = {{"tags": []}}  # a mapping the TypedDict refuses: the run-time check names the path
{refused(f"client.feedback.create_or_update({CREATE}, metadata=loose)", "metadata.source is required")}

async def abody(client: AsyncRaia) -> None:
    stored = await client.feedback.create_or_update({CREATE})
    assert stored.metadata is None, stored
""",
    ),
    Update(
        "list_with_created_at_date_time",
        list_with_created_at,
        f"""
from datetime import datetime

from raia_agent_api.models import ConversationMessageFeedbackList


def body(client: Raia) -> None:
    created = client.feedback.create_or_update({CREATE})
    page: ConversationMessageFeedbackList = client.feedback.list()
    assert page.total >= 1 and created.id in [item.id for item in page.items], page
    assert all(isinstance(item.created_at, datetime) and item.created_at.tzinfo for item in page.items)


async def abody(client: AsyncRaia) -> None:
    page = await client.feedback.list()
    stamp: datetime = page.items[0].created_at
    assert stamp.utcoffset() is not None, stamp
""",
    ),
    Update(
        "new_path_fixed_by_an_overlay_action",
        new_path_with_overlay_fix,
        f"""
from raia_agent_api.models import Agent


def body(client: Raia) -> None:
    agent: Agent = client.agents.retrieve(uuid.uuid4())
    assert isinstance(agent.id, uuid.UUID), agent
{refused('client.agents.retrieve(agent_id="not-a-uuid")', "agent_id")}

async def abody(client: AsyncRaia) -> None:
    agent = await client.agents.retrieve(agent_id=str(uuid.uuid4()))
    assert isinstance(agent.name, str), agent
""",
        overlay=(AGENT_ID_FIX,),
    ),
    Update(
        "item_get_patch_delete_with_404",
        item_operations,
        f"""
from raia_agent import NotFoundError
from raia_agent_api.models import Feedback


def body(client: Raia) -> None:
    created = client.feedback.create_or_update({CREATE})
    found: Feedback = client.feedback.retrieve(created.id)
    assert found.id == created.id, found
    updated: Feedback = client.feedback.update(created.id, comment="c")
    assert isinstance(updated, Feedback)
    client.feedback.delete(created.id)
    try:  # a second DELETE may get the documented 404: the feedback is gone
        client.feedback.delete(created.id)
    except NotFoundError as exc:
        assert exc.status_code == 404, exc
    try:
        client.feedback.retrieve(id=uuid.uuid4())
    except NotFoundError as exc:
        assert exc.status_code == 404, exc
    else:
        raise AssertionError("no 404 for an unknown id")
{refused('client.feedback.update(id=created.id, comment="c" * 1001)', "comment")}

async def abody(client: AsyncRaia) -> None:
    created = await client.feedback.create_or_update({CREATE})
    raw = await client.feedback.with_raw_response.retrieve(str(created.id))
    assert raw.status_code == 200 and raw.parsed.id == created.id
    await client.feedback.delete(created.id)
""",
    ),
    Update(
        "optional_idempotency_key_header",
        idempotency_key,
        f"""
def body(client: Raia) -> None:
    stored = client.feedback.create_or_update({CREATE}, idempotency_key="key-1")
    assert stored.question == "Q", stored
{refused(f'client.feedback.create_or_update({CREATE}, idempotency_key="k" * 256)', "idempotency_key")}

async def abody(client: AsyncRaia) -> None:
    stored = await client.feedback.create_or_update({CREATE}, idempotency_key=None)
    assert stored.question == "Q", stored
""",
    ),
    Update(
        "collection_under_another_tag",
        other_tag_collection,
        f"""
from raia_agent_api.models import ConversationMessage


def body(client: Raia) -> None:
    messages: list[ConversationMessage] = client.conversations.list_messages(conversation_id=U, limit=5)
    assert isinstance(messages, list), messages
{refused("client.conversations.list_messages(conversation_id=U, limit=0)", "limit")}

async def abody(client: AsyncRaia) -> None:
    messages = await client.conversations.list_messages(conversation_id=str(U))
    assert all(message.role in ("user", "assistant") for message in messages), messages
""",
    ),
    Update(
        "new_vote_type_and_a_deprecated_field",
        deprecated_and_enum,
        """
def body(client: Raia) -> None:
    stored = client.feedback.create_or_update(conversation_message_id=M, user_id=U, vote_type="neutral", question="Q")
    assert stored.vote_type == "neutral", stored


async def abody(client: AsyncRaia) -> None:
    stored = await client.feedback.create_or_update(conversation_message_id=M, user_id=U, vote_type="up", question="Q", answer="A")
    assert stored.answer == "A", stored
""",
    ),
]


def combined(spec: dict[str, Any]) -> None:
    """Every compatible update at once: they touch different places, so they compose."""
    for update in COMPATIBLE:
        update.change(spec)


OVERLAY_ACTIONS = [action for update in COMPATIBLE for action in update.overlay]
