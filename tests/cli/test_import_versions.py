"""The journal and the rejects file belong to one version of one input file, and never destroy it."""

from __future__ import annotations

import json
import os
import random
import stat
import time
from pathlib import Path

import pytest

from raia_agent.testing import LocalServer
from tests.support.cli_helpers import confirmed_lines, invoke, pair, popen, read_rejects, rows, write_jsonl


def test_a_rewritten_file_is_sent_again_whole_not_skipped_as_superseded(
    server: LocalServer, tmp_path: Path
) -> None:
    """Day 2's export, one shuffled row per pair, replaces day 1's (each pair twice): all of it is sent."""
    pairs = rows(60)
    day1 = [{**r, "question": q} for q in ("draft", "day1") for r in pairs]
    path = write_jsonl(tmp_path / "export.jsonl", day1)
    assert invoke(server, "feedback", "import", str(path)).exit_code == 0
    day2 = [{**r, "question": "day2"} for r in pairs]
    random.Random(7).shuffle(day2)
    write_jsonl(path, day2)

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 0, result.output
    assert "60 sent" in result.stdout, result.stdout
    assert "0 superseded" in result.stdout
    assert {r["question"] for r in server.store.all()} == {"day2"}
    assert "changed since the journal was written" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_corrected_row_on_an_earlier_line_is_sent(server: LocalServer, tmp_path: Path) -> None:
    """`P=old, Q, P=new` imported, then `P=fixed, Q`: the API ends with P=fixed."""
    p, q = rows(2)
    path = write_jsonl(tmp_path / "fix.jsonl", [{**p, "question": "old"}, q, {**p, "question": "new"}])
    assert invoke(server, "feedback", "import", str(path)).exit_code == 0
    write_jsonl(path, [{**p, "question": "fixed"}, q])

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 0, result.output
    assert "0 superseded" in result.stdout
    stored = {(r["conversationMessageId"], r["userId"]): r["question"] for r in server.store.all()}
    assert stored[pair(p)] == "fixed"


def test_the_same_file_still_resumes_from_its_journal(server: LocalServer, tmp_path: Path) -> None:
    """Unchanged content keeps its journal: a rerun sends nothing and says nothing about a change."""
    path = write_jsonl(tmp_path / "same.jsonl", rows(20))
    assert invoke(server, "feedback", "import", str(path)).exit_code == 0
    path.touch()  # a new mtime, the same bytes

    again = invoke(server, "feedback", "import", str(path))

    assert again.exit_code == 0, again.output
    assert "0 sent" in again.stdout and "20 already confirmed" in again.stdout
    assert "changed" not in again.stderr


def test_a_file_changed_during_the_import_is_reported_and_not_trusted(
    server: LocalServer, tmp_path: Path
) -> None:
    """The file rewritten mid-import: exit 2 naming the change; the rerun starts over and sends all of it."""
    records = rows(300)
    path = write_jsonl(tmp_path / "moving.jsonl", records)
    journal = tmp_path / "moving.jsonl.journal.sqlite3"
    server.fail_fraction("slow", 1.0, delay=0.05)
    proc = popen(server, "feedback", "import", str(path), "--concurrency", "4")
    try:
        deadline = time.monotonic() + 60
        while len(confirmed_lines(journal)) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        at_edit = len(confirmed_lines(journal))
        write_jsonl(path, [{**r, "question": "edited"} for r in records])
        _out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    assert 20 <= at_edit < 300, "the edit must land part-way"
    assert proc.returncode == 2, err
    assert b"changed during the import" in err
    server.clear_faults()

    again = invoke(server, "feedback", "import", str(path))

    assert again.exit_code == 0, again.output
    assert "300 sent" in again.stdout
    assert {r["question"] for r in server.store.all()} == {"edited"}


