"""The program tests/client/test_pagination.py runs to show a cursor cycle ends: `python _paging_cycle.py sync|async`.

A server (an httpx.MockTransport: no real server answers cycling cursors on demand) answers the list
with one item a page and the next cursors of CYCLES, which come back round to a cursor already used.
The walk must stop after each cursor has been sent once, with one PaginationWarning, sync and async.
The wire names (items, cursor, next cursor) come from the generated Operation by the client's own
paging rule; the item is one the local server made. Prints "ok" when every assertion held.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
import warnings
from typing import Any

import httpx
from raia_agent_api.resources._operations import OPERATIONS

from raia_agent import AsyncRaia, Raia
from raia_agent.pagination import PaginationWarning
from raia_agent.testing import local_server
from raia_runtime.paging import recognise
from raia_spec import Reader

# Each cursor's next one; None is the first page (no cursor sent).
CYCLES: list[dict[str | None, str]] = [
    {None: "a", "a": "b", "b": "a"},  # a -> b -> a
    {None: "a", "a": "a"},  # a page naming its own cursor
    {None: "a", "a": "b", "b": "c", "c": "b"},  # b -> c -> b, after a first step
]
OP = OPERATIONS["feedback.list"]
LIMIT = 50


def wire_names() -> dict[str, Any]:
    schema = OP.replies[OP.success].schema or {}
    reader = Reader(schema)
    query = [p.name for p in OP.params if p.location == "query"]
    found = recognise(OP.method, query, reader.resolve(schema), reader.resolve)
    assert found is not None and found["style"] == "cursor", found
    return found


def one_item() -> Any:
    with local_server() as server, Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
        raw = client.feedback.with_raw_response.create_or_update(
            conversation_message_id=uuid.uuid4(), user_id=uuid.uuid4(), vote_type="up", question="q"
        )
        return raw.http_response.json()


class Cycling:
    """The server of one cycle: answers each cursor with one item and the cycle's next cursor."""

    def __init__(self, cycle: dict[str | None, str], names: dict[str, Any], item: Any) -> None:
        self.cycle, self.names, self.item = cycle, names, item
        self.sent: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get(str(self.names["param"]))
        self.sent.append(cursor)
        if len(self.sent) > LIMIT:  # bounds the test's own run should the walk not stop
            raise SystemExit(f"the walk did not stop: {len(self.sent)} requests")
        body = {self.names["items"]: [self.item], self.names["field"]: self.cycle[cursor]}
        return httpx.Response(200, json=body)

    def ended(self, caught: list[warnings.WarningMessage], walked: int) -> None:
        """Each cursor sent once, in order, then the walk stopped with one warning naming the list."""
        assert self.sent == list(self.cycle), self.sent
        assert walked == len(self.cycle), walked
        found = [str(w.message) for w in caught if issubclass(w.category, PaginationWarning)]
        assert len(found) == 1 and "feedback.list" in found[0], [str(w.message) for w in caught]
        # the message names pages, never the server's cursor text
        assert not any(f"'{cursor}'" in found[0] for cursor in self.cycle if cursor), found
        self.sent.clear()


def run_sync(names: dict[str, Any], item: Any) -> None:
    for cycle in CYCLES:
        server = Cycling(cycle, names, item)
        http = httpx.Client(transport=httpx.MockTransport(server))
        with Raia(secret_key="sk-cycle", http_client=http, max_retries=0) as client:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                items = list(client.feedback.list(limit=1))
            server.ended(caught, len(items))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                pages = list(client.feedback.list(limit=1).iter_pages())
                assert not pages[-1].has_next_page()  # asked again: no second warning
            server.ended(caught, len(pages))


async def run_async(names: dict[str, Any], item: Any) -> None:
    for cycle in CYCLES:
        server = Cycling(cycle, names, item)
        http = httpx.AsyncClient(transport=httpx.MockTransport(server))
        async with AsyncRaia(secret_key="sk-cycle", http_client=http, max_retries=0) as client:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                items = [fb async for fb in client.feedback.list(limit=1)]
            server.ended(caught, len(items))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                page = await client.feedback.list(limit=1)
                pages = [p async for p in page.iter_pages()]
                assert not pages[-1].has_next_page()
            server.ended(caught, len(pages))


def main() -> None:
    names, item = wire_names(), one_item()
    if sys.argv[1] == "sync":
        run_sync(names, item)
    else:
        asyncio.run(run_async(names, item))
    print("ok")


if __name__ == "__main__":
    main()
