"""The program tests/client/test_pagination.py runs against each generated package (and type-checks with mypy --strict).

It stores 25 feedbacks in a local_server(), every fifth a down vote, then walks the paginated list with
Raia and with AsyncRaia. It prints "ok" when every assertion held.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from raia_agent import AsyncRaia, InternalServerError, Raia
from raia_agent.pagination import NoNextPageError
from raia_agent.testing import LocalServer, local_server

MESSAGE = str(uuid.uuid4())


def raised(call: Callable[[], object]) -> Exception | None:
    try:
        call()
    except Exception as exc:  # the caller checks its type
        return exc
    return None


async def araised(call: Callable[[], Awaitable[object]]) -> Exception | None:
    try:
        await call()
    except Exception as exc:  # the caller checks its type
        return exc
    return None


def seed(client: Raia) -> list[str]:
    return [
        str(
            client.feedback.create_or_update(
                conversation_message_id=MESSAGE,
                user_id=uuid.uuid4(),
                vote_type="down" if number % 5 == 0 else "up",
                question=f"question {number}",
            ).id
        )
        for number in range(25)
    ]


def walk(client: Raia, server: LocalServer, ids: list[str]) -> None:
    page = client.feedback.list(limit=10)
    assert [str(fb.id) for fb in page.items] == ids[:10], page.items
    assert page.has_next_page()
    assert [str(fb.id) for fb in page] == ids  # every item of every page, in order, each once
    pages = list(page.iter_pages())
    assert [len(p.items) for p in pages] == [10, 10, 5], pages
    # Each page carries its own response's request id, as a returned model does.
    assert all(p._request_id and p._request_id == p.raw_response.request_id for p in pages)
    assert len({p._request_id for p in pages}) == len(pages)
    assert [p.has_next_page() for p in pages] == [True, True, False]
    assert [str(fb.id) for fb in page.next_page().items] == ids[10:20]
    error = raised(pages[-1].next_page)
    assert isinstance(error, NoNextPageError) and "feedback.list" in str(error), error
    # The next page keeps the call's other arguments: the filter holds on every page.
    downs = [str(fb.id) for fb in client.feedback.list(limit=2, vote_type="down")]
    assert downs == ids[::5], downs
    # Lazy: reading the first page's items asks for no other page.
    before = server.requests_received
    first = client.feedback.list(limit=10)
    assert [str(fb.id) for _, fb in zip(range(10), first, strict=False)] == ids[:10]
    assert server.requests_received == before + 1, server.requests_received - before
    server.fail_next("500")
    error = raised(lambda: list(first))  # the first page from memory, then the second fails
    assert isinstance(error, InternalServerError) and error.status_code == 500, error


async def awalk(client: AsyncRaia, server: LocalServer, ids: list[str]) -> None:
    assert [str(fb.id) async for fb in client.feedback.list(limit=10)] == ids
    page = await client.feedback.list(limit=10)
    assert [str(fb.id) for fb in page.items] == ids[:10] and page.has_next_page()
    pages = [p async for p in page.iter_pages()]
    assert [len(p.items) for p in pages] == [10, 10, 5], pages
    assert all(p._request_id and p._request_id == p.raw_response.request_id for p in pages)
    assert not pages[-1].has_next_page()
    assert [str(fb.id) for fb in (await page.next_page()).items] == ids[10:20]
    error = await araised(pages[-1].next_page)
    assert isinstance(error, NoNextPageError), error
    downs = [str(fb.id) async for fb in client.feedback.list(limit=2, vote_type="down")]
    assert downs == ids[::5], downs
    server.fail_next("500")

    async def every() -> list[object]:
        return [fb async for fb in page]

    error = await araised(every)
    assert isinstance(error, InternalServerError) and error.status_code == 500, error


def main() -> None:
    with local_server() as server:
        with Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as client:
            ids = seed(client)
            walk(client, server, ids)

        async def run() -> None:
            async with AsyncRaia(
                secret_key=server.secret_key, base_url=server.base_url, max_retries=0
            ) as aclient:
                await awalk(aclient, server, ids)

        asyncio.run(run())
    print("ok")


if __name__ == "__main__":
    main()
