"""SQLite storage of documented bodies as JSON: one row per (collection, identity).

No column names a field, so a request field the spec adds is stored and echoed with no edit.
A database file carries the server's mark, and any other file is refused untouched (raia_agent._marked).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from raia_agent_api._facts import TIMESTAMPS

from .. import _marked

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    collection TEXT NOT NULL,
    identity TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (collection, identity)
)
"""
# Uploaded files, by the id of the document their upload answered (one per form field).
_FILES = """
CREATE TABLE IF NOT EXISTS files (
    id TEXT NOT NULL,
    field TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (id, field)
)
"""
# The unique pair makes the upsert atomic in SQLite itself; the lock only serialises use of the one
# shared connection. The update time always moves forward, by a millisecond if the clock has not.
_UPSERT = """
INSERT INTO documents (id, collection, identity, body, created_at, updated_at)
VALUES (:id, :collection, :identity, :body, :now, :now)
ON CONFLICT (collection, identity) DO UPDATE SET
    body = excluded.body,
    updated_at = CASE WHEN excluded.updated_at > documents.updated_at THEN excluded.updated_at
                      ELSE strftime('%Y-%m-%dT%H:%M:%fZ', documents.updated_at, '+0.001 seconds') END
RETURNING id, body, created_at, updated_at
"""
_UPDATE = """
UPDATE documents SET
    body = :body,
    updated_at = CASE WHEN :now > updated_at THEN :now
                      ELSE strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+0.001 seconds') END
WHERE collection = :collection AND id = :id
RETURNING id, body, created_at, updated_at
"""
# The mark of a database this server made (see raia_agent._marked): "RAIS", the server's.
APPLICATION_ID = 0x52414953
VERSION = 1


def _check(path: Path) -> None:
    try:
        _marked.check(path, APPLICATION_ID, VERSION, "a local server database")
    except (_marked.NotOurs, _marked.TooNew) as exc:
        raise ValueError(_refusal(str(path), str(exc))) from None


def _refusal(path: str, why: str) -> str:
    return (
        f"{path} is not a database this local server can use: {why}; it was left untouched. "
        "Give another path, or a new one"
    )


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


