"""`raia-agent feedback import`: stream a file of feedbacks to the API, resumably."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .._client import AsyncRaia
from .._exceptions import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    PermissionDeniedError,
    RaiaError,
)
from .._validation import request_fields
from ._common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_ROWS_FAILED,
    connection_options,
    exit_code,
    fail,
    secret_key,
    setup_logging,
)
from ._journal import Journal
from ._rows import Row, count_rows, detect_format, read_rows


@dataclass
class Stats:
    rows: int = 0
    skipped: int = 0
    sent: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    failed: int = 0
    ignored: set[str] = field(default_factory=set)
    fatal: BaseException | None = None
    interrupted: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        return self.skipped + self.sent + self.rejected + self.failed

    def rate(self) -> float:
        return self.sent / max(time.monotonic() - self.started, 1e-9)

    def line(self) -> str:
        return (
            f"{self.done} rows done: {self.sent} sent ({self.created} created, {self.updated} updated), "
            f"{self.skipped} already confirmed, {self.rejected} rejected, {self.failed} failed; "
            f"{time.monotonic() - self.started:.1f}s, {self.rate():.0f} rows/s"
        )

    def exit_code(self) -> int:
        if self.fatal is not None:
            return exit_code(self.fatal)
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_ROWS_FAILED if self.rejected or self.failed else EXIT_OK


class Rejects:
    """The rejects file, opened on the first reject so a clean run leaves none behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None
        path.unlink(missing_ok=True)  # rejects describe the latest run only

    def write(self, line: int, kind: str, reason: str, row: Any, **extra: Any) -> None:
        if self._handle is None:
            self._handle = self.path.open("w", encoding="utf-8")
        record = {"line": line, "kind": kind, "reason": reason, **extra, "row": row}
        self._handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


class Importer:
    def __init__(
        self,
        client: AsyncRaia | None,
        journal: Journal,
        rejects: Rejects,
        concurrency: int,
        stats: Stats,
    ) -> None:
        self.client, self.journal, self.rejects = client, journal, rejects
        self.concurrency, self.stats = concurrency, stats
        self.stop = asyncio.Event()
        self._pair_locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}
        self._python_names = {json_name: py for py, json_name in request_fields().items()}

    def take(self, row: Row) -> bool:
        """Account for a row that needs no request; True if it must be sent."""
        self.stats.rows += 1
        self.stats.ignored.update(row.ignored)
        if row.body is None:
            self.stats.rejected += 1
            self.rejects.write(row.line, "invalid", row.reason, row.raw)
            return False
        if self.journal.is_confirmed(row.line, row.digest):
            self.stats.skipped += 1
            return False
        return self.client is not None

    async def run(self, rows: Iterator[Row]) -> None:
        queue: asyncio.Queue[Row | None] = asyncio.Queue(maxsize=self.concurrency * 2)
        workers = [asyncio.create_task(self._worker(queue)) for _ in range(self.concurrency)]
        try:
            for row in rows:
                if self.stop.is_set():
                    break
                if self.take(row):
                    await queue.put(row)
        finally:
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers)

    async def _worker(self, queue: asyncio.Queue[Row | None]) -> None:
        while (row := await queue.get()) is not None:
            if not self.stop.is_set():
                await self._send_in_order(row)

    async def _send_in_order(self, row: Row) -> None:
        # Rows for the same (message, user) are sent one after another, in file order,
        # so that the last row in the file is the one the API keeps.
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
        params = {self._python_names[key]: value for key, value in row.body.items()}
        try:
            feedback = await self.client.feedback.create_or_update(**params)
        except (PermissionDeniedError, AuthenticationError, APIConnectionError) as exc:
            # Every later row would fail the same way: stop, keep the journal, let a rerun resume.
            if self.stats.fatal is None:
                self.stats.fatal = exc
            self.stop.set()
        except RaiaError as exc:
            self.stats.failed += 1
            status = exc.status_code if isinstance(exc, APIStatusError) else None
            self.rejects.write(row.line, "failed", str(exc), row.body, status=status)
        else:
            created = feedback.created_at == feedback.updated_at
            self.journal.confirm(row.line, row.digest, str(feedback.id), created)
            self.stats.sent += 1
            if created:
                self.stats.created += 1
            else:
                self.stats.updated += 1


