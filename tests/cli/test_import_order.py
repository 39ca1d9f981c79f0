"""Issue 10 item 1: the last row in the file for a pair wins, within a run and across reruns."""

from __future__ import annotations

from pathlib import Path

from raia_agent.testing import LocalServer
from tests.support.cli_helpers import confirmed_lines, invoke, pair, read_rejects, rows, write_jsonl


def test_a_rerun_never_resends_a_row_whose_later_row_for_the_pair_is_confirmed(
    server: LocalServer, tmp_path: Path
) -> None:
    """Stale rows that failed while their later rows succeeded are superseded on rerun, not resent."""
    finals = rows(10)
    stale = [{**record, "question": "stale", "voteType": "down"} for record in finals]
    finals = [{**record, "question": "final", "voteType": "up"} for record in finals]
    path = write_jsonl(tmp_path / "twice.jsonl", stale + finals)
    server.fail_next("500", times=5)  # one worker, no retries: lines 1-5 (stale rows) fail

    first = invoke(server, "feedback", "import", str(path), "--concurrency", "1", "--max-retries", "0")

    assert first.exit_code == 1, first.output
    assert "5 failed" in first.stdout
    failed = read_rejects(tmp_path / "twice.jsonl.rejects.jsonl")
    assert [(r["line"], r["kind"]) for r in failed] == [(n, "failed") for n in range(1, 6)]
    assert {r["question"] for r in server.store.all()} == {"final"}, (
        "a later row was sent despite the failure"
    )
    assert confirmed_lines(tmp_path / "twice.jsonl.journal.sqlite3") == set(range(6, 21))
    upserts_after_first = dict(server.upserts)

    second = invoke(server, "feedback", "import", str(path))

    assert second.exit_code == 0, second.output
    assert "5 superseded" in second.stdout
    assert "15 already confirmed" in second.stdout
    assert "0 sent" in second.stdout
    assert dict(server.upserts) == upserts_after_first, "a superseded stale row was sent again"
    assert {r["question"] for r in server.store.all()} == {"final"}
    assert server.store.count() == 10
    assert all(server.upserts[pair(r)] == 1 for r in finals[:5]), "each failed pair got only its final row"
