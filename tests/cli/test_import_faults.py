"""Issue 10 items 2 and 3: no row kills a worker, the import always ends, signals and a closed stdout stop it."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
from pathlib import Path

import pytest

from raia_agent.testing import LocalServer
from tests.support.cli_helpers import (
    confirmed_lines,
    invoke,
    pair,
    popen,
    raw_http_server,
    read_rejects,
    rows,
    run,
    wait_for,
    write_jsonl,
)

BAD_GZIP_201 = (
    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
    b"Content-Length: 24\r\n\r\nthis is not a gzip body!"
)


def test_a_lone_surrogate_is_rejected_before_sending(server: LocalServer, tmp_path: Path) -> None:
    """A row whose question is "\\ud800" (valid JSON, not encodable) is one reject; the other rows are sent."""
    records = rows(4)
    lines = [json.dumps(r) for r in records]
    lines.insert(2, json.dumps({**rows(1)[0], "question": "\ud800"}))  # json.dumps writes the \\ud800 escape
    path = tmp_path / "surrogate.jsonl"
    path.write_text("\n".join(lines) + "\n")

    result = run(server, "feedback", "import", str(path), "--concurrency", "2")

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert server.store.count() == 4
    (reject,) = read_rejects(tmp_path / "surrogate.jsonl.rejects.jsonl")
    assert reject["line"] == 3
    assert reject["kind"] == "invalid"
    assert "question" in reject["reason"]
    assert "surrogate" in reject["reason"]
    assert server.requests_received == 4


def test_an_unexpected_error_in_a_worker_fails_its_row_and_the_import_ends(tmp_path: Path) -> None:
    """Against a server answering 201 with a broken gzip body, every row ends failed with a reason (or the run
    stops with one), and the import exits instead of hanging."""
    records = rows(8)
    path = write_jsonl(tmp_path / "gzip.jsonl", records)
    with raw_http_server(BAD_GZIP_201) as url:
        result = run(
            None,
            "feedback", "import", str(path), "--concurrency", "2", "--max-retries", "0",
            env={"RAIA_AGENT_SECRET_KEY": "sk-test", "RAIA_AGENT_BASE_URL": url},
        )  # fmt: skip

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    rejects = read_rejects(tmp_path / "gzip.jsonl.rejects.jsonl")
    if "stopped" in result.stdout:  # a client that maps the decoding error to a connection error
        assert "error: stopped" in result.stderr
    else:
        assert sorted(r["line"] for r in rejects) == list(range(1, 9))
        assert all(r["kind"] == "failed" and r["reason"] for r in rejects)
        assert "8 failed" in result.stdout


def test_ctrl_c_twice_abandons_requests_in_flight(server: LocalServer, tmp_path: Path) -> None:
    """A first Ctrl-C waits for requests in flight; a second ends the import at once, exit 130, summary says
    interrupted."""
    path = write_jsonl(tmp_path / "slow.jsonl", rows(50))
    server.fail_fraction("slow", 1.0, delay=60)
    proc = popen(server, "feedback", "import", str(path), "--concurrency", "4")
    try:
        wait_for(lambda: server.requests_received >= 4, "requests in flight")
        assert proc.stderr is not None
        proc.send_signal(signal.SIGINT)
        assert proc.stderr.readline().startswith(b"stopping: waiting for 4 row(s) in flight")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert stdout.decode().startswith("interrupted: "), stdout
    assert server.store.count() == 0


def test_a_closed_stdout_stops_the_import_and_journals_what_was_confirmed(
    server: LocalServer, tmp_path: Path
) -> None:
    """`import | head -1`: the import stops, exits 141 without noise, and the journal has every stored row."""
    records = rows(300)
    path = write_jsonl(tmp_path / "pipe.jsonl", records)
    journal = tmp_path / "pipe.jsonl.journal.sqlite3"
    server.fail_fraction("slow", 1.0, delay=0.02)
    proc = popen(server, "feedback", "import", str(path), "--concurrency", "2", "--progress-interval", "0.05")
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(b"progress: ")
        proc.stdout.close()  # what `head -1` does after its line
        proc.wait(timeout=60)
        stderr = proc.stderr.read().decode()
    finally:
        proc.kill()
        proc.wait()

    assert proc.returncode == 141, stderr
    assert "Exception ignored" not in stderr
    assert "Traceback" not in stderr
    assert "stdout was closed" in stderr
    confirmed = confirmed_lines(journal)
    assert 0 < len(confirmed) < len(records), "stopped part-way"
    assert {pair(records[line - 1]) for line in confirmed} == set(server.upserts)


def test_the_summary_says_stopped_when_a_fatal_error_stops_the_import(
    server: LocalServer, tmp_path: Path
) -> None:
    """A wrong key stops the import: the summary line starts with "stopped", not "imported"."""
    path = write_jsonl(tmp_path / "k.jsonl", rows(20))
    result = invoke(server, "feedback", "import", str(path), env={"RAIA_AGENT_SECRET_KEY": "wrong"})
    assert result.exit_code == 3
    assert result.stdout.startswith("stopped: "), result.stdout


def test_a_journal_damaged_inside_stops_the_import_and_says_to_move_it_away(
    server: LocalServer, tmp_path: Path
) -> None:
    """A journal that opens but whose index pages are damaged stops the run (exit 2), rows unfailed."""
    path = write_jsonl(tmp_path / "d.jsonl", rows(12))
    server.fail_next("500", times=4)  # four rows fail, so the rerun sends them and reads the journal back
    first = invoke(server, "feedback", "import", str(path), "--concurrency", "1", "--max-retries", "0")
    assert first.exit_code == 1, first.stdout
    journal = tmp_path / "d.jsonl.journal.sqlite3"
    with contextlib.closing(sqlite3.connect(journal)) as db:
        size = db.execute("PRAGMA page_size").fetchone()[0]
        (root,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'confirmed_by_feedback'"
        ).fetchone()
    with journal.open("r+b") as handle:  # the index's root page, left where SQLite reads it only on lookup
        handle.seek((root - 1) * size)
        handle.write(b"\xff" * size)

    result = invoke(server, "feedback", "import", str(path), "--concurrency", "1", "--max-retries", "0")

    assert result.exit_code == 2, result.stdout + result.stderr
    assert "is damaged: move it away and rerun" in result.stderr
    assert "rerun the same command to resume" not in result.stderr
    rejects = read_rejects(tmp_path / "d.jsonl.rejects.jsonl")
    assert not [r for r in rejects if "DatabaseError" in r["reason"]], rejects


def test_a_journal_that_cannot_record_stops_the_import_naming_it(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A confirmation SQLite refuses (another program locked the journal) stops the run, naming the journal."""
    from raia_agent._cli import _journal

    def locked(*args: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(_journal.Journal, "confirm", locked)
    path = write_jsonl(tmp_path / "l.jsonl", rows(5))
    result = invoke(server, "feedback", "import", str(path), "--concurrency", "1")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"journal {(tmp_path / 'l.jsonl.journal.sqlite3').resolve()}: database is locked" in result.stderr
    assert "rerun the same command to resume" in result.stderr  # a lock passes; a rerun can go on
