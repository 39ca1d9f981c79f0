"""`make bench`: the client's cost as ratios against the cheapest fair baseline, in one run.

Ratios, not seconds, so that results from different machines compare. Every pair is measured
in interleaved rounds whose order rotates, so that neither side always runs first, warm or
cold; the median of the rounds is kept.

    python -m tools.bench [--only percall,e2e,import,startup] [--write docs/performance.md]
    (BENCH_QUICK=1: small sizes)

Per-call figures use the CPU clock (time.process_time), throughput the wall clock; every ratio
is the median of per-round ratios with their range in brackets. Each part prints the load
average it ran under, since other processes share the cores; --write refuses above load 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tools.bench.common import load, quick
from tools.bench.report import MAX_LOAD, Line, table, too_loaded, write


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="percall,e2e,import,startup", help="comma-separated parts to run")
    parser.add_argument(
        "--write", type=Path, help=f"put the figures into this page (refused above load {MAX_LOAD:g})"
    )
    given = parser.parse_args()
    parts = given.only.split(",")
    rows: list[Line] = []
    notes: list[str] = []
    started = time.perf_counter()
    load_before = os.getloadavg()
    for part in parts:
        before = load()
        if part == "percall":
            from tools.bench.percall import percall_rows

            part_rows, note = percall_rows()
        elif part == "e2e":
            from tools.bench.e2e import e2e_rows

            part_rows, note = e2e_rows()
        elif part == "import":
            from tools.bench.bulk_import import import_rows

            part_rows, note = import_rows()
        elif part == "startup":
            from tools.bench.startup import startup_rows

            part_rows, note = startup_rows()
        else:
            raise SystemExit(f"unknown part {part!r}")
        # a part's figures carry the higher of the loads at its start and end
        taken = max(before, load())
        rows += [(*row, taken) for row in part_rows]
        notes.append(f"{note}\n  (load average {before:.1f} before this part, {load():.1f} after)")
    load_after = os.getloadavg()
    report = "\n\n".join(
        [
            table(rows),
            "```text\n" + "\n".join(notes) + "\n```",
            f"bench took {time.perf_counter() - started:.0f} s on {os.cpu_count()} CPUs; load average "
            f"(1 min) {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end"
            + (" (QUICK: small sizes, not for quoting)" if quick() else ""),
        ]
    )
    print(report)
    if given.write is None:
        return
    worst = too_loaded(rows)
    if quick() or worst is not None:
        why = (
            "QUICK figures are not for quoting"
            if quick()
            else f"a figure was taken at load {worst:.1f} > {MAX_LOAD:g}"
        )
        print(f"\nnot written to {given.write}: {why} (run `make bench` on a quiet machine)", file=sys.stderr)
        raise SystemExit(0 if quick() else 3)
    write(given.write, report)
    print(f"\nwritten to {given.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
