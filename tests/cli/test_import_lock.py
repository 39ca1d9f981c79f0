"""Issue 10 item 6: one import per journal at a time; journal problems are one line, never a traceback."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from raia_agent.testing import LocalServer
from tests.support.cli_helpers import confirmed_lines, invoke, popen, rows, run, wait_for, write_jsonl


def test_a_second_import_of_the_same_file_refuses_while_the_first_runs(
    server: LocalServer, tmp_path: Path
) -> None:
    """The second run says "already being imported" and exits 2; after kill -9 of the first, a rerun works."""
    path = write_jsonl(tmp_path / "twice.jsonl", rows(200))
    journal = tmp_path / "twice.jsonl.journal.sqlite3"
    server.fail_fraction("slow", 1.0, delay=0.05)
    first = popen(server, "feedback", "import", str(path), "--concurrency", "2")
    try:
        wait_for(lambda: len(confirmed_lines(journal)) >= 4, "the first run to confirm rows")

        second = run(server, "feedback", "import", str(path))

        assert second.returncode == 2, second.stderr
        assert "already being imported" in second.stderr
        assert "Traceback" not in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1, second.stderr
        first.send_signal(signal.SIGKILL)  # the kernel releases the lock of a killed process
        first.wait(timeout=30)
    finally:
        first.kill()
        first.wait()
    server.clear_faults()
    third = invoke(server, "feedback", "import", str(path))
    assert third.exit_code == 0, third.output
    assert server.store.count() == 200
    assert max(server.upserts.values()) <= 2


@pytest.mark.parametrize("damage", ["not-a-database", "a-directory"])
def test_an_unusable_journal_is_one_error_line(server: LocalServer, tmp_path: Path, damage: str) -> None:
    """A journal that is not SQLite, or cannot be opened, stops the import with one line and exit 2."""
    path = write_jsonl(tmp_path / "j.jsonl", rows(3))
    journal = tmp_path / "j.jsonl.journal.sqlite3"
    if damage == "a-directory":
        journal.mkdir()
    else:
        journal.write_bytes(b"this is not an SQLite database, just text " * 100)

    result = run(server, "feedback", "import", str(path))

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "journal" in result.stderr
    assert server.requests_received == 0
