"""Issue 10 items 4, 5 and 7: hostile or unusual files give one reject per bad row, never a crash."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import Result

from raia_agent._cli._reader import MAX_LINE_BYTES
from raia_agent.testing import LocalServer
from tests.support.cli_helpers import csv_text, invoke, read_rejects, rows, write_jsonl

BAD_JSONL_LINES = {
    "non-UTF-8 byte": (b'{"question": "caf\xe9"}', "not UTF-8"),
    "100,000 [": (b"[" * 100_000, "nested too deeply"),
    "5,000-digit number": (b'{"question": ' + b"7" * 5000 + b"}", "number too long"),
    "line over the limit": (b'{"question": "' + b"a" * (MAX_LINE_BYTES + 10) + b'"}', "longer than"),
}


def assert_no_crash(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", list(BAD_JSONL_LINES))
def test_a_bad_jsonl_line_is_one_reject_and_every_other_row_is_sent(
    server: LocalServer, tmp_path: Path, case: str
) -> None:
    """Each hostile line is one reject with its line number and reason; the rows around it are sent."""
    bad, reason = BAD_JSONL_LINES[case]
    good = [json.dumps(r).encode() for r in rows(6)]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join([*good[:3], bad, *good[3:]]) + b"\n")

    result = invoke(server, "feedback", "import", str(path))

    assert_no_crash(result)
    assert result.exit_code == 1, result.output
    assert server.store.count() == 6
    (reject,) = read_rejects(tmp_path / "bad.jsonl.rejects.jsonl")
    assert reject["line"] == 4
    assert reason in reject["reason"]
    again = invoke(server, "feedback", "import", str(path))
    assert_no_crash(again)
    assert "6 already confirmed, 0 superseded, 1 rejected" in again.stdout


def test_a_binary_file_named_jsonl_is_rejected_line_by_line(server: LocalServer, tmp_path: Path) -> None:
    """An executable renamed .jsonl gives rejects with line numbers, and valid rows after it are sent."""
    path = tmp_path / "binary.jsonl"
    tail = "".join(json.dumps(r) + "\n" for r in rows(3)).encode()
    path.write_bytes(Path(sys.executable).resolve().read_bytes()[:300_000] + b"\n" + tail)

    result = invoke(server, "feedback", "import", str(path))

    assert_no_crash(result)
    assert result.exit_code == 1
    assert server.store.count() == 3
    rejects = read_rejects(tmp_path / "binary.jsonl.rejects.jsonl")
    assert rejects
    assert all(r["line"] >= 1 and r["reason"] for r in rejects)


@pytest.mark.parametrize("size", [200 * 1024, 3 * MAX_LINE_BYTES // 2])
def test_a_big_csv_cell_is_read_or_rejected_never_a_crash(
    server: LocalServer, tmp_path: Path, size: int
) -> None:
    """A 200 KiB cell (over csv's default 128 KiB) is read; one over the limit, across lines, is one reject
    reported by its first line; the other rows are sent either way."""
    records = rows(4)
    text = csv_text(records).splitlines(keepends=True)
    half = "b" * (size // 2)
    big = f'{records[0]["conversationMessageId"]},{records[0]["userId"]},up,"{half}\n{half}"\n'
    path = tmp_path / "big.csv"
    path.write_text(
        "".join([text[0], text[1], big.replace(records[0]["userId"], rows(1)[0]["userId"]), *text[2:]])
    )

    result = invoke(server, "feedback", "import", str(path))

    assert_no_crash(result)
    rejects = read_rejects(tmp_path / "big.csv.rejects.jsonl")
    stored = {r["question"][:1] for r in server.store.all()}
    if size > MAX_LINE_BYTES:
        assert [(r["line"], r["kind"]) for r in rejects] == [(3, "invalid")]
        assert "field larger than field limit" in rejects[0]["reason"]
        assert server.store.count() == 4
    else:  # sent, or refused by a server with a body limit: a "failed" row with the status, line 3
        assert server.store.count() == 5 or [(r["line"], r["kind"]) for r in rejects] == [(3, "failed")]
    assert "q" in stored


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_utf8_bom_is_accepted(server: LocalServer, tmp_path: Path, fmt: str) -> None:
    """A file saved with a UTF-8 BOM (Excel's "CSV UTF-8") imports every row."""
    records = rows(5)
    text = csv_text(records) if fmt == "csv" else "".join(json.dumps(r) + "\n" for r in records)
    path = tmp_path / f"bom.{fmt}"
    path.write_text(text, encoding="utf-8-sig")

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 0, result.output
    assert server.store.count() == 5


def test_a_tsv_file_is_split_on_tabs(server: LocalServer, tmp_path: Path) -> None:
    """.tsv files are tab-separated: commas inside a cell stay in the cell."""
    records = rows(3)
    for record in records:
        record["question"] = "yes, no, maybe"
    path = tmp_path / "tabs.tsv"
    path.write_text(csv_text(records, delimiter="\t"))

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 0, result.output
    assert {r["question"] for r in server.store.all()} == {"yes, no, maybe"}


def test_csv_rows_with_the_wrong_number_of_cells_are_rejected(server: LocalServer, tmp_path: Path) -> None:
    """Too many or too few cells: one reject naming the line; the well-formed rows are sent."""
    lines = csv_text(rows(4)).splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ",extra\n"
    lines[3] = lines[3].rsplit(",", 1)[0] + "\n"
    path = tmp_path / "cells.csv"
    path.write_text("".join(lines))

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 1, result.output
    rejects = read_rejects(tmp_path / "cells.csv.rejects.jsonl")
    assert [(r["line"], r["reason"]) for r in rejects] == [
        (3, "5 cells, the header has 4"),
        (4, "3 cells, the header has 4"),
    ]
    assert server.store.count() == 2


def test_a_multi_line_csv_record_is_reported_by_its_first_line(server: LocalServer, tmp_path: Path) -> None:
    """A quoted cell spanning lines: the record's line number is the line it starts on."""
    good, bad, after = rows(3)
    bad["userId"] = "not-a-uuid"
    good["question"] = "first line\nsecond line"
    bad["question"] = "one\ntwo\nthree"
    path = tmp_path / "multi.csv"
    path.write_text(csv_text([good, bad, after]))  # header 1, good 2-3, bad 4-6, after 7

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 1, result.output
    (reject,) = read_rejects(tmp_path / "multi.csv.rejects.jsonl")
    assert reject["line"] == 4
    assert "user_id" in reject["reason"]
    assert "first line\nsecond line" in {r["question"] for r in server.store.all()}
    assert server.store.count() == 2


def test_progress_lines_are_one_line_each_when_not_on_a_terminal(server: LocalServer, tmp_path: Path) -> None:
    """Without a terminal each progress line is printed whole, however long, never wrapped at 80 columns."""
    path = write_jsonl(tmp_path / ("long-name-" * 8 + ".jsonl"), rows(60))
    server.fail_fraction("slow", 1.0, delay=0.02)

    result = invoke(
        server, "feedback", "import", str(path), "--concurrency", "1", "--progress-interval", "0.05"
    )

    assert result.exit_code == 0, result.output
    progress = [line for line in result.stdout.splitlines() if line.startswith("progress: ")]
    assert progress
    assert all(line.endswith(" rows/s") and len(line) > 80 for line in progress), result.stdout
    assert all(line.startswith(("progress: ", "imported: ")) for line in result.stdout.splitlines())


@pytest.mark.parametrize("command", ["send", "import"])
def test_without_a_key_the_message_names_the_cli_ways_to_give_one(
    server: LocalServer, tmp_path: Path, command: str
) -> None:
    """No key: one line naming --secret-key-file and RAIA_AGENT_SECRET_KEY, not the Python constructor."""
    path = write_jsonl(tmp_path / "k.jsonl", rows(2))
    args = (
        ["feedback", "import", str(path)]
        if command == "import"
        else ["feedback", "send", "--conversation-message-id", "x", "--user-id", "y", "--vote", "up",
              "--question", "q"]
    )  # fmt: skip
    result = invoke(server, *args, env={"RAIA_AGENT_SECRET_KEY": ""})

    assert result.exit_code == 2
    assert "--secret-key-file" in result.stderr
    assert "RAIA_AGENT_SECRET_KEY" in result.stderr
    assert "Raia(" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert server.requests_received == 0
