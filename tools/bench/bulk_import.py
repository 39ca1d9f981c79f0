"""Bench rows for `raia-agent feedback import`: throughput against fair baselines, and memory.

The bare loop is what a user would write instead of the command: the same file read line by
line, the same concurrency and the same connection pool on the same transport (one connection
per worker, as the import sizes its pool), every status checked and every transport error
counted instead of crashing the run. It has no validation, retries or journal. The ceiling is
the server's own: a raw aiohttp session (no httpx) with 64 connections and 64 requests in
flight. Each run gets a fresh server and database; the order rotates between rounds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from raia_agent._transport import AIOHTTP, available, fastest
from tools.bench.common import KEY, PATH, ROUNDS, Row, interleaved, medians, ratio, scaled
from tools.bench.e2e import served

RAIA_AGENT = str(Path(sys.executable).parent / "raia-agent")
CONCURRENCY = 16  # the command's default
CEILING_FLIGHT = 64

# argv: rows file, base URL, concurrency[, transport]; the key on stdin.
BARE = """
import asyncio, json, sys, httpx
async def main(path, base, concurrency, kind):
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    tally = {"ok": 0, "bad_status": 0, "errors": 0}
    headers = {"Agent-Secret-Key": sys.stdin.readline().strip()}
    transport = None
    if kind == "aiohttp":
        from httpx_aiohttp import AiohttpTransport
        transport = AiohttpTransport(limits=limits)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, transport=transport) as client:
        with open(path) as handle:
            async def worker():
                for line in handle:
                    try:
                        response = await client.post(PATH, json=json.loads(line))
                        response.json()
                    except httpx.TransportError:
                        tally["errors"] += 1
                        continue
                    tally["ok" if response.status_code == 201 else "bad_status"] += 1
            await asyncio.gather(*(worker() for _ in range(concurrency)))
    print(json.dumps(tally))
asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "httpx"))
""".replace("PATH", repr(PATH))

# The server's ceiling: nothing between the loop and aiohttp's connector.
CEILING = """
import asyncio, json, sys, aiohttp
async def main(path, base, concurrency):
    tally = {"ok": 0, "bad_status": 0, "errors": 0}
    headers = {"Agent-Secret-Key": sys.stdin.readline().strip()}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base, headers=headers, connector=connector) as session:
        with open(path) as handle:
            async def worker():
                for line in handle:
                    try:
                        async with session.post(PATH, json=json.loads(line)) as response:
                            await response.json()
                    except aiohttp.ClientError:
                        tally["errors"] += 1
                        continue
                    tally["ok" if response.status == 201 else "bad_status"] += 1
            await asyncio.gather(*(worker() for _ in range(concurrency)))
    print(json.dumps(tally))
asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
""".replace("PATH", repr(PATH))


def write_rows(path: Path, n: int) -> None:
    with path.open("w") as handle:
        for i in range(n):
            row = {"conversationMessageId": str(uuid.uuid4()), "userId": str(uuid.uuid4()), "voteType": "up",
                   "question": f"question {i}", "answer": "an answer"}  # fmt: skip
            handle.write(json.dumps(row) + "\n")


def run(cmd: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, int, str, float]:
    """Wall time, peak RSS (KiB), stdout and CPU seconds (user and system) of one child process
    that must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env={**os.environ, **env}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    out = proc.stdout.read()
    # wait4 rather than wait: it also gives this child's own peak RSS.
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{Path(cmd[0]).name} {' '.join(cmd[1:3])} failed with exit {proc.returncode}")
    return elapsed, usage.ru_maxrss, out, usage.ru_utime + usage.ru_stime


def import_command(rows: Path, journal: Path) -> list[str]:
    return [RAIA_AGENT, "feedback", "import", str(rows), "--concurrency", str(CONCURRENCY),
            "--journal", str(journal), "--rejects", str(journal.with_suffix(".rejects.jsonl"))]  # fmt: skip


class Import:
    """Runs of the CLI and of the baselines over one rows file, each against a fresh server."""

    def __init__(self, tmp: Path, rows: Path, n: int) -> None:
        self.tmp, self.rows, self.n = tmp, rows, n
        self.runs = 0
        self.lost = {"ok": 0, "bad_status": 0, "errors": 0}
        self.rss: dict[str, list[int]] = {}
        self.cpu: dict[str, list[float]] = {}  # CPU seconds per row, one per run, in round order

    def checked(self, stored: list[int], expected: int, who: str) -> None:
        """Every row a run counted as done is in the server's store: nothing lost or doubled."""
        if stored != [expected]:
            raise SystemExit(f"{who}: the server stored {stored} documents, expected {expected}")

    def script(self, name: str, script: str, *args: str) -> float:
        stored: list[int] = []
        with served(stored=stored) as base:
            elapsed, rss, out, cpu = run(
                [sys.executable, "-c", script, str(self.rows), base, *args], {}, KEY + "\n"
            )
        tally = json.loads(out)
        self.checked(stored, tally["ok"], name)
        self.cpu.setdefault(name, []).append(cpu / self.n)
        for key in self.lost:
            self.lost[key] += tally[key]
        self.rss.setdefault(name, []).append(rss)
        return float(tally["ok"]) / elapsed

    def cli(self, db: str = ":memory:") -> float:
        """The CLI against a server storing in memory or, `db="file"`, in a fresh SQLite file."""
        self.runs += 1
        journal = self.tmp / f"journal{self.runs}.sqlite3"
        where = str(self.tmp / f"server{self.runs}.sqlite3") if db == "file" else db
        stored: list[int] = []
        with served(where, stored) as base:
            env = {"RAIA_AGENT_SECRET_KEY": KEY, "RAIA_AGENT_BASE_URL": base}
            elapsed, rss, _, cpu = run(import_command(self.rows, journal), env)
        self.checked(stored, self.n, f"the CLI ({db})")
        self.cpu.setdefault("cli" if db == ":memory:" else "cli, file db", []).append(cpu / self.n)
        self.rss.setdefault("cli", []).append(rss)
        return self.n / elapsed  # exit 0: every row confirmed

    def bare(self, kind: str) -> float:
        return self.script(f"bare {kind}", BARE, str(CONCURRENCY), kind)

    def ceiling(self) -> float:
        return self.script("ceiling", CEILING, str(CEILING_FLIGHT))


