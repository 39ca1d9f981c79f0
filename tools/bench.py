"""`make bench`: the client's cost as ratios against raw httpx, measured in one run.

Ratios, not seconds, so that results from different machines compare; each pair is measured
interleaved over several rounds and the median kept.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from raia_agent_api import AuthenticatedClient
from raia_agent_api.api.conversation_message_feedbacks import create_or_update_feedback
from raia_agent_api.models import FeedbackRequest

from raia_agent import AsyncRaia, Raia

KEY = "sk-bench"
BASE = "https://api.raia2.com"
PATH = "/external/conversation-message-feedbacks"
MESSAGE_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
USER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
BODY = {"conversationMessageId": MESSAGE_ID, "userId": USER_ID, "voteType": "up", "question": "Why?"}
ARGS: dict[str, Any] = {
    "conversation_message_id": MESSAGE_ID,
    "user_id": USER_ID,
    "vote_type": "up",
    "question": "Why?",
}
ANSWER = json.dumps(
    {
        "id": "5b0d7a0e-8f4e-4d0b-9a51-8a3a2b3a6c11",
        "conversationMessageId": MESSAGE_ID,
        "voteType": "up",
        "question": "Why?",
        "answer": None,
        "createdAt": "2026-11-29T08:00:00.000Z",
        "updatedAt": "2026-11-29T08:00:00.000Z",
        "comment": None,
    }
).encode()
ROUNDS = 7


def handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        201, content=ANSWER, headers={"content-type": "application/json", "x-request-id": "r"}
    )


def per_call(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def interleaved(candidates: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Median of ROUNDS measurements of each candidate, taken in turn."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(ROUNDS):
        for name, measure in candidates.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def mock_sync(n: int = 3000) -> dict[str, float]:
    transport = httpx.MockTransport(handler)
    raw = httpx.Client(transport=transport, base_url=BASE, headers={"Agent-Secret-Key": KEY})
    raia = Raia(secret_key=KEY, http_client=httpx.Client(transport=transport))
    generated = AuthenticatedClient(base_url=BASE, token=KEY, prefix="", auth_header_name="Agent-Secret-Key")
    generated.set_httpx_client(
        httpx.Client(transport=transport, base_url=BASE, headers={"Agent-Secret-Key": KEY})
    )
    model = FeedbackRequest.from_dict(BODY)
    return interleaved(
        {
            "raw": lambda: per_call(lambda: raw.post(PATH, json=BODY).json(), n),
            "raia": lambda: per_call(lambda: raia.feedback.create_or_update(**ARGS), n),
            "generated": lambda: per_call(
                lambda: create_or_update_feedback.sync(client=generated, body=model), n
            ),
        }
    )


def mock_async(n: int = 3000) -> dict[str, float]:
    transport = httpx.MockTransport(handler)

    async def run() -> dict[str, float]:
        raw = httpx.AsyncClient(transport=transport, base_url=BASE, headers={"Agent-Secret-Key": KEY})
        raia = AsyncRaia(secret_key=KEY, http_client=httpx.AsyncClient(transport=transport))

        async def raw_call() -> None:
            (await raw.post(PATH, json=BODY)).json()

        async def timed(call: Callable[[], Any]) -> float:
            start = time.perf_counter()
            for _ in range(n):
                await call()
            return (time.perf_counter() - start) / n

        samples: dict[str, list[float]] = {"raw": [], "raia": []}
        for _ in range(ROUNDS):
            samples["raw"].append(await timed(raw_call))
            samples["raia"].append(await timed(lambda: raia.feedback.create_or_update(**ARGS)))
        return {k: statistics.median(v) for k, v in samples.items()}

    return asyncio.run(run())


def serve(conn: Any) -> None:
    """Child process: run local_server() so it gets its own core and GIL."""
    from raia_agent.testing import local_server

    with local_server(secret_key=KEY) as server:
        conn.send(server.base_url)
        conn.recv()


def end_to_end(base_url: str, calls: int = 2000, concurrency: int = 64) -> dict[str, float]:
    bodies = [{**BODY, "userId": str(uuid.uuid4())} for _ in range(calls)]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    def sync_rate(post: Callable[[dict[str, Any]], object]) -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(post, bodies))
        return calls / (time.perf_counter() - start)

    raw = httpx.Client(base_url=base_url, headers={"Agent-Secret-Key": KEY}, limits=limits)
    raia = Raia(secret_key=KEY, base_url=base_url, http_client=httpx.Client(limits=limits))

    def raia_post(body: dict[str, Any]) -> object:
        return raia.feedback.create_or_update(
            conversation_message_id=body["conversationMessageId"],
            user_id=body["userId"],
            vote_type="up",
            question="Why?",
        )

    async def async_rate(kind: str) -> float:
        async with (
            httpx.AsyncClient(
                base_url=base_url, headers={"Agent-Secret-Key": KEY}, limits=limits
            ) as raw_async,
            AsyncRaia(
                secret_key=KEY, base_url=base_url, http_client=httpx.AsyncClient(limits=limits)
            ) as client,
        ):
            pending = iter(bodies)

            async def worker() -> None:
                # `concurrency` workers share one iterator: at most that many requests in flight.
                for body in pending:
                    if kind == "raw":
                        (await raw_async.post(PATH, json=body)).json()
                    else:
                        await client.feedback.create_or_update(
                            conversation_message_id=body["conversationMessageId"],
                            user_id=body["userId"],
                            vote_type="up",
                            question="Why?",
                        )

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return calls / (time.perf_counter() - start)

    samples: dict[str, list[float]] = {"sync raw": [], "sync raia": [], "async raw": [], "async raia": []}
    for _ in range(3):
        samples["sync raw"].append(sync_rate(lambda b: raw.post(PATH, json=b).json()))
        samples["sync raia"].append(sync_rate(raia_post))
        samples["async raw"].append(asyncio.run(async_rate("raw")))
        samples["async raia"].append(asyncio.run(async_rate("raia")))
    return {k: statistics.median(v) for k, v in samples.items()}


def import_time(code: str, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    sync = mock_sync()
    rows.append(
        ("per call, sync, MockTransport: Raia / raw httpx", f"{sync['raia'] / sync['raw']:.2f}x", "<= 1.15x")
    )
    rows.append(
        (
            "per call, sync, MockTransport: generated code / raw httpx",
            f"{sync['generated'] / sync['raw']:.2f}x",
            "-",
        )
    )
    asy = mock_async()
    rows.append(
        ("per call, async, MockTransport: AsyncRaia / raw", f"{asy['raia'] / asy['raw']:.2f}x", "<= 1.15x")
    )
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=serve, args=(child,), daemon=True)
    proc.start()
    try:
        rates = end_to_end(parent.recv())
    finally:
        parent.send("stop")
        proc.join(10)
    rows.append(
        (
            "calls/s, sync x64 threads, local_server: Raia / raw",
            f"{rates['sync raia'] / rates['sync raw']:.2f}x",
            ">= 0.95x",
        )
    )
    rows.append(
        (
            "calls/s, async x64, local_server: AsyncRaia / raw",
            f"{rates['async raia'] / rates['async raw']:.2f}x",
            ">= 0.95x",
        )
    )
    py = import_time("pass")
    rows.append(
        ("import raia_agent / import httpx (minus interpreter start)",
         f"{(import_time('import raia_agent') - py) / (import_time('import httpx') - py):.2f}x", "<= 1.3x")
    )  # fmt: skip
    for extra in sys.argv[1:]:
        if extra == "--import-rows":
            from tools.bench_import import import_rows

            rows += import_rows()
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)} | ratio | aim")
    print(f"{'-' * width}-|-------|---------")
    for name, ratio, aim in rows:
        print(f"{name.ljust(width)} | {ratio:>5} | {aim}")
    print(
        f"\nraw httpx per call: sync {sync['raw'] * 1e6:.0f} us, async {asy['raw'] * 1e6:.0f} us; "
        f"end to end raw: sync {rates['sync raw']:.0f}/s, async {rates['async raw']:.0f}/s"
    )


if __name__ == "__main__":
    main()
