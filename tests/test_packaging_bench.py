"""`make bench`'s machinery measures what it claims; no timings are asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from raia_agent import AsyncRaia, Raia
from raia_agent.testing import local_server
from tests.conftest import ROOT
from tools.bench import ARGS, KEY, handler, interleaved, over_transport
from tools.bench_import import BARE, CEILING, write_rows


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


def run_bare(rows: Path, base_url: str, key: str, script: str = BARE, *args: str) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-c", script, str(rows), base_url, "4", *args],
        input=key + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    tally: dict[str, int] = json.loads(result.stdout)
    return tally


@pytest.mark.parametrize(("script", "args"), [(BARE, ["httpx"]), (BARE, ["aiohttp"]), (CEILING, [])])
def test_import_baselines_count_bad_statuses_and_transport_errors(
    tmp_path: Path, script: str, args: list[str]
) -> None:
    """The import's baselines (both transports, and the ceiling) check every status and count dropped connections."""
    rows = tmp_path / "rows.jsonl"
    write_rows(rows, 20)
    with local_server() as server:
        assert run_bare(rows, server.base_url, f"wrong-{uuid.uuid4()}", script, *args) == {
            "ok": 0,
            "bad_status": 20,
            "errors": 0,
        }
        server.fail_next("drop", times=3)
        assert run_bare(rows, server.base_url, server.secret_key, script, *args) == {
            "ok": 17,
            "bad_status": 0,
            "errors": 3,
        }
        assert server.store.count() == 17


def test_the_synthetic_spec_keeps_the_real_operation_and_adds_valid_ones(tmp_path: Path) -> None:
    """tools/synth_spec.py writes N operations, unique ids over several tags, the real one untouched, valid OpenAPI."""
    out = tmp_path / "synth.json"
    subprocess.run([sys.executable, "-m", "tools.synth_spec", str(out), "--operations", "37", "--tags", "4"],
                   check=True, cwd=ROOT)  # fmt: skip
    spec = json.loads(out.read_text())
    real = json.loads((ROOT / "openapi.json").read_text())
    ops = [op for item in spec["paths"].values() for op in item.values()]
    assert len(ops) == 37
    assert len({op["operationId"] for op in ops}) == 37
    real_tags = {op["tags"][0] for item in real["paths"].values() for op in item.values() if op.get("tags")}
    assert len({op["tags"][0] for op in ops} - real_tags) == 4  # the --tags asked for, besides the spec's own
    assert all(spec["paths"][path] == item for path, item in real["paths"].items())
    # the vendor's spec is invalid until the overlay applies; the synthetic one inherits only that error
    assert validation_errors(out) == validation_errors(ROOT / "openapi.json")


def validation_errors(spec: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tools.codegen", "validate", str(spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return (result.stdout + result.stderr).replace(str(spec), "SPEC")


@pytest.mark.timeout(1200)
def test_make_bench_quick_prints_every_figure_the_issue_asks_for() -> None:
    """`make bench QUICK=1` runs every part end to end and prints each row, with the load it ran under."""
    result = subprocess.run(
        ["make", "-s", "bench", "QUICK=1"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for row in [
        "per call CPU, sync: Raia / cheapest raw httpx call",
        "per call CPU, async: AsyncRaia / bare generated function",
        "calls/s x1:", "calls/s x16:", "calls/s x64:",
        "/ Raia sync sequential",
        "latency x64",
        "CLI / bare loop, same transport",
        "CLI / server ceiling",
        "peak RSS, import 5000 rows / 500 rows (CLI)",
        "from raia_agent import Raia / import httpx",
        "first call (import, client, 1 call) / import httpx",
        "40-operation spec: first call / 1-operation spec's",
        "40-operation spec: make generate / 1-operation spec's",
        "40-operation spec: first call of a 4-operation resource / 1-operation spec's first call",
        "load average",
    ]:  # fmt: skip
        assert row in out, out
    assert "QUICK" in out
