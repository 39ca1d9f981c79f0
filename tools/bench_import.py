"""Bench rows for `raia-agent feedback import`: throughput against the fairest bare loop, and memory.

The bare loop is what a user would write instead of the command: the same file read line by
line, the same concurrency and the same connection pool (one connection per worker, as the
import sizes its pool), every status checked and every transport error counted instead of
crashing the run. It has no validation, retries or journal. Each run, of either, gets a fresh
server and database; the order alternates between rounds.
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

from tools.bench import KEY, PATH, Row, interleaved, medians
from tools.bench_e2e import served

RAIA_AGENT = str(Path(sys.executable).parent / "raia-agent")
CONCURRENCY = 16  # the command's default
ROWS = 3_000
ROUNDS = 5

BARE = """
import asyncio, json, sys, httpx
async def main(path, base, concurrency):
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    tally = {"ok": 0, "bad_status": 0, "errors": 0}
    headers = {"Agent-Secret-Key": sys.stdin.readline().strip()}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
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
asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
""".replace("PATH", repr(PATH))


def write_rows(path: Path, n: int) -> None:
    with path.open("w") as handle:
        for i in range(n):
            row = {"conversationMessageId": str(uuid.uuid4()), "userId": str(uuid.uuid4()), "voteType": "up",
                   "question": f"question {i}", "answer": "an answer"}  # fmt: skip
            handle.write(json.dumps(row) + "\n")


def run(cmd: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, int, str]:
    """Wall time, peak RSS (KiB) and stdout of one child process that must succeed."""
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
    return elapsed, usage.ru_maxrss, out


def import_command(rows: Path, journal: Path) -> list[str]:
    return [RAIA_AGENT, "feedback", "import", str(rows), "--concurrency", str(CONCURRENCY),
            "--journal", str(journal), "--rejects", str(journal.with_suffix(".rejects.jsonl"))]  # fmt: skip


def import_rows() -> tuple[list[Row], str]:
    with tempfile.TemporaryDirectory() as tmp:
        rows = Path(tmp) / "rows.jsonl"
        write_rows(rows, ROWS)
        lost = {"ok": 0, "bad_status": 0, "errors": 0}
        runs = {"journal": 0}
        small_rss: list[int] = []

        def bare() -> float:
            with served() as base:
                elapsed, _, out = run(
                    [sys.executable, "-c", BARE, str(rows), base, str(CONCURRENCY)], {}, KEY + "\n"
                )
            tally = json.loads(out)
            for key in lost:
                lost[key] += tally[key]
            return float(tally["ok"]) / elapsed

        def cli() -> float:
            runs["journal"] += 1
            journal = Path(tmp) / f"journal{runs['journal']}.sqlite3"
            with served() as base:
                env = {"RAIA_AGENT_SECRET_KEY": KEY, "RAIA_AGENT_BASE_URL": base}
                elapsed, rss, _ = run(import_command(rows, journal), env)
            small_rss.append(rss)
            return ROWS / elapsed  # exit 0: every row confirmed

        rates = medians(interleaved({"bare": bare, "cli": cli}, rounds=ROUNDS))
        big, large_rss = memory(Path(tmp))
    rows_out = [
        (f"rows/s, import {ROWS // 1000}k rows x{CONCURRENCY}: CLI / fair bare httpx loop",
         f"{rates['cli'] / rates['bare']:.2f}x", ">= 0.95x"),
        (f"peak RSS, import {big // 1000}k rows / {ROWS // 1000}k rows", f"{large_rss / max(small_rss):.2f}x", "<= 1.2x"),
    ]  # fmt: skip
    note = (
        f"import: bare loop {rates['bare']:.0f} rows/s, CLI {rates['cli']:.0f} rows/s "
        f"(pool and concurrency {CONCURRENCY}; fresh server per run; {ROUNDS} rounds, alternating); "
        f"bare loop over all runs: {lost['bad_status']} bad statuses, {lost['errors']} transport errors"
    )
    return rows_out, note


def memory(tmp: Path) -> tuple[int, int]:
    """Peak RSS of one import of BENCH_MEMORY_ROWS rows: streaming keeps it at that of ROWS rows."""
    big = int(os.environ.get("BENCH_MEMORY_ROWS", str(10 * ROWS)))
    large_rows = tmp / "large.jsonl"
    write_rows(large_rows, big)
    with served() as base:
        env = {"RAIA_AGENT_SECRET_KEY": KEY, "RAIA_AGENT_BASE_URL": base}
        return big, run(import_command(large_rows, tmp / "large.sqlite3"), env)[1]
