"""SQLite files raia-agent writes (the import journal, the local server's database) carry a mark, and
anything else is refused before SQLite opens it.

The mark is SQLite's application_id, one per kind of file, and the schema version is its
user_version; both sit in the 100-byte database header, read here with plain file reads: SQLite
would create -wal/-shm files, or roll back a hot journal of someone else's database, just by
opening it. A file written by a newer version is refused too, rather than rewritten into the
older schema.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

_HEADER = b"SQLite format 3\x00"
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


class NotOurs(ValueError):
    """The file exists and is not one of ours (the message says why); it was not touched."""


class TooNew(ValueError):
    """The file is ours but written by a newer raia-agent; it was not touched."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"it was written by a newer raia-agent (version {found}; this one knows up to {known})"
        )
        self.found, self.known = found, known


def check(path: Path, application_id: int, version: int, what: str) -> bool:
    """True if `path` is a file of this kind, False if there is nothing there yet (absent or empty);
    NotOurs or TooNew otherwise. `what` names the kind in messages ("an import journal")."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever.
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise NotOurs(f"cannot read it: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotOurs("it is not a regular file (a FIFO, a device or a directory)")
        header = os.read(fd, 100)
    except OSError as exc:
        raise NotOurs(f"cannot read it: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if not header:
        return False  # an empty file is an empty database: there is nothing to lose
    if len(header) < 100 or not header.startswith(_HEADER):
        raise NotOurs("it is not a SQLite database")
    if int.from_bytes(header[68:72], "big") != application_id:
        raise NotOurs(f"it is a SQLite database, but not {what} (it lacks the mark raia-agent puts in them)")
    check_version(int.from_bytes(header[60:64], "big", signed=True), version)
    _check_wal_version(path, version)
    return True


def check_version(found: int, known: int) -> None:
    """TooNew if a file's user_version is above the one this code writes."""
    if found > known:
        raise TooNew(found, known)


def _check_wal_version(path: Path, known: int) -> None:
    # In WAL mode a newer header can wait in the -wal file (another process has the file open, or
    # crashed); without a -wal file the main header is the whole truth. Read through a read-only
    # connection: a writable one checkpoints on close, rewriting the main file.
    if not path.with_name(path.name + "-wal").exists():
        return
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise NotOurs(f"cannot read it: {exc}") from None
    finally:
        db.close()
    check_version(found, known)
