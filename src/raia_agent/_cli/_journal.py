"""The import journal: rows the server confirmed, so a rerun sends only what is left."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS confirmed (
    line INTEGER PRIMARY KEY,
    digest TEXT NOT NULL,
    feedback_id TEXT NOT NULL,
    created INTEGER NOT NULL,
    confirmed_at REAL NOT NULL
)
"""


class Journal:
    """Confirmations are committed in small batches: a crash loses at most the last batch,
    whose rows are then sent again, which the idempotent upsert makes harmless."""

    def __init__(self, path: Path, batch: int = 200, interval: float = 0.5) -> None:
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.commit()
        self._pending = 0
        self._batch, self._interval = batch, interval
        self._last_commit = time.monotonic()

    def is_confirmed(self, line: int, digest: str) -> bool:
        row = self._db.execute("SELECT digest FROM confirmed WHERE line = ?", (line,)).fetchone()
        return row is not None and row[0] == digest

    def confirm(self, line: int, digest: str, feedback_id: str, created: bool) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO confirmed VALUES (?, ?, ?, ?, ?)",
            (line, digest, feedback_id, int(created), time.time()),
        )
        self._pending += 1
        if self._pending >= self._batch or time.monotonic() - self._last_commit > self._interval:
            self.commit()

    def commit(self) -> None:
        self._db.commit()
        self._pending = 0
        self._last_commit = time.monotonic()

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM confirmed").fetchone()[0])

    def close(self) -> None:
        self.commit()
        self._db.close()