def compiled() -> None:
    """Write the bytecode of our packages, as installing the wheel does: a checkout run with
    PYTHONDONTWRITEBYTECODE would otherwise compile them again in every CLI run and charge the
    CLI's CPU figure with it, which the bare loop's installed dependencies never pay."""
    import compileall
    import importlib

    for package in ("raia_agent", "raia_agent_api", "raia_runtime", "raia_spec"):
        compileall.compile_dir(Path(str(importlib.import_module(package).__file__)).parent, quiet=1)


def import_rows() -> tuple[list[Row], str]:
    compiled()
    n = scaled(3_000, 300)
    rounds = scaled(ROUNDS, 2)
    same = fastest()
    with tempfile.TemporaryDirectory() as tmp:
        rows = Path(tmp) / "rows.jsonl"
        write_rows(rows, n)
        runner = Import(Path(tmp), rows, n)
        candidates = {
            "cli": runner.cli,
            "cli, file db": lambda: runner.cli("file"),
            "bare httpx": lambda: runner.bare("httpx"),
        }
        if AIOHTTP in available():
            candidates |= {"bare aiohttp": lambda: runner.bare(AIOHTTP), "ceiling": runner.ceiling}
        rates = interleaved(candidates, rounds=rounds)
        peaks = memory(Path(tmp), same)
    rows_out = [
        (f"rows/s, import {n} rows x{CONCURRENCY}: CLI / bare loop, same transport ({same})",
         ratio(rates, "cli", f"bare {same}"), ">= 0.9x"),
        (f"client CPU per row, import: CLI / bare loop ({same})",
         ratio(runner.cpu, "cli", f"bare {same}"), "<= 1.3x"),
        ("rows/s, import: CLI / bare loop on httpx's own pool", ratio(rates, "cli", "bare httpx"), "-"),
        ("rows/s, import: CLI against a file-DB server / against the in-memory one",
         ratio(rates, "cli, file db", "cli"), "-"),
    ]  # fmt: skip
    if "ceiling" in rates:
        rows_out.append((f"rows/s, import: CLI / server ceiling (raw aiohttp x{CEILING_FLIGHT})",
                         ratio(rates, "cli", "ceiling"), ">= 0.6x"))  # fmt: skip
    small, big = sorted(peaks)
    rows_out += [
        (f"peak RSS, import {big} rows: CLI / bare loop ({same})",
         f"{peaks[big]['cli'] / peaks[big]['bare']:.2f}x", "<= 1.1x"),
        (f"peak RSS, import {big} rows / {small} rows (CLI)",
         f"{peaks[big]['cli'] / peaks[small]['cli']:.2f}x", "<= 1.1x (flat)"),
    ]  # fmt: skip
    m = medians(rates)
    note = (
        "import (median rows/s): "
        + ", ".join(f"{name} {rate:.0f}" for name, rate in m.items())
        + f" ({n} rows, {rounds} rounds, fresh server per run); peak RSS MiB: "
        + ", ".join(
            f"{size} rows: CLI {p['cli'] / 1024:.0f}, bare {p['bare'] / 1024:.0f}"
            for size, p in peaks.items()
        )
        + "; every run's rows counted in the server's store"
        + f"; baselines over all runs: {runner.lost['bad_status']} bad statuses, {runner.lost['errors']} transport errors"
    )
    return rows_out, note


def memory(tmp: Path, kind: str) -> dict[int, dict[str, int]]:
    """Peak RSS (KiB) of one CLI import and one bare loop at each size: streaming keeps them flat."""
    peaks: dict[int, dict[str, int]] = {}
    for size in (scaled(5_000, 500), scaled(50_000, 5_000)):
        path = tmp / f"memory{size}.jsonl"
        write_rows(path, size)
        runner = Import(tmp, path, size)
        runner.runs = size  # distinct journal names
        runner.cli()
        runner.bare(kind)
        peaks[size] = {"cli": runner.rss["cli"][0], "bare": runner.rss[f"bare {kind}"][0]}
    return peaks