@pytest.mark.parametrize("option", ["--rejects", "--journal"])
def test_an_output_path_that_is_the_input_is_refused_before_anything_is_touched(
    server: LocalServer, tmp_path: Path, option: str
) -> None:
    """`--rejects in.jsonl` (or `--journal`): exit 2 with one line; the input keeps every byte."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(5, invalid_every=2))
    before = path.read_bytes()

    result = invoke(server, "feedback", "import", str(path), option, str(tmp_path / "." / "in.jsonl"))

    assert result.exit_code == 2, result.output
    assert "is the input file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before
    assert server.requests_received == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize("option", ["--rejects", "--journal"])
def test_a_file_written_beside_an_output_that_is_the_input_is_refused(
    server: LocalServer, tmp_path: Path, option: str
) -> None:
    """The input named like the rejects' partial file or the journal's SQLite log: refused, left whole."""
    name = ".out.partial" if option == "--rejects" else "out-wal"
    path = write_jsonl(tmp_path / name, rows(3))
    before = path.read_bytes()

    result = invoke(
        server, "feedback", "import", str(path), option, str(tmp_path / "out"), "--format", "jsonl"
    )

    assert result.exit_code == 2, result.output
    assert "which is the input file" in result.stderr
    assert path.read_bytes() == before
    assert server.requests_received == 0


def test_the_last_rejects_survive_a_run_that_stops_before_writing_its_own(
    server: LocalServer, tmp_path: Path
) -> None:
    """A run stopped by a wrong key, before reaching its bad last line, leaves the last rejects as they were."""
    path = tmp_path / "r.jsonl"
    for version in ("first", "second"):
        write_jsonl(path, rows(20, question=version))
        with path.open("a") as handle:
            handle.write("not json\n")
        if version == "first":
            assert invoke(server, "feedback", "import", str(path)).exit_code == 1
    rejects = tmp_path / "r.jsonl.rejects.jsonl"
    before = rejects.read_bytes()
    assert before

    stopped = invoke(
        server, "feedback", "import", str(path), "--concurrency", "1", env={"RAIA_AGENT_SECRET_KEY": "wrong"}
    )

    assert stopped.exit_code == 3, stopped.output
    assert rejects.read_bytes() == before


def test_a_clean_run_leaves_a_file_it_did_not_write(server: LocalServer, tmp_path: Path) -> None:
    """`--rejects notes.txt` naming someone's file: a run without rejects keeps it, and says so."""
    path = write_jsonl(tmp_path / "ok.jsonl", rows(5))
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")

    result = invoke(server, "feedback", "import", str(path), "--rejects", str(notes))

    assert result.exit_code == 0, result.output
    assert notes.read_text() == "my notes\n"
    assert "left" in result.stderr and "notes.txt" in result.stderr


def test_a_clean_run_removes_the_rejects_its_last_run_wrote(server: LocalServer, tmp_path: Path) -> None:
    """Rejects from the last run of this file go once a run has none; no partial file is left behind."""
    good = rows(5)
    path = write_jsonl(tmp_path / "fix.jsonl", good)
    with path.open("a") as handle:
        handle.write("not json\n")
    assert invoke(server, "feedback", "import", str(path)).exit_code == 1
    assert read_rejects(tmp_path / "fix.jsonl.rejects.jsonl")
    write_jsonl(path, good)

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 0, result.output
    assert not (tmp_path / "fix.jsonl.rejects.jsonl").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert json.loads(path.read_text().splitlines()[0]) == good[0]


def test_rejects_to_a_pipe_are_written_through_and_the_pipe_is_left_in_place(
    server: LocalServer, tmp_path: Path
) -> None:
    """`--rejects` naming a FIFO (like /dev/stdout) writes into it; it is neither replaced nor removed."""
    path = write_jsonl(tmp_path / "s.jsonl", rows(4, invalid_every=2))
    fifo = tmp_path / "rejects.fifo"
    os.mkfifo(fifo)
    # Read-write: opening never blocks, and the import's writes wait in the pipe's buffer.
    held = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        result = invoke(server, "feedback", "import", str(path), "--rejects", str(fifo))
        assert stat.S_ISFIFO(fifo.lstat().st_mode), "the pipe was replaced or removed"
        written = os.read(held, 1 << 16).decode()
    finally:
        os.close(held)

    assert result.exit_code == 1, result.output
    assert [json.loads(line)["line"] for line in written.splitlines()] == [2, 4]
    assert server.store.count() == 2
