"""The import journal: rows the server confirmed, so a rerun sends only what is left.

It also keeps "the last row in the file for a pair wins" across runs: a row is superseded, and
never sent again, once a later row for the same (message, user) pair is confirmed. One import
at a time holds a journal, through an OS lock the kernel releases however the process ends.

A journal is valid only for the exact file content it was written for: line numbers and "a later
row is confirmed" mean nothing in another version of the file. It stores the file's fingerprint,
and a run on different content discards every confirmation and starts over.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Literal

# Journals before 3 had no fingerprint, so nothing says which file they describe: they are started
# afresh (resending is harmless: the upsert is idempotent).
VERSION = 3

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS confirmed (
        line INTEGER PRIMARY KEY,
        digest TEXT NOT NULL,
        message TEXT NOT NULL,
        user TEXT NOT NULL,
        feedback_id TEXT NOT NULL,
        created INTEGER NOT NULL,
        confirmed_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS confirmed_by_pair ON confirmed (message, user, line)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
CHANGED = "changed during an import"  # a fingerprint no file has


class JournalBusy(Exception):
    """Another import holds this journal."""


class _Lock:
    """An exclusive, non-blocking lock on a file next to the journal, held until close or exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(self._fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            raise JournalBusy(str(path)) from None

    def release(self) -> None:
        # The file stays: removing it would let a third run lock a different inode.
        os.close(self._fd)


class Journal:
    """Confirmations are committed in small batches: a crash loses at most the last batch,
    whose rows are then sent again, which the idempotent upsert makes harmless."""

    def __init__(self, path: Path, batch: int = 200, interval: float = 0.5) -> None:
        self.path = path
        self._lock = _Lock(path.with_name(path.name + ".lock"))
        try:
            self._db = sqlite3.connect(path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            if self._db.execute("PRAGMA user_version").fetchone()[0] < VERSION:
                self._db.execute("DROP TABLE IF EXISTS confirmed")
                self._db.execute("DROP TABLE IF EXISTS meta")
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {VERSION}")
            self._db.commit()
        except BaseException:
            self._lock.release()
            raise
        self._pending = 0
        self._batch, self._interval = batch, interval
        self._last_commit = time.monotonic()

    def get(self, key: str) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def put(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        self._db.commit()

    def adopt(self, fingerprint: str) -> bool:
        """Bind the journal to this file content; True if confirmations for other content were dropped."""
        if self.get("fingerprint") == fingerprint:
            return False
        stale = self.count() > 0
        self._db.execute("DELETE FROM confirmed")
        self.put("fingerprint", fingerprint)
        return stale

    def status(self, line: int, digest: str, pair: tuple[str, str]) -> Literal["confirmed", "superseded", ""]:
        found = self._db.execute("SELECT digest FROM confirmed WHERE line = ?", (line,)).fetchone()
        if found is not None and found[0] == digest:
            return "confirmed"
        later = self._db.execute(
            "SELECT 1 FROM confirmed WHERE message = ? AND user = ? AND line > ? LIMIT 1", (*pair, line)
        ).fetchone()
        return "superseded" if later is not None else ""

    def confirm(self, line: int, digest: str, pair: tuple[str, str], feedback_id: str, created: bool) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO confirmed VALUES (?, ?, ?, ?, ?, ?, ?)",
            (line, digest, *pair, feedback_id, int(created), time.time()),
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
        try:
            self.commit()
            self._db.close()
        finally:
            self._lock.release()
