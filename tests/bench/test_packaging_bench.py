"""`make bench`'s machinery measures what it claims; no timings are asserted here."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from raia_agent import AsyncRaia, Raia
from raia_agent.testing import local_server
from tools.bench import report
from tools.bench.bulk_import import BARE, CEILING, write_rows
from tools.bench.common import ARGS, KEY, handler, interleaved, over_transport

# Not imported from tests.conftest: that would run the conftest a second time (re-registering the
# hypothesis profiles and reloading the full one in the fast lane).
ROOT = Path(__file__).resolve().parents[2]


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
        "per call CPU, sync: raw httpx without a cookie store / raw httpx",
        "per call CPU, sync: Raia with your http_client / raw",
        "per call CPU, async: AsyncRaia with your http_client / raw",
        "per call CPU, sync: raw httpx2 / raw httpx",
        "per call CPU, async: AsyncRaia with your httpx2 client / raw httpx2",
        "calls/s x64: AsyncRaia default pool (plain install) / raw httpx default pool",
        "latency x64, AsyncRaia default pool: p99 / p50",
        "calls/s x64: AsyncRaia httpx 64 / raw httpx default pool",
        "latency x64, AsyncRaia httpx 64: p99 / p50",
        "calls/s x64: AsyncRaia httpx2 64 / raw httpx default pool",
        "rows/s, import: CLI against a file-DB server / against the in-memory one",
        "every run's rows counted in the server's store",
        "| measure ", "| load |",
        "per call CPU, async: AsyncRaia / bare generated function",
        "calls/s x1:", "calls/s x16:", "calls/s x64:",
        "/ Raia sync sequential",
        "latency x64",
        "CLI / bare loop, same transport",
        "client CPU per row, import: CLI / bare loop",
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
    # every row of the table carries the load it was taken at
    table = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| measure")]
    assert table
    assert all(re.fullmatch(r"\d+\.\d", line.rsplit("|", 2)[-2].strip()) for line in table), table
    # QUICK figures are not for quoting: docs/performance.md is left as it was
    assert "not written to docs/performance.md" in result.stderr
    assert (
        subprocess.run(
            ["git", "diff", "--quiet", "--", "docs/performance.md"], cwd=ROOT, check=False
        ).returncode
        == 0
    )


def page(tmp_path: Path) -> Path:
    path = tmp_path / "performance.md"
    path.write_text(f"# Title\n\nmethod\n\n{report.START}\n\nold figures\n\n{report.END}\n\nafter\n")
    return path


def test_the_figures_replace_only_what_lies_between_the_markers(tmp_path: Path) -> None:
    """Writing the figures keeps the page's own text before and after the markers."""
    path = page(tmp_path)
    report.write(path, report.table([("a measure", "1.00x (0.90-1.10)", "-", 0.4)]))
    text = path.read_text()
    assert text.startswith("# Title\n\nmethod\n\n" + report.START)
    assert text.endswith(report.END + "\n\nafter\n")
    assert "old figures" not in text
    assert "| a measure | 1.00x (0.90-1.10) | -   | 0.4  |" in text


def test_a_page_without_its_markers_is_refused_and_left_alone(tmp_path: Path) -> None:
    """A page missing a marker (or holding two) is not rewritten: the bench names what it expected."""
    path = tmp_path / "performance.md"
    for text in [
        "no markers",
        f"{report.START}\n{report.START}\n{report.END}",
        f"{report.END}\n{report.START}",
    ]:
        path.write_text(text)
        with pytest.raises(SystemExit, match="expected one"):
            report.write(path, "figures")
        assert path.read_text() == text


@pytest.mark.parametrize(("loads", "refused"), [([0.3, 2.0], None), ([0.3, 2.4, 1.0], 2.4)])
def test_figures_taken_above_load_two_are_not_for_the_docs(loads: list[float], refused: float | None) -> None:
    """The highest load any figure was taken at decides: above 2, the run is printed but not written."""
    rows = [(f"m{i}", "1.00x", "-", load) for i, load in enumerate(loads)]
    assert report.too_loaded(rows) == refused
