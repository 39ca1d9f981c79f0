"""Per call: the CPU one call costs, Raia against raw httpx (with and without its cookie jar), raw
httpx2, the bare generated function and a user's own http_client, all on a mock transport."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from raia_agent import AsyncRaia, Raia
from raia_agent._pool import NoCookies
from raia_agent._transport import HTTPX2
from tools.bench.common import (
    ARGS,
    BASE,
    BODY,
    CALLS,
    HEADERS,
    KEY,
    ROUNDS,
    URL,
    Row,
    handler,
    handler2,
    interleaved,
    medians,
    over_transport,
    ratio,
    rotated,
    scaled,
)  # fmt: skip


def generated_client(transport: Any, *, is_async: bool) -> Any:
    """The bare generated client (openapi-python-client's own), on the same transport."""
    from raia_agent_api.client import AuthenticatedClient

    client = AuthenticatedClient(base_url=BASE, token=KEY, prefix="", auth_header_name="Agent-Secret-Key")
    # set_*_client replaces the one it would build, so the key header goes on ours.
    if is_async:
        return client.set_async_httpx_client(
            httpx.AsyncClient(base_url=BASE, headers=HEADERS, transport=transport)
        )
    return client.set_httpx_client(httpx.Client(base_url=BASE, headers=HEADERS, transport=transport))


def generated_body() -> Any:
    from raia_agent_api.models import FeedbackRequest

    return FeedbackRequest.from_dict(BODY)


def per_call_sync(n: int) -> dict[str, list[float]]:
    """CPU seconds per call: process_time, so that other processes on a loaded machine do not count."""
    from raia_agent_api.api.conversation_message_feedbacks import create_or_update as generated

    transport = httpx.MockTransport(handler)
    # The cheapest raw call: headers set once on the client, an absolute URL (no base_url merge).
    raw = httpx.Client(transport=transport, headers=HEADERS)
    # The same, with the cookie store Raia's own pool has (none): what is left once both skip it.
    raw_no_cookies = httpx.Client(transport=transport, headers=HEADERS)
    raw_no_cookies._cookies = NoCookies()
    own = Raia(secret_key=KEY, base_url=BASE)
    users = Raia(secret_key=KEY, base_url=BASE, http_client=httpx.Client(transport=transport))
    bare = generated_client(transport, is_async=False)
    import httpx2

    raw2 = httpx2.Client(transport=httpx2.MockTransport(handler2), headers=HEADERS)
    users2 = Raia(
        secret_key=KEY, base_url=BASE, http_client=httpx2.Client(transport=httpx2.MockTransport(handler2))
    )
    own2 = Raia(secret_key=KEY, base_url=BASE)

    def timed(call: Callable[[], object]) -> Callable[[], float]:
        def measure() -> float:
            start = time.process_time()
            for _ in range(n):
                call()
            return (time.process_time() - start) / n

        return measure

    with over_transport(own, transport), over_transport(own2, httpx2.MockTransport(handler2), HTTPX2):
        return interleaved(
            {
                "raw": timed(lambda: raw.post(URL, json=BODY).json()),
                "raw, no cookies": timed(lambda: raw_no_cookies.post(URL, json=BODY).json()),
                "generated": timed(lambda: generated.sync(client=bare, body=generated_body())),
                "raia": timed(lambda: own.feedback.create_or_update(**ARGS)),
                "raia, user client": timed(lambda: users.feedback.create_or_update(**ARGS)),
                "raw httpx2": timed(lambda: raw2.post(URL, json=BODY).json()),
                "raia, user httpx2 client": timed(lambda: users2.feedback.create_or_update(**ARGS)),
                "raia, own httpx2 pool": timed(lambda: own2.feedback.create_or_update(**ARGS)),
            },
            rounds=scaled(ROUNDS, 3),
        )


def per_call_async(n: int) -> dict[str, list[float]]:
    from raia_agent_api.api.conversation_message_feedbacks import create_or_update as generated

    transport = httpx.MockTransport(handler)

    async def run() -> dict[str, list[float]]:
        raw = httpx.AsyncClient(transport=transport, headers=HEADERS)
        own = AsyncRaia(secret_key=KEY, base_url=BASE)
        users = AsyncRaia(secret_key=KEY, base_url=BASE, http_client=httpx.AsyncClient(transport=transport))
        bare = generated_client(transport, is_async=True)
        import httpx2

        raw2 = httpx2.AsyncClient(transport=httpx2.MockTransport(handler2), headers=HEADERS)
        users2 = AsyncRaia(
            secret_key=KEY,
            base_url=BASE,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler2)),
        )
        own2 = AsyncRaia(secret_key=KEY, base_url=BASE)

        async def raw2_call() -> None:
            (await raw2.post(URL, json=BODY)).json()

        async def raw_call() -> None:
            (await raw.post(URL, json=BODY)).json()

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "raw": raw_call,
            "generated": lambda: generated.asyncio(client=bare, body=generated_body()),
            "raia": lambda: own.feedback.create_or_update(**ARGS),
            "raia, user client": lambda: users.feedback.create_or_update(**ARGS),
            "raw httpx2": raw2_call,
            "raia, user httpx2 client": lambda: users2.feedback.create_or_update(**ARGS),
            "raia, own httpx2 pool": lambda: own2.feedback.create_or_update(**ARGS),
        }
        samples: dict[str, list[float]] = {name: [] for name in calls}
        with over_transport(own, transport), over_transport(own2, httpx2.MockTransport(handler2), HTTPX2):
            for round_no in range(scaled(ROUNDS, 3)):
                for name in rotated(list(calls), round_no):
                    start = time.process_time()
                    for _ in range(n):
                        await calls[name]()
                    samples[name].append((time.process_time() - start) / n)
        return samples

    return asyncio.run(run())


