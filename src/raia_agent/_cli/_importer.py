"""The import engine: rows in file order to a pool of workers, every outcome journaled or recorded.

Guarantees: every row read ends as sent, rejected or failed, unless the import stops (a signal,
a fatal error, stdout closed), in which case the rest is left for a rerun; no exception kills a
worker; and the producer cannot wait for ever on a queue nobody reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .._client import AsyncRaia
from .._exceptions import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    PermissionDeniedError,
    RaiaError,
)
from ._common import EXIT_INTERRUPTED, EXIT_OK, EXIT_ROWS_FAILED, EXIT_STDOUT_CLOSED, CLIError, exit_code
from ._fields import MISSING, UPSERT_KEY, bound, echoed, json_to_python
from ._journal import Journal, damaged, journal_problem
from ._rejects import Rejects
from ._rows import Row


@dataclass
class Stats:
    dry_run: bool = False
    rows: int = 0
    skipped: int = 0
    superseded: int = 0
    valid: int = 0  # a dry run's rows that would be sent
    sent: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    failed: int = 0
    ignored: set[str] = field(default_factory=set)
    fatal: BaseException | None = None
    stdout_closed: bool = False
    interrupted: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        return self.skipped + self.superseded + self.valid + self.sent + self.rejected + self.failed

    @property
    def stopped(self) -> bool:
        return self.fatal is not None or self.stdout_closed

    def rate(self) -> float:
        return self.sent / max(time.monotonic() - self.started, 1e-9)

    def line(self) -> str:
        if self.dry_run:
            return (
                f"{self.done} rows read: {self.valid} valid and would be sent, "
                f"{self.skipped} already confirmed, {self.superseded} superseded, {self.rejected} rejected; "
                f"{time.monotonic() - self.started:.1f}s"
            )
        return (
            f"{self.done} rows done: {self.sent} sent ({self.created} created, {self.updated} updated), "
            f"{self.skipped} already confirmed, {self.superseded} superseded, {self.rejected} rejected, "
            f"{self.failed} failed; {time.monotonic() - self.started:.1f}s, {self.rate():.0f} rows/s"
        )

    def exit_code(self) -> int:
        if self.fatal is not None:
            return exit_code(self.fatal)
        if self.stdout_closed:
            return EXIT_STDOUT_CLOSED
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_ROWS_FAILED if self.rejected or self.failed else EXIT_OK


class Importer:
    def __init__(
        self, client: AsyncRaia | None, journal: Journal, rejects: Rejects, concurrency: int, stats: Stats
    ) -> None:
        self.client, self.journal, self.rejects = client, journal, rejects
        self.concurrency, self.stats = concurrency, stats
        self.stop = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._pair_locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}
        self._python_names = json_to_python()

    # -- stopping ------------------------------------------------------------------------------

    def halt(self, exc: BaseException) -> None:
        """Stop sending: every later row would fail the same way. A rerun resumes."""
        if self.stats.fatal is None:
            self.stats.fatal = exc
        self.stop.set()

    def journal_failed(self, exc: sqlite3.Error) -> None:
        self.halt(CLIError(journal_problem(self.journal.path, exc), resumable=not damaged(exc)))

    def stdout_closed(self) -> None:
        self.stats.stdout_closed = True
        self.stop.set()

    def interrupt(self) -> None:
        """First signal: send nothing new, let requests in flight finish and be journaled.
        Second: abandon those too."""
        if self.stats.interrupted:
            for task in self._workers:
                task.cancel()
            return
        self.stats.interrupted = True
        self.stop.set()
        in_flight = sum(users for _lock, users in self._pair_locks.values())
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(
                f"stopping: waiting for {in_flight} row(s) in flight to finish (again to abandon them)\n"
            )
            sys.stderr.flush()

    # -- producing -----------------------------------------------------------------------------

    def take(self, row: Row) -> bool:
        """Account for a row that needs no request; True if it must be sent."""
        self.stats.rows += 1
        self.stats.ignored.update(row.ignored)
        if row.body is None:
            self.stats.rejected += 1
            self._record(row.line, "invalid", row.reason, row.raw)
            return False
        status = self.journal.status(row.line, row.digest, row.pair)
        if status == "confirmed":
            self.stats.skipped += 1
        elif status == "superseded":
            self.stats.superseded += 1
        elif self.client is None:
            self.stats.valid += 1
        else:
            return True
        return False

    async def run(self, rows: Iterator[Row]) -> None:
        queue: asyncio.Queue[Row | None] = asyncio.Queue(maxsize=self.concurrency * 2)
        self._workers = [asyncio.create_task(self._worker(queue)) for _ in range(self.concurrency)]
        for task in self._workers:
            task.add_done_callback(lambda _task: self._worker_exited(queue))
        try:
            for count, row in enumerate(rows):
                if self.stop.is_set():
                    break
                if self.take(row):
                    await queue.put(row)
                elif count % 256 == 0:
                    await asyncio.sleep(0)  # long runs of skipped rows still let signals in
        finally:
            for task in self._workers:
                if not task.done():
                    await queue.put(None)
            await asyncio.gather(*self._workers, return_exceptions=True)

    def _worker_exited(self, queue: asyncio.Queue[Row | None]) -> None:
        # With every worker gone nobody reads the queue: stop, and empty it so a producer
        # waiting in put() wakes up and sees the stop.
        if all(task.done() for task in self._workers):
            self.stop.set()
            while not queue.empty():
                queue.get_nowait()

    # -- sending -------------------------------------------------------------------------------

    async def _worker(self, queue: asyncio.Queue[Row | None]) -> None:
        while (row := await queue.get()) is not None:
            if self.stop.is_set():
                continue  # drain: rows not started are left for the rerun
            try:
                await self._send_in_order(row)
            except sqlite3.Error as exc:  # the journal cannot be read: every later row would fail alike
                self.journal_failed(exc)
            except Exception as exc:  # a bug or an unmapped error fails this row only
                self._fail(row, f"{type(exc).__name__}: {exc}", None)

    async def _send_in_order(self, row: Row) -> None:
        # Rows for the same pair are sent one after another, in file order, so the last row in
        # the file is the one the API keeps. A row that fails does not hold back later rows for
        # its pair: they win anyway, and once one is confirmed the journal marks the failed row
        # superseded, so a rerun never sends it after them.
        lock, users = self._pair_locks.get(row.pair) or (asyncio.Lock(), 0)
        self._pair_locks[row.pair] = (lock, users + 1)
        try:
            async with lock:
                if not self.stop.is_set():
                    await self._send(row)
        finally:
            lock, users = self._pair_locks[row.pair]
            if users == 1:
                del self._pair_locks[row.pair]
            else:
                self._pair_locks[row.pair] = (lock, users - 1)

    async def _send(self, row: Row) -> None:
        assert self.client is not None and row.body is not None
        try:
            if row.request is not None and row.request.op.body_media is None:
                # the bytes checked when the row was read: the client neither checks nor encodes again
                feedback = (await self.client._send_prepared(row.request.op, row.request)).parsed
            else:  # a form, whose files the client reads per call: the arguments, checked again
                params = {self._python_names.get(key, key): value for key, value in row.body.items()}
                feedback = await bound(self.client)(**params)
        except (PermissionDeniedError, AuthenticationError, APIConnectionError) as exc:
            self.halt(exc)
            return
        except RaiaError as exc:
            self._fail(row, str(exc), exc.status_code if isinstance(exc, APIStatusError) else None)
            return
        wrong = self._wrong_echo(row, feedback)
        if wrong:
            self._fail(row, f"not confirmed: {wrong}", None)
            return
        created = feedback.created_at == feedback.updated_at
        try:
            # lower case, as _wrong_echo looks it up; the journal is the only record of the ids
            # confirmed (this run's too), so memory stays flat however many rows the file has
            self.journal.confirm(row.line, row.digest, row.pair, str(feedback.id).lower(), created)
        except sqlite3.Error as exc:  # a journal that cannot record must stop the import
            self.journal_failed(exc)
        except Exception as exc:
            self.halt(exc)
        self.stats.sent += 1
        if created:
            self.stats.created += 1
        else:
            self.stats.updated += 1

    def _wrong_echo(self, row: Row, feedback: Any) -> str:
        """Why the response is not for this row ("" when it is): it must echo the upsert key as
        sent (every part of it the response carries), and its feedback id must not be one
        confirmed for another pair (a server answering every row with the same feedback)."""
        values = [echoed(feedback, name) for name in UPSERT_KEY]  # only the fields compared, not to_dict()
        if all(value is MISSING for value in values):
            return f"the response echoes none of {', '.join(UPSERT_KEY)}, so it may be for another row"
        for name, value, sent in zip(UPSERT_KEY, values, row.pair, strict=True):
            if value is not MISSING and str(value).lower() != sent:
                return f"the response is for {name} {str(value)[:80]!r}, this row has {sent!r}"
        found = echoed(feedback, "id")
        feedback_id = "" if found is MISSING else str(found).lower()
        other = self.journal.pair_of(feedback_id)  # this run's confirmations included (same connection)
        if feedback_id and other is not None and other != row.pair:
            return f"the response's feedback id {feedback_id[:80]!r} was confirmed for another row's {UPSERT_KEY}"
        return ""

    def _fail(self, row: Row, reason: str, status: int | None) -> None:
        self.stats.failed += 1
        self._record(row.line, "failed", reason, row.body, status=status)

    def _record(self, line: int, kind: str, reason: str, row: Any, **extra: Any) -> None:
        try:
            self.rejects.write(line, kind, reason, row, **extra)
        except Exception as exc:  # e.g. a full disk: stop rather than lose rejects
            self.halt(exc)
