"""`make bench`: the client's cost as ratios against the cheapest fair baseline, in one run.

Ratios, not seconds, so that results from different machines compare. Every pair is measured
in interleaved rounds whose order rotates, so that neither side always runs first, warm or
cold; the median of the rounds is kept.

    python -m tools.bench [--only percall,e2e,import,startup]    (BENCH_QUICK=1: small sizes)

Per-call figures use the CPU clock (time.process_time), throughput the wall clock; every ratio
is the median of per-round ratios with their range in brackets. The load average at the start
and end is printed, since other processes share the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import AsyncRaia, Raia
from raia_agent._pool import NoCookies
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
ANSWER = json.dumps(instance(Validator(CREATE.replies[CREATE.success].schema or {}), BODY)).encode()
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


def ratio(samples: dict[str, list[float]], top: str, bottom: str) -> str:
    """Median of the per-round ratios top/bottom, with their range: rounds pair up, so the
    machine's drift during the run cancels within a round rather than across the run."""
    per_round = sorted(a / b for a, b in zip(samples[top], samples[bottom], strict=True))
    return f"{statistics.median(per_round):.2f}x ({per_round[0]:.2f}-{per_round[-1]:.2f})"


def quick() -> bool:
    """`make bench QUICK=1`: smaller sizes and fewer rounds, to check the machinery, not to quote."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def scaled(full: int, small: int) -> int:
    return small if quick() else full


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

    def timed(call: Callable[[], object]) -> Callable[[], float]:
        def measure() -> float:
            start = time.process_time()
            for _ in range(n):
                call()
            return (time.process_time() - start) / n

        return measure

    with over_transport(own, transport):
        return interleaved(
            {
                "raw": timed(lambda: raw.post(URL, json=BODY).json()),
                "raw, no cookies": timed(lambda: raw_no_cookies.post(URL, json=BODY).json()),
                "generated": timed(lambda: generated.sync(client=bare, body=generated_body())),
                "raia": timed(lambda: own.feedback.create_or_update(**ARGS)),
                "raia, user client": timed(lambda: users.feedback.create_or_update(**ARGS)),
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

        async def raw_call() -> None:
            (await raw.post(URL, json=BODY)).json()

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "raw": raw_call,
            "generated": lambda: generated.asyncio(client=bare, body=generated_body()),
            "raia": lambda: own.feedback.create_or_update(**ARGS),
            "raia, user client": lambda: users.feedback.create_or_update(**ARGS),
        }
        samples: dict[str, list[float]] = {name: [] for name in calls}
        with over_transport(own, transport):
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
    ]  # fmt: skip
    s, a = medians(sync), medians(asy)
    note = (
        f"per call (CPU clock, MockTransport, {n} calls x {scaled(ROUNDS, 3)} rounds): raw httpx sync "
        f"{s['raw'] * 1e6:.0f} us, async {a['raw'] * 1e6:.0f} us; Raia {s['raia'] * 1e6:.0f} us, "
        f"AsyncRaia {a['raia'] * 1e6:.0f} us; bare generated {s['generated'] * 1e6:.0f} / {a['generated'] * 1e6:.0f} us"
    )
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
    load_before = os.getloadavg()
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
    rwidth = max(len(r[1]) for r in rows)
    print(f"{'measure'.ljust(width)} | {'ratio (range)'.ljust(rwidth)} | aim")
    print(f"{'-' * width}-|-{'-' * rwidth}-|---------")
    for name, figure, aim in rows:
        print(f"{name.ljust(width)} | {figure.ljust(rwidth)} | {aim}")
    print()
    print("\n".join(notes))
    load_after = os.getloadavg()
    print(
        f"bench took {time.perf_counter() - started:.0f} s on {os.cpu_count()} CPUs; load average "
        f"(1 min) {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end"
        + (" (QUICK: small sizes, not for quoting)" if quick() else "")
    )


if __name__ == "__main__":
    main()
