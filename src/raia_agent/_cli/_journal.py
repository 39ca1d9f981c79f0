"""The import journal: rows the server confirmed, so a rerun sends only what is left.

It also keeps "the last row in the file for a pair wins" across runs: a row is superseded, and
never sent again, once a later row for the same (message, user) pair is confirmed. One import
at a time holds a journal, through an OS lock the kernel releases however the process ends.

A journal carries a mark (SQLite's application_id) set when it is created, and any other file,
SQLite database or not, is refused before anything opens it, so that `--journal` naming someone's
database never changes a byte of it.

A journal written by a newer raia-agent (a higher user_version) is refused untouched too, rather
than rebuilt in this version's schema. The lock and the database go by the resolved path, so a
journal named through a symlink or `..` is the same journal.

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

from .. import _marked

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
    "CREATE INDEX IF NOT EXISTS confirmed_by_feedback ON confirmed (feedback_id)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
APPLICATION_ID = 0x52414941  # "RAIA": the mark in the database header that says "an import journal"
CHANGED = "changed during an import"  # a fingerprint no file has


class JournalBusy(Exception):
    """Another import holds this journal (the message is the lock's path)."""


NotAJournal = _marked.NotOurs
"""The file exists and is not an import journal; it was not touched."""
NewerJournal = _marked.TooNew
"""The journal was written by a newer raia-agent; it was not touched."""


def check_mark(path: Path) -> bool:
    """True if `path` is a journal, False if there is nothing there yet; NotAJournal or
    NewerJournal otherwise (see raia_agent._marked)."""
    return _marked.check(path, APPLICATION_ID, VERSION, "an import journal")


def lock_path(journal: Path) -> Path:
    """The file whose OS lock says "an import holds this journal": beside the resolved journal."""
    resolved = journal.resolve()
    return resolved.with_name(resolved.name + ".lock")


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


def damaged(exc: BaseException) -> bool:
    """Whether SQLite refused the journal as damaged, which no rerun heals."""
    return getattr(exc, "sqlite_errorname", "") in {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


def journal_problem(path: Path, exc: BaseException) -> str:
    """What to tell of a journal SQLite refused."""
    hint = "; it is damaged: move it away and rerun (the rows it confirmed are sent again, as updates)"
    return f"journal {path}: {exc}{hint if damaged(exc) else ''}"


class Journal:
    """Confirmations are committed in small batches: a crash loses at most the last batch,
    whose rows are then sent again, which the idempotent upsert makes harmless."""

    def __init__(self, path: Path, batch: int = 200, interval: float = 0.5, read_only: bool = False) -> None:
        """Open or create the journal at `path`; with `read_only` (a dry run) create, lock and
        write nothing: a missing journal reads as empty."""
        # Everything goes by the resolved path, the lock above all: a second import naming this
        # journal through a symlink or `..` must meet the same lock file.
        path = path.resolve()
        self.path, self.read_only = path, read_only
        self._stale = False  # read-only, for other content: every row reads as unconfirmed
        exists = check_mark(path)
        if read_only:
            self._lock = None
            uri = f"{path.as_uri()}?mode=ro&immutable=1" if exists else "file::memory:"
            self._db = sqlite3.connect(uri, uri=True)
            if not exists:
                for statement in _SCHEMA:
                    self._db.execute(statement)
        else:
            self._lock = _Lock(lock_path(path))
            try:
                check_mark(path)  # again, now that no other import can be creating it
                self._db = sqlite3.connect(path)
                try:
                    self._create()
                except BaseException:
                    self._db.close()
                    raise
            except BaseException:
                self._lock.release()
                raise
        self._pending = 0
        self._batch, self._interval = batch, interval
        # The highest line confirmed: a row past it is neither confirmed nor superseded, which spares
        # a new import's every row (read in file order, after all it confirms) the two lookups.
        self._last_line = int(self._db.execute("SELECT coalesce(max(line), 0) FROM confirmed").fetchone()[0])
        self._last_commit = time.monotonic()

    def _create(self) -> None:
        # Read before anything is written: a newer version's header can still be in the -wal file.
        found = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        _marked.check_version(found, VERSION)
        # The mark goes in before WAL mode, so that it is in the main file's header at once
        # (in WAL mode it could wait in the -wal file for a checkpoint a crash never runs).
        self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if found < VERSION:
            self._db.execute("DROP TABLE IF EXISTS confirmed")
            self._db.execute("DROP TABLE IF EXISTS meta")
        for statement in _SCHEMA:
            self._db.execute(statement)
        self._db.execute(f"PRAGMA user_version = {VERSION}")
        self._db.commit()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")

    def get(self, key: str) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def put(self, key: str, value: str) -> None:
        if self.read_only:
            return
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        self._db.commit()

    def adopt(self, fingerprint: str) -> bool:
        """Bind the journal to this file content; True if confirmations for other content were dropped."""
        if self.get("fingerprint") == fingerprint:
            return False
        stale = self.count() > 0
        if self.read_only:
            self._stale = True
            return stale
        self._db.execute("DELETE FROM confirmed")
        self._last_line = 0
        self.put("fingerprint", fingerprint)
        return stale

    def status(self, line: int, digest: str, pair: tuple[str, str]) -> Literal["confirmed", "superseded", ""]:
        if self._stale or line > self._last_line:
            return ""
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
        if line > self._last_line:
            self._last_line = line
        self._pending += 1
        if self._pending >= self._batch or time.monotonic() - self._last_commit > self._interval:
            self.commit()

    def pair_of(self, feedback_id: str) -> tuple[str, str] | None:
        """The pair a confirmed row with this feedback id was sent for, if any."""
        found = self._db.execute(
            "SELECT message, user FROM confirmed WHERE feedback_id = ? LIMIT 1", (feedback_id,)
        ).fetchone()
        return None if found is None else (str(found[0]), str(found[1]))

    def commit(self) -> None:
        if self.read_only:
            return
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
            if self._lock is not None:
                self._lock.release()
