"""A line per finished step on stderr, with the step's time: long runs (make diff) show where they are.

stdout stays the tool's output alone (`make -s diff > report.md` holds just the report).
"""

from __future__ import annotations

import sys
import time


class Steps:
    """Report each step as `<prefix>: <what> (<seconds> s)` when it ends."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.last = time.perf_counter()

    def done(self, what: str) -> None:
        now = time.perf_counter()
        print(f"{self.prefix}: {what} ({now - self.last:.1f} s)", file=sys.stderr, flush=True)
        self.last = now
