"""`raia-agent feedback import` against the local server: the everyday behaviour."""

from __future__ import annotations

import csv
import json
import signal
import time
from pathlib import Path

import pytest

from raia_agent.testing import LocalServer
from tests.support.cli_helpers import confirmed_lines, csv_text, invoke, popen, rows, write_jsonl


def test_import_2000_rows_with_invalid_rows_and_500s(server: LocalServer, tmp_path: Path) -> None:
    """2,000 rows, 20 invalid, 10% injected 500s: 1,980 stored, 20 rejects with line and reason."""
    path = write_jsonl(tmp_path / "feedback.jsonl", rows(2000, invalid_every=100))
    server.fail_fraction("500", 0.1)
    # 8 retries: a row failing 9 times in a row at 10% is a one-in-a-billion event, not a flake.
    result = invoke(server, "feedback", "import", str(path), "--concurrency", "16", "--max-retries", "8")
    assert result.exit_code == 1, result.output
    assert server.store.count() == 1980
    assert server.faults.injected > 100
    rejects = [
        json.loads(line) for line in (tmp_path / "feedback.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert len(rejects) == 20
    assert [r["line"] for r in rejects] == list(range(100, 2001, 100))
    assert all("user_id" in r["reason"] for r in rejects)
    assert "1980 sent" in result.stdout
    assert "20 rejected" in result.stdout


def test_rerun_sends_nothing_already_confirmed(server: LocalServer, tmp_path: Path) -> None:
    """A second run of a finished import sends no request."""
    path = write_jsonl(tmp_path / "f.jsonl", rows(50))
    assert invoke(server, "feedback", "import", str(path)).exit_code == 0
    before = server.requests_received
    again = invoke(server, "feedback", "import", str(path))
    assert again.exit_code == 0
    assert server.requests_received == before
    assert "50 already confirmed" in again.stdout


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_killed_import_resumes_without_resending_confirmed_rows(
    server: LocalServer, tmp_path: Path, how: signal.Signals
) -> None:
    """Killed part-way and rerun: every row stored once; journaled rows were not sent again."""
    records = rows(400)
    path = write_jsonl(tmp_path / "big.jsonl", records)
    journal = tmp_path / "big.jsonl.journal.sqlite3"
    server.fail_fraction("slow", 1.0, delay=0.05)
    proc = popen(server, "feedback", "import", str(path), "--concurrency", "4")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if journal.exists() and confirmed_lines(journal) and len(confirmed_lines(journal)) >= 40:
                break
            time.sleep(0.05)
        proc.send_signal(how)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    if how != signal.SIGKILL:
        assert proc.returncode == 130, "Ctrl-C and SIGTERM stop cleanly"
    first_run = confirmed_lines(journal)
    assert 40 <= len(first_run) < 400, "the kill must land part-way"
    sent_in_first_run = dict(server.upserts)
    server.clear_faults()
    result = invoke(server, "feedback", "import", str(path))
    assert result.exit_code == 0, result.output
    assert server.store.count() == 400
    assert len(confirmed_lines(journal)) == 400
    for line in first_run:
        record = records[line - 1]
        pair = (record["conversationMessageId"], record["userId"])
        assert server.upserts[pair] == sent_in_first_run[pair] == 1, f"line {line} was sent again"
    assert all(server.upserts[(r["conversationMessageId"], r["userId"])] >= 1 for r in records)


@pytest.mark.parametrize("style", ["camel", "snake"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_import_accepts_camel_and_snake_case(
    server: LocalServer, tmp_path: Path, style: str, fmt: str
) -> None:
    """CSV and JSONL files with camelCase or snake_case keys import the same."""
    records = rows(10, answer="An answer")
    records[3].pop("answer")
    if style == "snake":
        names = {
            "conversationMessageId": "conversation_message_id",
            "userId": "user_id",
            "voteType": "vote_type",
        }
        records = [{names.get(k, k): v for k, v in r.items()} for r in records]
    path = tmp_path / f"in.{fmt}"
    if fmt == "jsonl":
        write_jsonl(path, records)
    else:
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    result = invoke(server, "feedback", "import", str(path))
    assert result.exit_code == 0, result.output
    stored = server.store.all()
    assert len(stored) == 10
    assert sorted(r["answer"] or "" for r in stored).count("") == 1
    assert {r["question"] for r in stored} == {f"question {i}" for i in range(10)}


def test_import_keeps_file_order_for_one_pair(server: LocalServer, tmp_path: Path) -> None:
    """Rows for the same message and user apply in file order: the last one wins."""
    base = rows(1)[0]
    records = [{**base, "question": f"v{i}", "voteType": "up" if i % 2 else "down"} for i in range(30)]
    path = write_jsonl(tmp_path / "same.jsonl", records)
    result = invoke(server, "feedback", "import", str(path), "--concurrency", "8")
    assert result.exit_code == 0, result.output
    (only,) = server.store.all()
    assert only["question"] == "v29"
    assert "1 created, 29 updated" in result.stdout


def test_progress_bar_on_a_terminal(server: LocalServer, tmp_path: Path) -> None:
    """On a terminal the import draws a rich progress bar with rate and failures."""
    path = write_jsonl(tmp_path / "tty.jsonl", rows(30, invalid_every=10))
    result = invoke(
        server, "feedback", "import", str(path), env={"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "0"}
    )
    assert result.exit_code == 1
    assert "30/30" in result.stdout
    assert "3 rejected/failed" in result.stdout


def test_dry_run_sends_nothing_and_counts_what_it_would_send(server: LocalServer, tmp_path: Path) -> None:
    """--dry-run sends no request, writes no file, and says how many rows are valid and would be sent."""
    path = write_jsonl(tmp_path / "d.jsonl", rows(100, invalid_every=10))
    result = invoke(server, "feedback", "import", str(path), "--dry-run")
    assert result.exit_code == 1
    assert server.requests_received == 0
    assert "100 rows read: 90 valid and would be sent" in result.stdout
    assert "10 rejected" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.jsonl"], "a dry run wrote a file"


def test_dry_run_writes_the_rejects_only_when_asked(server: LocalServer, tmp_path: Path) -> None:
    """--dry-run --rejects PATH keeps the rejected rows there, and still writes no journal or lock."""
    path = write_jsonl(tmp_path / "d.jsonl", rows(30, invalid_every=10))
    result = invoke(
        server, "feedback", "import", str(path), "--dry-run", "--rejects", str(tmp_path / "r.jsonl")
    )
    assert result.exit_code == 1
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.jsonl", "r.jsonl"]


def test_import_rejects_broken_lines_with_line_numbers(server: LocalServer, tmp_path: Path) -> None:
    """Non-JSON lines and non-object rows are rejected with their line numbers."""
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(rows(1)[0])
    path.write_text(f"{good}\n{{broken\n\n[1, 2]\n")
    result = invoke(server, "feedback", "import", str(path))
    assert result.exit_code == 1
    rejects = [json.loads(x) for x in (tmp_path / "mixed.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["kind"]) for r in rejects] == [(2, "invalid"), (4, "invalid")]
    assert "not valid JSON" in rejects[0]["reason"]


def test_import_stops_on_a_wrong_key(server: LocalServer, tmp_path: Path) -> None:
    """A wrong key stops the import with exit code 3 instead of failing every row."""
    path = write_jsonl(tmp_path / "k.jsonl", rows(200))
    result = invoke(server, "feedback", "import", str(path), env={"RAIA_AGENT_SECRET_KEY": "wrong"})
    assert result.exit_code == 3
    assert server.requests_received < 50
    assert "INVALID_CREDENTIALS" in result.stderr


def test_a_csv_dry_run_counts_valid_and_rejected_rows(server: LocalServer, tmp_path: Path) -> None:
    """3 valid rows and 1 invalid in a CSV: the dry run says 3 would be sent and 1 is rejected."""
    path = tmp_path / "d.csv"
    path.write_text(csv_text(rows(4, invalid_every=4)))
    result = invoke(server, "feedback", "import", str(path), "--dry-run")
    assert result.exit_code == 1
    assert (
        "4 rows read: 3 valid and would be sent, 0 already confirmed, 0 superseded, 1 rejected"
        in result.stdout
    )
    assert server.requests_received == 0
