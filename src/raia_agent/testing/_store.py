"""SQLite storage for feedbacks: one row per (conversation message, user)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    conversation_message_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    vote_type TEXT NOT NULL,
    question TEXT,
    answer TEXT,
    comment TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (conversation_message_id, user_id)
)
"""
# The unique pair makes the upsert atomic in SQLite itself; the lock only
# serialises use of the one shared connection.
_UPSERT = """
INSERT INTO feedback (id, conversation_message_id, user_id, vote_type, question, answer, comment,
                      created_at, updated_at)
VALUES (:id, :conversation_message_id, :user_id, :vote_type, :question, :answer, :comment, :now, :now)
ON CONFLICT (conversation_message_id, user_id) DO UPDATE SET
    vote_type = excluded.vote_type,
    question = excluded.question,
    answer = excluded.answer,
    comment = excluded.comment,
    updated_at = CASE WHEN excluded.updated_at > feedback.updated_at THEN excluded.updated_at
                      ELSE strftime('%Y-%m-%dT%H:%M:%fZ', feedback.updated_at, '+0.001 seconds') END
RETURNING id, conversation_message_id, vote_type, question, answer, comment, created_at, updated_at
"""


def _now() -> str:
    # JavaScript's Date.toISOString(): millisecond precision, UTC, "Z".
    now = datetime.now(UTC)
    now -= timedelta(microseconds=now.microsecond % 1000)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class FeedbackStore:
    def __init__(self, path: str = ":memory:") -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute(
                "PRAGMA journal_mode=WAL" if path != ":memory:" else "PRAGMA journal_mode=MEMORY"
            )
            self._db.execute(_SCHEMA)

    def upsert(self, body: dict[str, Any]) -> dict[str, Any]:
        params = {
            "id": str(uuid.uuid4()),
            "conversation_message_id": body["conversationMessageId"].lower(),
            "user_id": body["userId"].lower(),
            "vote_type": body["voteType"],
            "question": body["question"],
            "answer": body.get("answer"),
            "comment": body.get("comment"),
            "now": _now(),
        }
        with self._lock:
            row = self._db.execute(_UPSERT, params).fetchone()
        keys = (
            "id",
            "conversationMessageId",
            "voteType",
            "question",
            "answer",
            "comment",
            "createdAt",
            "updatedAt",
        )
        return dict(zip(keys, row, strict=True))

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM feedback").fetchone()[0])

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._db.execute("SELECT * FROM feedback ORDER BY created_at, id")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._db.close()
