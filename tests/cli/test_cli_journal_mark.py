"""Issue 15 items 4 and 5: a journal is marked and nothing else is used as one; input must be a
regular file, refused up front otherwise; signals end the import in every state."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from raia_agent._cli._journal import APPLICATION_ID
from raia_agent.testing import LocalServer
from tests.support.cli_helpers import (
    RAIA_AGENT,
    confirmed_lines,
    env_for,
    popen,
    rows,
    run,
    run_inline,
    wait_for,
    write_jsonl,
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def someone_elses_database(path: Path) -> Path:
    """A SQLite file shaped like a journal (tables meta and confirmed, 1,000 rows) but not one."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE confirmed (line INTEGER PRIMARY KEY, digest TEXT)")
        db.executemany("INSERT INTO confirmed VALUES (?, ?)", [(i, f"row {i}") for i in range(1000)])
        db.execute("PRAGMA user_version = 2")
    return path


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_a_database_that_is_not_a_journal_is_refused_and_left_byte_for_byte(
    server: LocalServer, tmp_path: Path, dry_run: bool
) -> None:
    """--journal naming another SQLite database exits 2 naming it; the file, and its directory, are unchanged."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(5))
    theirs = someone_elses_database(tmp_path / "theirs.sqlite3")
    before, listing = digest(theirs), sorted(p.name for p in tmp_path.iterdir())
    result = run_inline(
        server, "feedback", "import", str(path), "--journal", str(theirs), *(["--dry-run"] * dry_run)
    )
    assert result.returncode == 2, result.stderr
    assert "is not an import journal" in result.stderr and "left untouched" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert digest(theirs) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing, "a lock, -wal or rejects file was created"
    assert server.requests_received == 0
    with sqlite3.connect(theirs) as db:
        assert db.execute("SELECT count(*) FROM confirmed").fetchone()[0] == 1000
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_file_that_is_not_sqlite_is_refused_too(server: LocalServer, tmp_path: Path) -> None:
    """--journal naming a text file exits 2 and leaves it as it was."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(3))
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a journal\n" * 10)
    before = digest(notes)
    result = run_inline(server, "feedback", "import", str(path), "--journal", str(notes))
    assert result.returncode == 2
    assert "not a SQLite database" in result.stderr
    assert digest(notes) == before


def test_a_journal_carries_the_mark_and_is_used_again(server: LocalServer, tmp_path: Path) -> None:
    """The journal an import writes has the mark in its header; a rerun accepts it and sends nothing again."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(20))
    assert run_inline(server, "feedback", "import", str(path)).returncode == 0
    journal = tmp_path / "in.jsonl.journal.sqlite3"
    assert int.from_bytes(journal.read_bytes()[68:72], "big") == APPLICATION_ID
    again = run_inline(server, "feedback", "import", str(path))
    assert again.returncode == 0, again.stderr
    assert "20 already confirmed" in again.stdout
    assert server.requests_received == 20


def test_a_dry_run_reads_an_existing_journal_without_writing_it(server: LocalServer, tmp_path: Path) -> None:
    """--dry-run after an import counts the confirmed rows and changes no file beside the input."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(10))
    assert run_inline(server, "feedback", "import", str(path)).returncode == 0
    state = {p.name: digest(p) for p in tmp_path.iterdir()}
    result = run_inline(server, "feedback", "import", str(path), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "0 valid and would be sent, 10 already confirmed" in result.stdout
    assert {p.name: digest(p) for p in tmp_path.iterdir()} == state


@pytest.mark.timeout(60)
def test_rejects_to_a_fifo_no_process_reads_stop_the_import_instead_of_hanging(
    server: LocalServer, tmp_path: Path
) -> None:
    """--rejects naming a FIFO without a reader ends the run with an error naming it; open() used to block for ever, deaf to signals."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(4, invalid_every=2))
    fifo = tmp_path / "rejects.fifo"
    os.mkfifo(fifo)
    result = subprocess.run(
        [RAIA_AGENT, "feedback", "import", str(path), "--rejects", str(fifo)],
        env={**os.environ, **env_for(server)}, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"--rejects {fifo} is a FIFO no process is reading" in result.stderr


@pytest.mark.timeout(60)
def test_rejects_to_a_fifo_with_a_reader_are_written_through(server: LocalServer, tmp_path: Path) -> None:
    """A FIFO some process reads still gets every reject, one JSON line each."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(4, invalid_every=2))
    fifo = tmp_path / "rejects.fifo"
    os.mkfifo(fifo)
    # O_RDWR opens a FIFO without waiting for a writer on Linux, and keeps it open for the run.
    reader = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        result = run(server, "feedback", "import", str(path), "--rejects", str(fifo))
        received = os.read(reader, 1 << 20).decode()
    finally:
        os.close(reader)
    assert "2 rejected" in result.stdout, result.stdout + result.stderr
    assert [json.loads(line)["kind"] for line in received.splitlines()] == ["invalid", "invalid"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_a_fifo_named_as_the_journal_is_refused_without_waiting_for_a_writer(
    server: LocalServer, tmp_path: Path, dry_run: bool
) -> None:
    """--journal naming a FIFO exits 2 in one line at once; reading its header would wait for ever."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(3))
    fifo = tmp_path / "journal.fifo"
    os.mkfifo(fifo)
    result = run(server, "feedback", "import", str(path), "--journal", str(fifo), *(["--dry-run"] * dry_run))
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert server.requests_received == 0


@pytest.mark.timeout(60)
def test_a_fifo_is_refused_up_front_in_one_line(server: LocalServer, tmp_path: Path) -> None:
    """A FIFO with no writer is refused at once (exit 2, one line), without opening it or a journal."""
    fifo = tmp_path / "rows.jsonl"
    os.mkfifo(fifo)
    result = run(server, "feedback", "import", str(fifo))
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.jsonl"]


@pytest.mark.timeout(60)
def test_process_substitution_is_refused_up_front(server: LocalServer, tmp_path: Path) -> None:
    """`import <(cat file)` (a pipe under /dev/fd) is refused the same way, not drained and waited on."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(3))
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, path.read_bytes())
        result = subprocess.run(  # the child inherits the pipe, as a shell's <(...) gives it
            [RAIA_AGENT, "feedback", "import", f"/dev/fd/{read_end}", "--journal", str(tmp_path / "j.sqlite3")],
            env={**os.environ, **env_for(server)}, pass_fds=(read_end,), capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(read_end)
        os.close(write_end)
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr
    assert server.requests_received == 0


@pytest.mark.timeout(120)
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_signals_end_an_import_whose_requests_never_answer(
    server: LocalServer, tmp_path: Path, how: signal.Signals
) -> None:
    """With every request hanging, a first signal stops sending, a second abandons the requests: exit 130,
    the lock is released (a rerun can start), nothing was confirmed."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(40))
    server.fail_fraction("slow", 1.0, delay=60)
    proc = popen(server, "feedback", "import", str(path), "--concurrency", "4")
    try:
        wait_for(lambda: server.requests_received >= 4, "requests in flight")
        assert proc.stderr is not None
        proc.send_signal(how)
        assert proc.stderr.readline().startswith(b"stopping:")
        proc.send_signal(how)
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert confirmed_lines(tmp_path / "in.jsonl.journal.sqlite3") == set()
    server.clear_faults()
    rerun = run(server, "feedback", "import", str(path))
    assert rerun.returncode == 0, rerun.stderr
