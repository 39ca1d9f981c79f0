"""Run in a subprocess whose `raia_agent_api` is the package test_types_nested_deprecated.py generates.

    python _typed_probe.py CHECK sync|async

Each check raises AssertionError when the client misbehaves, and prints "ok" when it holds.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from raia_agent_api.models import ConversationMessageFeedbackMetadata
from raia_agent_api.resources._operations import OPERATIONS

from raia_agent import AsyncRaia, Raia
from raia_agent._validation import prepare
from raia_agent.testing import local_server

CREATE: dict[str, Any] = {
    "conversation_message_id": str(uuid.uuid4()),
    "user_id": str(uuid.uuid4()),
    "vote_type": "up",
    "question": "Q",
}
NOWHERE = "http://127.0.0.1:9"  # nothing listens: a check that sends anything fails with a connection error


async def call(client: Any, method: str, **args: Any) -> Any:
    """client.feedback.<method>(**args), awaited for AsyncRaia."""
    result = getattr(client.feedback, method)(**args)
    return (await result) if asyncio.iscoroutine(result) else result


def run(flavour: str, body: Any, base_url: str | None = None) -> None:
    """body(client) with Raia or AsyncRaia, against local_server() unless base_url is given."""

    async def main(url: str, key: str) -> None:
        if flavour == "sync":
            with Raia(secret_key=key, base_url=url, max_retries=0) as client:
                await body(client)
        else:
            async with AsyncRaia(secret_key=key, base_url=url, max_retries=0) as aclient:
                await body(aclient)

    if base_url is not None:
        asyncio.run(main(base_url, "sk-probe"))
        return
    with local_server() as server:
        asyncio.run(main(server.base_url, server.secret_key))


async def model_equals_dict(client: Any) -> None:
    plain = {"source": "chat", "tags": ["a", "b"]}
    model = ConversationMessageFeedbackMetadata(source="chat", tags=["a", "b"])
    op = OPERATIONS["feedback.create_or_update"]
    assert (
        prepare(op, {**CREATE, "metadata": model}).content
        == prepare(op, {**CREATE, "metadata": plain}).content
    )
    by_model = await call(client, "create_or_update", **CREATE, metadata=model)
    by_dict = await call(client, "create_or_update", **CREATE, metadata=plain)
    assert by_model.metadata.to_dict() == by_dict.metadata.to_dict() == plain, (by_model, by_dict)


async def refused(pending: Any, *words: str) -> None:
    """Awaiting `pending` (a call) raises ValueError whose message has every one of `words`."""
    try:
        await pending
    except ValueError as exc:
        message = str(exc)
    else:
        raise AssertionError(f"sent, where {words} should have been refused")
    assert all(word in message for word in words), message


async def nested_missing(client: Any) -> None:
    pending = call(client, "create_or_update", **CREATE, metadata={"tags": []})
    await refused(pending, "metadata.source is required")


def _line(marker: str) -> int:
    """The line of this file that ends with `marker`."""
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.endswith(marker))


async def once_per_call_site(client: Any) -> None:
    stored = await call(client, "create_or_update", **CREATE)
    aio = isinstance(client, AsyncRaia)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        await call(client, "create_or_update", **CREATE)  # the deprecated argument left out: silent
        assert not seen, [str(w.message) for w in seen]
        for _ in range(3):
            if aio:
                await client.feedback.retrieve(id=stored.id)  # site one, async
            else:
                client.feedback.retrieve(id=stored.id)  # site one, sync
        if aio:
            await client.feedback.retrieve(id=stored.id)  # site two, async
        else:
            client.feedback.retrieve(id=stored.id)  # site two, sync
        await call(client, "create_or_update", **CREATE, answer="A")
        await call(client, "create_or_update", **CREATE, answer="A")
    found = [(w.category, w.filename, w.lineno, str(w.message)) for w in seen]
    flavour = "async" if aio else "sync"
    wanted = [_line(f"# site one, {flavour}"), _line(f"# site two, {flavour}")]
    assert [entry[0] for entry in found] == [DeprecationWarning] * 3, found
    assert all(entry[1] == __file__ for entry in found), found
    assert [entry[2] for entry in found[:2]] == wanted, (found, wanted)
    assert all("client.feedback.retrieve is deprecated" in entry[3] for entry in found[:2]), found
    assert "the argument answer is deprecated" in found[2][3], found


async def naive_datetime(client: Any) -> None:
    await refused(call(client, "list", created_after=datetime(2026, 1, 1)), "created_after", "time zone")
    await refused(call(client, "list", created_after="2026-01-01T00:00:00"), "created_after", "time zone")
    op = OPERATIONS["feedback.list"]
    aware = prepare(op, {"created_after": datetime(2026, 1, 1, tzinfo=UTC)})
    assert aware.query == {"createdAfter": "2026-01-01T00:00:00+00:00"}, aware.query


CHECKS = {
    "model_equals_dict": (model_equals_dict, None),
    "nested_missing": (nested_missing, NOWHERE),
    "once_per_call_site": (once_per_call_site, None),
    "naive_datetime": (naive_datetime, NOWHERE),
}

if __name__ == "__main__":
    check, base_url = CHECKS[sys.argv[1]]
    run(sys.argv[2], check, base_url)
    print("ok")
