"""`raia-agent feedback import`: stream a file of feedbacks to the API, resumably."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import (
    EXIT_INTERRUPTED,
    CLIError,
    Output,
    client_options,
    connection_options,
    fail,
    printable,
    setup_logging,
    take_connection,
)
from ._importer import Importer, Stats
from ._journal import CHANGED, Journal, JournalBusy, NewerJournal, NotAJournal, journal_problem
from ._progress import Reporter
from ._reader import BadFile, detect_format, records, scan
from ._rejects import Rejects
from ._rows import Row, rows

if TYPE_CHECKING:
    from .._client import AsyncRaia


async def _main(importer: Importer, rows: Iterator[Row], reporter: Reporter) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, importer.interrupt)
    reporting = asyncio.create_task(reporter.run())
    try:
        await importer.run(rows)
    finally:
        reporting.cancel()
        if importer.client is not None:
            await importer.client.aclose()


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "tsv"]),
    help="File format (default: by extension, .csv/.tsv, else JSONL).",
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
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate every row and count what would be sent; send and write nothing (rejects only with --rejects).",
)
@click.option(
    "--progress-interval",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.01),
    help="Seconds between progress lines when stdout is not a terminal.",
)
@connection_options
def import_(
    path: Path,
    fmt: str | None,
    concurrency: int,
    max_retries: int,
    journal: Path | None,
    rejects: Path | None,
    dry_run: bool,
    progress_interval: float,
    secret_key_file: Path | None,
    base_url: str | None,
    debug: bool,
    **connection: Any,
) -> None:
    """Import feedbacks from a JSONL, CSV or TSV file; rerun the same command to resume."""
    setup_logging(debug)
    previous = signal.getsignal(signal.SIGTERM)
    _terminate_as_interrupt()
    journal_path = journal or path.with_name(path.name + ".journal.sqlite3")
    keep_rejects = rejects is not None or not dry_run  # a dry run writes rejects only when asked
    rejects = rejects or path.with_name(path.name + ".rejects.jsonl")
    ledger: Journal | None = None
    try:
        try:
            _check_input(path)
            _check_paths(path, journal_path, rejects)
            spec_options = (
                None
                if dry_run
                else client_options(secret_key_file, take_connection(connection), _operation())
            )
            ledger = _open_journal(path, journal_path, dry_run)
        except (CLIError, ValueError, TypeError, OSError) as exc:
            fail(exc, debug)
        try:
            code = _run(
                ledger, path, fmt, spec_options, base_url, max_retries, concurrency,
                rejects if keep_rejects else None, progress_interval, dry_run,
            )  # fmt: skip
        except (CLIError, BadFile, sqlite3.Error, OSError, ValueError, TypeError) as exc:
            error = exc if isinstance(exc, CLIError) else CLIError(_describe(exc, journal_path))
            if error is not exc:
                error.__cause__ = exc  # --debug shows the original traceback
            fail(error, debug)
    except KeyboardInterrupt:
        click.echo("interrupted: rerun the same command to resume", err=True)
        code = EXIT_INTERRUPTED
    finally:
        if ledger is not None:
            with contextlib.suppress(sqlite3.Error, OSError):
                ledger.close()
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)
    sys.exit(code)


def _operation() -> Any:
    """The description of the operation each row is sent to."""
    from raia_agent_api.resources._operations import OPERATIONS

    from ._fields import OPERATION

    return OPERATIONS[OPERATION]


def _terminate_as_interrupt() -> None:
    """SIGTERM outside the send loop (reading the file, opening the journal) ends the run as
    Ctrl-C does: one line, exit 130; inside it, the loop's own handlers take over."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread (a test runner): leave it
        signal.signal(signal.SIGTERM, interrupt)


def _check_input(path: Path) -> None:
    """The file is read twice (a fingerprint, then the rows) and again at the end: a pipe, a FIFO
    or a device would be drained by the first pass and then wait for ever. Checked with stat,
    which never blocks, where open() on a FIFO waits for a writer."""
    if not path.is_file():
        raise CLIError(
            f"{path} is not a regular file (a pipe, FIFO or device): the import reads its input "
            "more than once to resume safely; save it to a file first and import that"
        )


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except RuntimeError:  # Python before 3.13 says so of a symlink loop (later ones raise OSError)
        raise CLIError(f"{path} is a symlink loop") from None


def _same(one: Path, other: Path) -> bool:
    if one.exists() and other.exists():
        return os.path.samefile(one, other)
    return _real(one) == _real(other)


def _check_paths(path: Path, journal: Path, rejects: Path) -> None:
    """Before anything is created, moved or deleted: no output may overwrite the input or each other."""
    for option, target in (("--journal", journal), ("--rejects", rejects)):
        if _same(path, target):
            raise CLIError(f"{option} {target} is the input file; give another path")
    # The files written beside them, too (SQLite's, the lock, the rejects being written).
    real = _real(journal)  # the journal opens, and locks, by its resolved path
    helpers = [real.with_name(real.name + end) for end in ("-wal", "-shm", "-journal", ".lock")]
    for helper in [*helpers, Rejects(rejects).partial or rejects]:
        if _same(path, helper):
            raise CLIError(f"the import would write {helper}, which is the input file; rename it")
    if _same(journal, rejects):
        raise CLIError(f"--journal and --rejects are the same file ({rejects}); give two paths")


