"""Bench rows for `raia-agent feedback import`: throughput against a bare httpx loop, and memory."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tools.bench import KEY, serve

RAIA_AGENT = str(Path(sys.executable).parent / "raia-agent")
CONCURRENCY = 32

# The bare loop: the same rows, the same concurrency, no validation, retries or journal.
BARE = """
import asyncio, json, sys, httpx
async def main(path, base, key, concurrency):
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers={"Agent-Secret-Key": key}, limits=limits) as client:
        with open(path) as handle:
            async def worker():
                for line in handle:
                    (await client.post("/external/conversation-message-feedbacks", json=json.loads(line))).json()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
asyncio.run(main(*sys.argv[1:4], int(sys.argv[4])))
"""


def write_rows(path: Path, n: int) -> None:
    with path.open("w") as handle:
        for i in range(n):
            row = {"conversationMessageId": str(uuid.uuid4()), "userId": str(uuid.uuid4()), "voteType": "up",
                   "question": f"question {i}", "answer": "an answer"}  # fmt: skip
            handle.write(json.dumps(row) + "\n")


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        raise SystemExit(f"{cmd[0]} failed with {proc.returncode}")
    return elapsed, usage.ru_maxrss


def import_rows() -> list[tuple[str, str, str]]:
    big = int(os.environ.get("BENCH_MEMORY_ROWS", "100000"))
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=serve, args=(child,), daemon=True)
    proc.start()
    base = parent.recv()
    env = {"RAIA_AGENT_SECRET_KEY": KEY, "RAIA_AGENT_BASE_URL": base}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = Path(tmp) / "rows.jsonl"
            write_rows(rows, 10_000)
            bare, cli = [], []
            for attempt in range(2):
                bare.append(run([sys.executable, "-c", BARE, str(rows), base, KEY, str(CONCURRENCY)], env)[0])
                journal = Path(tmp) / f"j{attempt}.sqlite3"
                cli.append(run([RAIA_AGENT, "feedback", "import", str(rows), "--concurrency", str(CONCURRENCY),
                                "--journal", str(journal)], env)[0])  # fmt: skip
            small_rss = run([RAIA_AGENT, "feedback", "import", str(rows), "--concurrency", str(CONCURRENCY),
                             "--journal", str(Path(tmp) / "m1.sqlite3")], env)[1]  # fmt: skip
            large = Path(tmp) / "large.jsonl"
            write_rows(large, big)
            large_rss = run([RAIA_AGENT, "feedback", "import", str(large), "--concurrency", str(CONCURRENCY),
                             "--journal", str(Path(tmp) / "m2.sqlite3")], env)[1]  # fmt: skip
    finally:
        parent.send("stop")
        proc.join(10)
    ratio = min(bare) / min(cli)
    return [
        (f"rows/s, import 10k rows x{CONCURRENCY}: CLI / bare httpx loop", f"{ratio:.2f}x", ">= 0.9x"),
        (f"peak RSS, import {big // 1000}k rows / 10k rows", f"{large_rss / small_rss:.2f}x", "<= 1.2x"),
    ]