def percall_rows() -> tuple[list[Row], str]:
    n = scaled(CALLS, 300)
    sync, asy = per_call_sync(n), per_call_async(n)
    rows = [
        ("per call CPU, sync: Raia / cheapest raw httpx call", ratio(sync, "raia", "raw"), "<= 1.20x"),
        ("per call CPU, sync: Raia / raw httpx without a cookie store", ratio(sync, "raia", "raw, no cookies"), "-"),
        ("per call CPU, sync: Raia / bare generated function", ratio(sync, "raia", "generated"), "-"),
        ("per call CPU, sync: bare generated function / raw httpx", ratio(sync, "generated", "raw"), "-"),
        ("per call CPU, sync: Raia with your http_client / raw", ratio(sync, "raia, user client", "raw"), "-"),
        ("per call CPU, async: AsyncRaia / cheapest raw httpx call", ratio(asy, "raia", "raw"), "<= 1.25x"),
        ("per call CPU, async: AsyncRaia / bare generated function", ratio(asy, "raia", "generated"), "-"),
        ("per call CPU, async: bare generated function / raw httpx", ratio(asy, "generated", "raw"), "-"),
        ("per call CPU, async: AsyncRaia with your http_client / raw", ratio(asy, "raia, user client", "raw"), "-"),
        ("per call CPU, sync: raw httpx without a cookie store / raw httpx", ratio(sync, "raw, no cookies", "raw"), "-"),
        ("per call CPU, sync: raw httpx2 / raw httpx", ratio(sync, "raw httpx2", "raw"), "-"),
        ("per call CPU, sync: Raia with your httpx2 client / raw httpx2", ratio(sync, "raia, user httpx2 client", "raw httpx2"), "<= 1.20x"),
        ("per call CPU, async: raw httpx2 / raw httpx", ratio(asy, "raw httpx2", "raw"), "-"),
        ("per call CPU, async: AsyncRaia with your httpx2 client / raw httpx2", ratio(asy, "raia, user httpx2 client", "raw httpx2"), "<= 1.20x"),
        ("per call CPU, sync: Raia on the [httpx2] extra's pool / raw httpx2", ratio(sync, "raia, own httpx2 pool", "raw httpx2"), "<= 1.20x"),
        ("per call CPU, async: AsyncRaia on the [httpx2] extra's pool / raw httpx2", ratio(asy, "raia, own httpx2 pool", "raw httpx2"), "<= 1.20x"),
    ]  # fmt: skip
    s, a = medians(sync), medians(asy)
    note = (
        f"per call (CPU clock, MockTransport, {n} calls x {scaled(ROUNDS, 3)} rounds): raw httpx sync "
        f"{s['raw'] * 1e6:.0f} us, async {a['raw'] * 1e6:.0f} us; Raia {s['raia'] * 1e6:.0f} us, "
        f"AsyncRaia {a['raia'] * 1e6:.0f} us; raw httpx2 {s['raw httpx2'] * 1e6:.0f} / {a['raw httpx2'] * 1e6:.0f} us; "
        f"bare generated {s['generated'] * 1e6:.0f} / {a['generated'] * 1e6:.0f} us"
    )
    return rows, note
