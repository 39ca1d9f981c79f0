"""`make bench`: the client's cost as ratios against the cheapest fair baseline, in one run.

Ratios, not seconds, so that results from different machines compare. Every pair is measured
in interleaved rounds whose order rotates, so that neither side always runs first, warm or
cold; the median of the rounds is kept.

    python -m tools.bench [--only percall,e2e,import,startup]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import AsyncRaia, Raia
from raia_agent.testing._instances import instance
from raia_agent.testing._spec import Validator

KEY = "sk-bench"
BASE = "https://api.raia2.com"
PATH = "/external/conversation-message-feedbacks"
URL = BASE + PATH
HEADERS = {"Agent-Secret-Key": KEY}
MESSAGE_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
USER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
BODY = {"conversationMessageId": MESSAGE_ID, "userId": USER_ID, "voteType": "up", "question": "Why?"}
ARGS: dict[str, Any] = {
    "conversation_message_id": MESSAGE_ID,
    "user_id": USER_ID,
    "vote_type": "up",
    "question": "Why?",
}
# The 201 body is built from the spec's reply schema (echoing the request), never written here, so
# a vendor update that adds a reply field cannot make the client reject it.
ANSWER = json.dumps(instance(Validator(CREATE.replies[CREATE.success].schema or {}, {}), BODY)).encode()
ROUNDS = 7
CALLS = 3000

Row = tuple[str, str, str]
T = TypeVar("T")


def rotated(names: list[str], round_no: int) -> list[str]:
    shift = round_no % len(names)
    return names[shift:] + names[:shift]


def interleaved(candidates: dict[str, Callable[[], T]], rounds: int = ROUNDS) -> dict[str, list[T]]:
    """Each candidate measured once per round, in an order that rotates from round to round."""
    samples: dict[str, list[T]] = {name: [] for name in candidates}
    for round_no in range(rounds):
        for name in rotated(list(candidates), round_no):
            samples[name].append(candidates[name]())
    return samples


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in samples.items()}


def handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        201, content=ANSWER, headers={"content-type": "application/json", "x-request-id": "r"}
    )


@contextmanager
def over_transport(client: Raia | AsyncRaia, transport: Any) -> Iterator[None]:
    """Route the pool `client` created itself through `transport`.

    Raia has no transport argument, and handing it an http_client takes another code path
    (per-call headers), so the pool it owns is found and its transport replaced.
    """
    found = getattr(client, "_http", None)  # the pool the client uses in this process
    pools = [found] if isinstance(found, httpx.Client | httpx.AsyncClient) else []
    if len(pools) != 1:
        raise SystemExit(f"tools/bench.py: cannot find the httpx client inside {type(client).__name__}")
    original = pools[0]._transport
    pools[0]._transport = transport
    try:
        yield
    finally:
        pools[0]._transport = original


def per_call_sync(n: int = CALLS) -> dict[str, float]:
    transport = httpx.MockTransport(handler)
    # The cheapest raw call: headers set once on the client, an absolute URL (no base_url merge).
    raw = httpx.Client(transport=transport, headers=HEADERS)
    own = Raia(secret_key=KEY, base_url=BASE)
    users = Raia(secret_key=KEY, base_url=BASE, http_client=httpx.Client(transport=transport))

    def timed(call: Callable[[], object]) -> Callable[[], float]:
        def measure() -> float:
            start = time.perf_counter()
            for _ in range(n):
                call()
            return (time.perf_counter() - start) / n

        return measure

    with over_transport(own, transport):
        return medians(
            interleaved(
                {
                    "raw": timed(lambda: raw.post(URL, json=BODY).json()),
                    "raia": timed(lambda: own.feedback.create_or_update(**ARGS)),
                    "raia, user client": timed(lambda: users.feedback.create_or_update(**ARGS)),
                }
            )
        )


def per_call_async(n: int = CALLS) -> dict[str, float]:
    transport = httpx.MockTransport(handler)

    async def run() -> dict[str, float]:
        raw = httpx.AsyncClient(transport=transport, headers=HEADERS)
        own = AsyncRaia(secret_key=KEY, base_url=BASE)
        users = AsyncRaia(secret_key=KEY, base_url=BASE, http_client=httpx.AsyncClient(transport=transport))

        async def raw_call() -> None:
            (await raw.post(URL, json=BODY)).json()

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "raw": raw_call,
            "raia": lambda: own.feedback.create_or_update(**ARGS),
            "raia, user client": lambda: users.feedback.create_or_update(**ARGS),
        }
        samples: dict[str, list[float]] = {name: [] for name in calls}
        with over_transport(own, transport):
            for round_no in range(ROUNDS):
                for name in rotated(list(calls), round_no):
                    start = time.perf_counter()
                    for _ in range(n):
                        await calls[name]()
                    samples[name].append((time.perf_counter() - start) / n)
        return medians(samples)

    return asyncio.run(run())


def percall_rows() -> tuple[list[Row], str]:
    sync, asy = per_call_sync(), per_call_async()
    rows = [
        ("per call, sync, MockTransport: Raia / raw httpx", f"{sync['raia'] / sync['raw']:.2f}x", "<= 1.05x"),
        ("per call, sync: Raia with your http_client / raw", f"{sync['raia, user client'] / sync['raw']:.2f}x", "-"),
        ("per call, async, MockTransport: AsyncRaia / raw httpx", f"{asy['raia'] / asy['raw']:.2f}x", "<= 1.05x"),
        ("per call, async: AsyncRaia with your http_client / raw", f"{asy['raia, user client'] / asy['raw']:.2f}x", "-"),
    ]  # fmt: skip
    note = f"raw httpx per call over MockTransport: sync {sync['raw'] * 1e6:.0f} us, async {asy['raw'] * 1e6:.0f} us"
    return rows, note


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="percall,e2e,import,startup", help="comma-separated parts to run")
    parts = parser.parse_args().only.split(",")
    rows: list[Row] = []
    notes: list[str] = []
    started = time.perf_counter()
    for part in parts:
        if part == "percall":
            part_rows, note = percall_rows()
        elif part == "e2e":
            from tools.bench_e2e import e2e_rows

            part_rows, note = e2e_rows()
        elif part == "import":
            from tools.bench_import import import_rows

            part_rows, note = import_rows()
        elif part == "startup":
            from tools.bench_startup import startup_rows

            part_rows, note = startup_rows()
        else:
            raise SystemExit(f"unknown part {part!r}")
        rows += part_rows
        notes.append(note)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)} | ratio | aim")
    print(f"{'-' * width}-|-------|---------")
    for name, ratio, aim in rows:
        print(f"{name.ljust(width)} | {ratio:>5} | {aim}")
    print()
    print("\n".join(notes))
    print(f"bench took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
