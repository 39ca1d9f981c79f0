"""Bench rows for loopback end to end: calls/s of Raia and raw httpx against local_server().

Each run gets a fresh server (and so a fresh database) in its own process, so that the
server has a core and a GIL of its own and no run inherits another's rows or connections.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx

from raia_agent import APIError, APIStatusError, AsyncRaia, Raia
from tools.bench import KEY, PATH, Row, interleaved, medians

# Sync runs faster against the server; more calls keep each run long enough to time.
CALLS = {"sync": 3000, "async": 1000}
CONCURRENCY = 64
ROUNDS = 5


def serve(conn: Any, db: str) -> None:
    """Child process: run local_server() until the parent says stop."""
    from raia_agent.testing import local_server

    with local_server(secret_key=KEY, db=db) as server:
        conn.send(server.base_url)
        conn.recv()


@contextmanager
def served(db: str = ":memory:") -> Iterator[str]:
    """A fresh local server in a child process, for the `with` block; yields its base URL."""
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=serve, args=(child, db), daemon=True)
    proc.start()
    try:
        if not parent.poll(60):
            raise SystemExit("the local server did not start")
        yield parent.recv()
    finally:
        parent.send("stop")
        proc.join(10)
        if proc.is_alive():
            proc.kill()


class Tally:
    """What came back: a run that lost calls is reported, not silently faster."""

    def __init__(self) -> None:
        self.ok = self.bad_status = self.errors = 0

    def __str__(self) -> str:
        return f"{self.bad_status} bad statuses, {self.errors} transport errors"


def bodies(calls: int) -> list[dict[str, Any]]:
    return [
        {"conversationMessageId": str(uuid.uuid4()), "userId": str(uuid.uuid4()), "voteType": "up", "question": "Why?"}
        for _ in range(calls)
    ]  # fmt: skip


def raia_args(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "conversation_message_id": body["conversationMessageId"],
        "user_id": body["userId"],
        "vote_type": body["voteType"],
        "question": body["question"],
    }


def sync_rate(kind: str, tally: Tally) -> float:
    rows = bodies(CALLS["sync"])
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    with served() as base_url:
        raw = httpx.Client(base_url=base_url, headers={"Agent-Secret-Key": KEY}, limits=limits)
        raia = Raia(secret_key=KEY, base_url=base_url, http_client=httpx.Client(limits=limits))

        def call(body: dict[str, Any]) -> None:
            try:
                if kind == "raw":
                    response = raw.post(PATH, json=body)
                    response.json()
                    if response.status_code != 201:
                        tally.bad_status += 1
                        return
                else:
                    raia.feedback.create_or_update(**raia_args(body))
                tally.ok += 1
            except APIStatusError:
                tally.bad_status += 1
            except (httpx.TransportError, APIError):
                tally.errors += 1

        work: Callable[[dict[str, Any]], None] = call
        start = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(work, rows))
        elapsed = time.perf_counter() - start
        raw.close()
        raia.close()
    return tally.ok / elapsed


def async_rate(kind: str, tally: Tally) -> float:
    rows = bodies(CALLS["async"])
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)

    async def run(base_url: str) -> float:
        async with (
            httpx.AsyncClient(base_url=base_url, headers={"Agent-Secret-Key": KEY}, limits=limits) as raw,
            AsyncRaia(
                secret_key=KEY, base_url=base_url, http_client=httpx.AsyncClient(limits=limits)
            ) as raia,
        ):
            pending = iter(rows)

            async def worker() -> None:
                # CONCURRENCY workers share one iterator: at most that many requests in flight.
                for body in pending:
                    try:
                        if kind == "raw":
                            response = await raw.post(PATH, json=body)
                            response.json()
                            if response.status_code != 201:
                                tally.bad_status += 1
                                continue
                        else:
                            await raia.feedback.create_or_update(**raia_args(body))
                        tally.ok += 1
                    except APIStatusError:
                        tally.bad_status += 1
                    except (httpx.TransportError, APIError):
                        tally.errors += 1

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            return tally.ok / (time.perf_counter() - start)

    with served() as base_url:
        return asyncio.run(run(base_url))


def e2e_rows() -> tuple[list[Row], str]:
    tallies = {name: Tally() for name in ("sync raw", "sync raia", "async raw", "async raia")}

    def candidate(name: str) -> Callable[[], float]:
        flavour, kind = name.split()
        rate = sync_rate if flavour == "sync" else async_rate
        return lambda: rate(kind, tallies[name])

    rates = medians(interleaved({name: candidate(name) for name in tallies}, rounds=ROUNDS))
    rows = [
        (f"calls/s, local_server, sync x{CONCURRENCY} threads: Raia / raw httpx",
         f"{rates['sync raia'] / rates['sync raw']:.2f}x", ">= 1.0x"),
        (f"calls/s, local_server, async x{CONCURRENCY} in flight: AsyncRaia / raw httpx",
         f"{rates['async raia'] / rates['async raw']:.2f}x", ">= 1.0x"),
    ]  # fmt: skip
    lost = "; ".join(f"{name}: {tally}" for name, tally in tallies.items())
    note = (
        f"end to end, raw httpx: sync {rates['sync raw']:.0f} calls/s, async {rates['async raw']:.0f} calls/s "
        f"(same pool, {CONCURRENCY} connections, for both sides; a fresh server per run). Lost over all runs: {lost}"
    )
    return rows, note