def _now() -> str:
    # JavaScript's Date.toISOString(): millisecond precision, UTC, "Z".
    now = datetime.now(UTC)
    now -= timedelta(microseconds=now.microsecond % 1000)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Row:
    id: str
    body: dict[str, Any]
    created_at: str
    updated_at: str

    def record(self) -> dict[str, Any]:
        """The body as the API answers it: the stored fields, the id and the timestamps, named as
        spec/generator.yaml's server.timestamps says."""
        stamps = {TIMESTAMPS.get("created"): self.created_at, TIMESTAMPS.get("updated"): self.updated_at}
        return {**self.body, "id": self.id, **{k: v for k, v in stamps.items() if k}}


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file as the server keeps it: under the id its upload answered, as sent."""

    id: str
    field: str
    filename: str
    content_type: str
    content: bytes

    def __repr__(self) -> str:  # the bytes are the caller's data: their size only
        return f"StoredFile(id={self.id!r}, field={self.field!r}, filename={self.filename!r}, content_type={self.content_type!r}, size={len(self.content)})"


def _row(found: tuple[str, str, str, str]) -> Row:
    return Row(found[0], json.loads(found[1]), found[2], found[3])


class DocumentStore:
    def __init__(self, path: str = ":memory:") -> None:
        """Open or create the database at `path`; a file that is not one (someone's SQLite
        database, a text file, a FIFO) or one of a newer version is a ValueError, and untouched."""
        on_disk = path not in (":memory:", "")  # "" is SQLite's private temporary database
        if on_disk:
            _check(Path(path))
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        try:
            with self._lock:
                if on_disk:
                    self._mark(path)
                self._db.execute("PRAGMA journal_mode=WAL" if on_disk else "PRAGMA journal_mode=MEMORY")
                self._db.execute(_SCHEMA)
                self._db.execute(_FILES)
        except BaseException:
            self._db.close()
            raise

    def _mark(self, path: str) -> None:
        # Checked again through SQLite, in one write transaction: the file may have been created
        # since _check read it, and a newer version's header may still be in the -wal file.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            mark = self._db.execute("PRAGMA application_id").fetchone()[0]
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            used = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if mark != APPLICATION_ID and (mark or used):
                raise ValueError(
                    _refusal(path, "it was changed into another kind of database as it was opened")
                )
            try:
                _marked.check_version(version, VERSION)
            except _marked.TooNew as exc:
                raise ValueError(_refusal(path, str(exc))) from None
            if mark != APPLICATION_ID:
                # Before WAL mode, so that the mark is in the main file's header at once.
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._db.execute(f"PRAGMA user_version = {VERSION}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def upsert(self, collection: str, identity: str, body: dict[str, Any]) -> Row:
        """Create the document for `identity`, or replace its body; id and creation time stay."""
        params = {
            "id": str(uuid.uuid4()),
            "collection": collection,
            "identity": identity,
            "body": _dumps(body),
            "now": _now(),
        }
        with self._lock:
            return _row(self._db.execute(_UPSERT, params).fetchone())

    def get(self, collection: str, id_: str) -> Row | None:
        with self._lock:
            found = self._db.execute(
                "SELECT id, body, created_at, updated_at FROM documents WHERE collection = ? AND id = ?",
                (collection, id_),
            ).fetchone()
        return _row(found) if found else None

    def rows(self, collection: str | None = None) -> list[Row]:
        """In the order they were created, rows of the same millisecond too: an upsert updates its row
        in place and keeps its rowid, and a new row's rowid is above every existing one."""
        query = "SELECT id, body, created_at, updated_at FROM documents"
        args: tuple[str, ...] = ()
        if collection is not None:
            query, args = query + " WHERE collection = ?", (collection,)
        with self._lock:
            return [_row(found) for found in self._db.execute(query + " ORDER BY rowid", args)]

    def update(self, collection: str, id_: str, body: dict[str, Any]) -> Row | None:
        """Replace the body of the document `id_`; id, identity and creation time stay, update time moves."""
        with self._lock:
            found = self._db.execute(
                _UPDATE, {"collection": collection, "id": id_, "body": _dumps(body), "now": _now()}
            )
            row = found.fetchone()
        return _row(row) if row else None

    def delete(self, collection: str, id_: str) -> bool:
        """Remove the document `id_`; whether there was one."""
        with self._lock:
            gone = self._db.execute(
                "DELETE FROM documents WHERE collection = ? AND id = ?", (collection, id_)
            )
            return gone.rowcount > 0

    def put_file(self, file: StoredFile) -> None:
        """Keep an uploaded file (a second upload to the same id and field replaces it)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                (file.id, file.field, file.filename, file.content_type, file.content),
            )

    def file(self, id_: str, field: str | None = None) -> StoredFile | None:
        """The file uploaded with the answer `id_` (its field `field`, else the first), or None."""
        query = "SELECT id, field, filename, content_type, content FROM files WHERE id = ?"
        args: tuple[str, ...] = (id_,)
        if field is not None:
            query, args = query + " AND field = ?", (id_, field)
        with self._lock:
            found = self._db.execute(query + " ORDER BY rowid LIMIT 1", args).fetchone()
        return StoredFile(found[0], found[1], found[2], found[3], bytes(found[4])) if found else None

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def all(self) -> list[dict[str, Any]]:
        """Every stored document: the fields of its response body, the request's, id and timestamps."""
        return [row.record() for row in self.rows()]

    def close(self) -> None:
        with self._lock:
            self._db.close()


FeedbackStore = DocumentStore
"""The name this store had when it held feedbacks only."""