def _open_journal(path: Path, journal_path: Path, dry_run: bool) -> Journal:
    try:
        return Journal(journal_path, read_only=dry_run)
    except NotAJournal as exc:
        raise CLIError(
            f"--journal {journal_path} is not an import journal: {exc}; it was left untouched. "
            "Give another path (or move that file away)"
        ) from None
    except NewerJournal as exc:
        raise CLIError(
            f"--journal {journal_path}: {exc}; it was left untouched. "
            "Import with that version, or give another path"
        ) from None
    except JournalBusy as exc:
        raise CLIError(
            f"{path} is already being imported (another run holds {exc}); "
            "wait for it to finish or stop it, then rerun"
        ) from None
    except sqlite3.Error as exc:
        raise CLIError(f"cannot use the {journal_problem(journal_path, exc)}") from None


def _describe(exc: BaseException, journal_path: Path) -> str:
    if isinstance(exc, sqlite3.Error):
        return journal_problem(journal_path, exc)
    return str(exc)


def _run(
    ledger: Journal,
    path: Path,
    fmt: str | None,
    spec_options: dict[str, Any] | None,
    base_url: str | None,
    max_retries: int,
    concurrency: int,
    rejects: Path | None,
    progress_interval: float,
    dry_run: bool,
) -> int:
    from .._client import AsyncRaia

    fmt = detect_format(path, fmt)
    client = (
        None
        if spec_options is None
        else _sized(AsyncRaia)(concurrency, base_url=base_url, max_retries=max_retries, **spec_options)
    )
    stats = Stats(dry_run=dry_run)
    rejected = Rejects(rejects)
    out = Output()
    lines, fingerprint = scan(path)
    if ledger.adopt(fingerprint):
        click.echo(
            printable(
                f"{path} changed since the journal was written: starting over, every row is sent again "
                "(safe: the upsert is idempotent)",
                lines=False,
            ),
            err=True,
        )
    total = max(lines - (1 if fmt != "jsonl" else 0), 0)
    importer = Importer(client, ledger, rejected, concurrency, stats)
    try:
        with Reporter(importer, total, out, progress_interval) as reporter:
            asyncio.run(_main(importer, rows(records(path, fmt)), reporter))
    finally:
        _terminate_as_interrupt()  # the loop's handlers are gone with it
        _finish_rejects(rejected, ledger, complete=not (stats.stopped or stats.interrupted or dry_run))
    _summary(stats, out, rejected.path if rejected.written else None, dry_run)
    if scan(path)[1] != fingerprint:
        ledger.put("fingerprint", CHANGED)  # the journal now describes no version of the file
        raise CLIError(
            f"{path} changed during the import: rows may have been read from two versions of it; "
            "rerun to import its current content (every row is sent again)"
        )
    return stats.exit_code()


def _sized(base: type[AsyncRaia]) -> Any:
    """`base` building its own pool once, with a connection per worker (none waits on the pool),
    rather than at the default size and then again (a connector and an SSL context for nothing)."""

    class Sized(base):  # type: ignore[valid-type,misc]  # a class given at run time
        def __init__(self, connections: int, **options: Any) -> None:
            self._connections = connections
            super().__init__(**options)

        def _own_pool(self, http_client: Any) -> None:
            self._size_pool(self._connections)

    Sized.__name__ = Sized.__qualname__ = base.__name__  # what messages and repr() call it
    return Sized


def _finish_rejects(rejected: Rejects, ledger: Journal, complete: bool) -> None:
    """Move this run's rejects into place; after a complete clean run remove the last run's file,
    but only if it is the very file an import of PATH wrote (never a file that is not ours)."""
    if rejected.path is None:
        return
    if rejected.close():
        if not rejected.direct:
            ledger.put("rejects", rejected.stamp())
    elif complete and rejected.path.is_file():
        if ledger.get("rejects") == rejected.stamp():
            rejected.path.unlink()
        else:
            click.echo(
                printable(f"note: left {rejected.path} alone: no import of this file wrote it"), err=True
            )


def _summary(stats: Stats, out: Output, rejects: Path | None, dry_run: bool) -> None:
    if stats.stopped:
        verb = "stopped"
    elif stats.interrupted:
        verb = "interrupted"
    else:
        verb = "validated (dry run, nothing sent)" if dry_run else "imported"
    out.line(f"{verb}: {stats.line()}")
    if stats.ignored:
        out.line(f"ignored column(s) not in the API: {', '.join(sorted(stats.ignored))}", lines=False)
    if rejects is not None and (stats.rejected or stats.failed):
        out.line(f"rejects: {rejects}", lines=False)
    elif dry_run and stats.rejected:
        out.line("rejects: not written in a dry run; add --rejects PATH to keep them", lines=False)
    if stats.fatal is not None:
        resume = " (rerun the same command to resume)" if getattr(stats.fatal, "resumable", True) else ""
        message = f"error: stopped: {stats.fatal}{resume}"
    elif stats.stdout_closed:
        message = "error: stopped: stdout was closed (rerun the same command to resume)"
    elif stats.interrupted:
        message = "interrupted: rerun the same command to resume"
    else:
        return
    click.echo(printable(message, lines=False), err=True)
