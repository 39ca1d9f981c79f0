"""Bench rows for loopback end to end: AsyncRaia at 1, 16 and 64 in flight against local_server().

Baselines: raw httpx.AsyncClient on its default pool (what a user writes first), Raia sync
sequential (one call at a time), and the server's ceiling: a raw aiohttp session with 64
connections and 64 requests in flight, nothing else in the loop. The server runs in a child
process (a core and a GIL of its own); each round starts a fresh one and runs every candidate
against it in an order that rotates from round to round.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from raia_agent import AsyncRaia, Raia
from raia_agent._transport import AIOHTTP, HTTPX, HTTPX2, available
from tools.bench.common import KEY, PATH, ROUNDS, Row, ratio, rotated, scaled

FLIGHTS = (1, 16, 64)
HEADERS = {"Agent-Secret-Key": KEY}


def serve(conn: Any, db: str) -> None:
    """Child process: run local_server() until the parent says stop, then report what it stored."""
    from raia_agent.testing import local_server

    with local_server(secret_key=KEY, db=db) as server:
        conn.send(server.base_url)
        conn.recv()
        conn.send(server.store.count())


@contextmanager
def served(db: str = ":memory:", stored: list[int] | None = None) -> Iterator[str]:
    """A fresh local server in a child process, for the `with` block; yields its base URL, and
    appends to `stored` how many documents the server's store holds at the end."""
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=serve, args=(child, db), daemon=True)
    proc.start()
    try:
        if not parent.poll(60):
            raise SystemExit("the local server did not start")
        yield parent.recv()
    finally:
        parent.send("stop")
        if parent.poll(60) and stored is not None:
            stored.append(parent.recv())
        proc.join(10)
        if proc.is_alive():
            proc.kill()


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


class Run:
    """One candidate's run: calls/s and every call's latency. A lost call fails the bench."""

    def __init__(self, rate: float, latencies: list[float]) -> None:
        self.rate = rate
        ordered = sorted(latencies)
        self.p50 = ordered[len(ordered) // 2]
        self.p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def in_flight(
    call: Callable[[dict[str, Any]], Awaitable[None]], rows: list[dict[str, Any]], flight: int
) -> Run:
    pending = iter(rows)
    latencies: list[float] = []

    async def worker() -> None:
        # `flight` workers share one iterator: at most that many requests in flight.
        for body in pending:
            start = time.perf_counter()
            await call(body)
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(flight)))
    return Run(len(rows) / (time.perf_counter() - start), latencies)


def async_candidate(base_url: str, kind: str, flight: int, calls: int) -> Run:
    async def run() -> Run:
        rows = bodies(calls)
        if kind == "raw httpx":
            async with httpx.AsyncClient(base_url=base_url, headers=HEADERS) as raw:

                async def raw_call(body: dict[str, Any]) -> None:
                    response = await raw.post(PATH, json=body)
                    response.json()
                    if response.status_code != 201:
                        raise SystemExit(f"raw httpx: status {response.status_code}")

                return await in_flight(raw_call, rows, flight)
        if kind == "ceiling":
            import aiohttp

            connector = aiohttp.TCPConnector(limit=64)
            async with aiohttp.ClientSession(base_url, headers=HEADERS, connector=connector) as session:

                async def bare_call(body: dict[str, Any]) -> None:
                    async with session.post(PATH, json=body) as response:
                        await response.json()
                        if response.status != 201:
                            raise SystemExit(f"ceiling: status {response.status}")

                return await in_flight(bare_call, rows, flight)
        # PLAIN, or "AsyncRaia <transport> <connections>"
        async with AsyncRaia(secret_key=KEY, base_url=base_url, max_retries=0) as client:
            if kind != PLAIN:
                _, transport, connections = kind.split()
                client._size_pool(int(connections), transport)

            async def raia_call(body: dict[str, Any]) -> None:
                await client.feedback.create_or_update(**raia_args(body))

            return await in_flight(raia_call, rows, flight)

    return asyncio.run(run())


def sync_sequential(base_url: str, calls: int) -> Run:
    rows = bodies(calls)
    latencies = []
    with Raia(secret_key=KEY, base_url=base_url, max_retries=0) as client:
        start = time.perf_counter()
        for body in rows:
            began = time.perf_counter()
            client.feedback.create_or_update(**raia_args(body))
            latencies.append(time.perf_counter() - began)
        return Run(calls / (time.perf_counter() - start), latencies)


PLAIN = "AsyncRaia default pool"  # what a plain install's AsyncRaia() sends through: aiohttp's (raia_agent._transport)
FALLBACK = f"AsyncRaia {HTTPX} 64"  # httpx's pool, capped and gated: an install without aiohttp


def candidates() -> list[str]:
    kinds = ["raw httpx", PLAIN, FALLBACK, f"AsyncRaia {HTTPX} 4"]
    if HTTPX2 in available():
        kinds.append(f"AsyncRaia {HTTPX2} 64")
    if AIOHTTP in available():  # then PLAIN is AsyncRaia over aiohttp with 64 connections
        kinds.append("ceiling")
    return kinds


def e2e_rows() -> tuple[list[Row], str]:
    calls = scaled(1000, 100)
    rounds = scaled(ROUNDS, 2)
    names = [f"{kind} x{flight}" for flight in FLIGHTS for kind in candidates()] + ["Raia sync sequential"]
    runs: dict[str, list[Run]] = {name: [] for name in names}
    for round_no in range(rounds):
        with served() as base_url:
            for name in rotated(names, round_no):
                if name == "Raia sync sequential":
                    runs[name].append(sync_sequential(base_url, calls))
                else:
                    kind, depth = name.rsplit(" x", 1)
                    runs[name].append(async_candidate(base_url, kind, int(depth), calls))
    rates = {name: [run.rate for run in values] for name, values in runs.items()}
    rows: list[Row] = []
    for flight in FLIGHTS:
        for kind in candidates()[1:]:
            if kind != "ceiling":
                aim = ">= 2x" if (kind == PLAIN and flight == 64) else "-"
                label = f"{kind} (plain install)" if kind == PLAIN else kind
                rows.append((f"calls/s x{flight}: {label} / raw httpx default pool",
                             ratio(rates, f"{kind} x{flight}", f"raw httpx x{flight}"), aim))  # fmt: skip
    rows.append(("calls/s x64: " + PLAIN + " / Raia sync sequential",
                 ratio(rates, f"{PLAIN} x64", "Raia sync sequential"), ">= 1.3x"))  # fmt: skip
    if AIOHTTP in available():
        rows.append(("calls/s x64: " + PLAIN + " / server ceiling (raw aiohttp x64)",
                     ratio(rates, f"{PLAIN} x64", "ceiling x64"), "-"))  # fmt: skip
    for kind in [PLAIN, FALLBACK]:
        p = [run.p99 / run.p50 for run in runs[f"{kind} x64"]]
        rows.append((f"latency x64, {kind}: p99 / p50", f"{statistics.median(p):.2f}x ({min(p):.2f}-{max(p):.2f})",
                     "<= 3x"))  # fmt: skip
    lines = [
        f"end to end ({calls} calls per run, {rounds} rounds, a fresh server per round), median calls/s and p50/p99 ms:"
    ]
    for name, values in runs.items():
        lines.append(
            f"  {name}: {statistics.median(r.rate for r in values):.0f}/s, "
            f"p50 {statistics.median(r.p50 for r in values) * 1e3:.1f} ms, p99 {statistics.median(r.p99 for r in values) * 1e3:.1f} ms"
        )
    return rows, "\n".join(lines)