class Reporter:
    """A rich progress bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, stats: Stats, total: int, console: Console) -> None:
        self.stats, self.console = stats, console
        self.progress: Progress | None = None
        if console.is_terminal:
            self.progress = Progress(
                TextColumn("[bold]import"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} rows/s, {task.fields[bad]} rejected/failed"),
                TimeRemainingColumn(),
                console=console,
            )
            self.task = self.progress.add_task("import", total=total or None, rate="0", bad=0)

    def update(self) -> None:
        if self.progress is not None:
            bad = self.stats.rejected + self.stats.failed
            self.progress.update(
                self.task, completed=self.stats.done, rate=f"{self.stats.rate():.0f}", bad=bad
            )

    async def run(self) -> None:
        while True:
            if self.progress is not None:
                self.update()
                await asyncio.sleep(0.2)
            else:
                await asyncio.sleep(2.0)
                self.console.print(f"progress: {self.stats.line()}", highlight=False)

    def __enter__(self) -> Reporter:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.update()
            self.progress.stop()


async def _main(importer: Importer, rows: Iterator[Row], reporter: Reporter) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, _interrupt, importer)
    reporting = asyncio.create_task(reporter.run())
    try:
        await importer.run(rows)
    finally:
        reporting.cancel()
        if importer.client is not None:
            await importer.client.aclose()


def _interrupt(importer: Importer) -> None:
    # First Ctrl-C: send nothing new, let requests in flight finish and be journaled.
    importer.stats.interrupted = True
    importer.stop.set()


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), help="File format (default: by extension)."
)
@click.option("--concurrency", default=16, show_default=True, type=click.IntRange(1, 512))
@click.option(
    "--max-retries", default=5, show_default=True, type=click.IntRange(0, 50), help="Retries per row."
)
@click.option(
    "--journal", type=click.Path(dir_okay=False, path_type=Path), help="Default: PATH.journal.sqlite3"
)
@click.option(
    "--rejects", type=click.Path(dir_okay=False, path_type=Path), help="Default: PATH.rejects.jsonl"
)
@click.option("--dry-run", is_flag=True, help="Validate every row and report; send nothing.")
@connection_options
def import_(
    path: Path,
    fmt: str | None,
    concurrency: int,
    max_retries: int,
    journal: Path | None,
    rejects: Path | None,
    dry_run: bool,
    secret_key_file: Path | None,
    base_url: str | None,
    debug: bool,
) -> None:
    """Import feedbacks from a JSONL or CSV file; rerun the same command to resume."""
    setup_logging(debug)
    try:
        client = (
            None
            if dry_run
            else AsyncRaia(secret_key=secret_key(secret_key_file), base_url=base_url, max_retries=max_retries)
        )
    except (ValueError, TypeError, OSError) as exc:
        fail(exc, debug)
    fmt = detect_format(path, fmt)
    stats = Stats()
    ledger = Journal(journal or path.with_name(path.name + ".journal.sqlite3"))
    rejected = Rejects(rejects or path.with_name(path.name + ".rejects.jsonl"))
    console = Console(stderr=False)
    total = max(count_rows(path) - (1 if fmt == "csv" else 0), 0)
    importer = Importer(client, ledger, rejected, concurrency, stats)
    try:
        with Reporter(stats, total, console) as reporter:
            asyncio.run(_main(importer, read_rows(path, fmt), reporter))
    finally:
        ledger.close()
        rejected.close()
    verb = "validated (dry run, nothing sent)" if dry_run else "imported"
    click.echo(f"{verb}: {stats.line()}")
    if stats.ignored:
        click.echo(f"ignored column(s) not in the API: {', '.join(sorted(stats.ignored))}")
    if stats.rejected or stats.failed:
        click.echo(f"rejects: {rejected.path}")
    if stats.fatal is not None:
        click.echo(f"error: stopped: {stats.fatal} (rerun the same command to resume)", err=True)
    elif stats.interrupted:
        click.echo("interrupted: rerun the same command to resume", err=True)
    sys.exit(stats.exit_code())
