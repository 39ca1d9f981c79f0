"""The program tests/codegen/test_vendor_shapes.py runs against the package generated from tests/specs/vendor_shapes/.

`python _shapes_script.py sync|async|raw` calls every operation of the vendor-shaped spec through Raia,
AsyncRaia or `.with_raw_response` against a fresh local_server(), and prints "ok" when every
assertion held. Expected defaults and enums are read from the corrected spec the package embeds.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from raia_agent_api._spec import corrected_spec
from raia_agent_api.types import Unset

from raia_agent import AsyncRaia, NotFoundError, Raia
from raia_agent.testing import LocalServer, local_server

SCHEMAS = corrected_spec()["components"]["schemas"]
Do = Callable[..., Any]


def raised(call: Callable[[], object]) -> Exception | None:
    try:
        call()
    except Exception as exc:  # the caller checks its type
        return exc
    return None


def users(do: Do, server: LocalServer) -> Any:
    """oneOf bodies, GET by id, a list that counts, nullable fields, DELETE per its schema."""
    ada = do("users", "create", body={"email": "ada@example.com", "firstName": "Ada"})
    grace = do("users", "create", body={"phoneNumber": "+15550100", "firstName": "Grace"})
    assert ada.email == "ada@example.com" and isinstance(grace.email, Unset), (ada, grace)
    assert grace.phone_number == "+15550100" and ada.id != grace.id
    assert ada.timezone == SCHEMAS["UserDTO"]["properties"]["timezone"]["default"]  # applied by the server
    for user in (ada, grace):
        assert do("users", "get", user.id).id == user.id  # the stored document with that id
    sent = server.requests_received
    for wrong in ({"firstName": "neither"}, {"email": "a@example.com", "phoneNumber": "+1555"}):
        error = raised(lambda wrong=wrong: do("users", "create", body=wrong))
        assert isinstance(error, ValueError) and "users.create: body: " in str(error), error
    assert server.requests_received == sent, "a body matching no alternative (or both) was sent"
    listed = do("users", "list")
    assert listed.total_items == len(listed.items) == 2, listed
    assert {u.id for u in listed.items} == {ada.id, grace.id}
    named = do("users", "update", ada.id, last_name="Lovelace")
    assert named.last_name == "Lovelace", named
    kept = do("users", "update", ada.id, first_name="Augusta")  # last_name left out: unchanged
    assert (kept.first_name, kept.last_name) == ("Augusta", "Lovelace"), kept
    cleared = do("users", "update", ada.id, last_name=None)  # None sends null
    assert cleared.last_name is None and cleared.first_name == "Augusta", cleared
    assert do("users", "delete", grace.id).success is True
    assert isinstance(raised(lambda: do("users", "get", grace.id)), NotFoundError)
    return ada


def agents(do: Do) -> Any:
    """readOnly fields are not arguments, writeOnly ones not echoed; defaults, a map, a free-form object."""
    agent = do(
        "agents",
        "create",
        name="Helper",
        secret="s3cret-signing-key",
        metadata={"team": "support"},
        custom_data={"tags": ["a", {"nested": None}]},
    )
    declared = SCHEMAS["AgentDTO"]["properties"]
    assert isinstance(agent.secret, Unset), "a writeOnly field came back"
    assert agent.priority == declared["priority"]["default"], agent  # sent by the signature's default
    assert agent.temperature == declared["temperature"]["default"], agent  # applied by the server
    assert agent.metadata.to_dict() == {"team": "support"}, agent.metadata
    assert agent.custom_data.to_dict() == {"tags": ["a", {"nested": None}]}, agent.custom_data
    again = do("agents", "get", agent.id)
    assert again.id == agent.id and again.name == "Helper" and isinstance(again.secret, Unset), again
    return agent


def conversations(do: Do, user: Any, agent: Any) -> None:
    """An action creating in a collection, and children under a path parameter that echo it."""
    started = do("conversations", "start", user_id=user.id, agent_id=agent.id, title=None)
    assert started.title is None and str(started.user_id) == str(user.id), started
    assert do("conversations", "get", started.id).id == started.id
    message = do("messages", "create", started.id, content="Hello")
    assert str(message.conversation_id) == str(started.id), message  # the path's parent id
    role = SCHEMAS["CreateMessageDTO"]["properties"]["role"]["default"]
    assert message.role == role, message
    got = do("messages", "get", started.id, message.id)
    assert got.id == message.id and got.content == "Hello", got


def jobs_and_lists(do: Do) -> None:
    """A 202 job polled by id, and a top-level array."""
    job = do("usage", "export", from_=datetime(2026, 1, 1, tzinfo=UTC))
    assert job.status in SCHEMAS["UsageExportJobDTO"]["properties"]["status"]["enum"], job
    assert do("usage", "get_export", job.id).id == job.id
    models = do("models", "list")
    assert isinstance(models, list), models


def flow(do: Do, server: LocalServer) -> None:
    user = users(do, server)
    agent = agents(do)
    conversations(do, user, agent)
    jobs_and_lists(do)


STATUS = {"create": 201, "start": 201, "export": 202}


def main(flavour: str) -> None:
    with local_server() as server:
        options: dict[str, Any] = {"secret_key": server.secret_key, "base_url": server.base_url}
        if flavour == "async":
            loop = asyncio.new_event_loop()
            client = AsyncRaia(**options)

            def do_async(resource: str, method: str, *args: Any, **kwargs: Any) -> Any:
                return loop.run_until_complete(getattr(getattr(client, resource), method)(*args, **kwargs))

            try:
                flow(do_async, server)
            finally:
                loop.run_until_complete(client.aclose())
                loop.close()
        else:
            with Raia(**options) as sync:

                def do(resource: str, method: str, *args: Any, **kwargs: Any) -> Any:
                    if flavour == "sync":
                        return getattr(getattr(sync, resource), method)(*args, **kwargs)
                    raw = getattr(getattr(sync, resource).with_raw_response, method)(*args, **kwargs)
                    assert raw.status_code == STATUS.get(method, 200), (method, raw.status_code)
                    return raw.parse()

                flow(do, server)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
