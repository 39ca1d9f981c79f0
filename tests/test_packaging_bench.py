"""`make bench`'s machinery measures what it claims; no timings are asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from raia_agent import AsyncRaia, Raia
from raia_agent.testing import local_server
from tools.bench import ARGS, KEY, handler, interleaved, over_transport
from tools.bench_import import BARE, write_rows


def test_rounds_rotate_the_order() -> None:
    """Every candidate runs once per round, and each one leads some round."""
    order: list[str] = []
    samples = interleaved({name: (lambda name=name: order.append(name) or 0.0) for name in "abc"}, rounds=6)
    assert {name: len(values) for name, values in samples.items()} == {"a": 6, "b": 6, "c": 6}
    assert {order[i] for i in range(0, 18, 3)} == {"a", "b", "c"}


def test_per_call_bench_reaches_the_pool_raia_owns() -> None:
    """The per-call bench routes the pool Raia owns through the mock transport (no such host exists)."""
    with (
        Raia(secret_key=KEY, base_url="https://127.0.0.1:9") as client,
        over_transport(client, httpx.MockTransport(handler)),
    ):
        assert client.feedback.create_or_update(**ARGS).question == ARGS["question"]


async def test_per_call_bench_reaches_the_pool_async_raia_owns() -> None:
    """The same for AsyncRaia."""
    async with AsyncRaia(secret_key=KEY, base_url="https://127.0.0.1:9") as client:
        with over_transport(client, httpx.MockTransport(handler)):
            assert (await client.feedback.create_or_update(**ARGS)).question == ARGS["question"]


def run_bare(rows: Path, base_url: str, key: str) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-c", BARE, str(rows), base_url, "4"],
        input=key + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    tally: dict[str, int] = json.loads(result.stdout)
    return tally


def test_bare_import_loop_counts_bad_statuses_and_transport_errors(tmp_path: Path) -> None:
    """The import's baseline checks every status and counts dropped connections instead of crashing."""
    rows = tmp_path / "rows.jsonl"
    write_rows(rows, 20)
    with local_server() as server:
        assert run_bare(rows, server.base_url, f"wrong-{uuid.uuid4()}") == {
            "ok": 0,
            "bad_status": 20,
            "errors": 0,
        }
        server.fail_next("drop", times=3)
        assert run_bare(rows, server.base_url, server.secret_key) == {"ok": 17, "bad_status": 0, "errors": 3}
