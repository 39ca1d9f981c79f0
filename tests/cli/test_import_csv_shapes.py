"""CSV files as spreadsheets write them: huge quoted cells, other separators, old line endings, UTF-16."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from raia_agent.testing import LocalServer
from tests.support.cli_helpers import csv_text, invoke, read_rejects, rows


def test_an_oversized_multi_line_cell_is_one_reject_and_reading_resumes_after_it(
    server: LocalServer, tmp_path: Path
) -> None:
    """A 1.3 MB quoted cell over 100,000 lines: one reject on its first line; every later row is sent."""
    before, big, *after = rows(6)
    cell = "a few words\n" * 100_000 + "the end"
    path = tmp_path / "huge.csv"
    path.write_text(csv_text([before, {**big, "question": cell}, *after]))

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 1, result.output
    rejects = read_rejects(tmp_path / "huge.csv.rejects.jsonl")
    assert [(r["line"], r["kind"]) for r in rejects] == [(3, "invalid")]
    assert "field larger than field limit" in rejects[0]["reason"]
    assert "ends on line 100003" in rejects[0]["reason"]
    assert server.store.count() == 5
    assert "1 rejected" in result.stdout


def test_a_quoted_cell_left_open_to_the_end_is_one_reject(server: LocalServer, tmp_path: Path) -> None:
    """An unterminated quote over the field limit: one reject, not one per remaining line."""
    good, bad = rows(2)
    text = csv_text([good]) + f'{bad["conversationMessageId"]},{bad["userId"]},up,"' + "x\n" * 600_000

    path = tmp_path / "open.csv"
    path.write_text(text)

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 1, result.output
    (reject,) = read_rejects(tmp_path / "open.csv.rejects.jsonl")
    assert reject["line"] == 3
    assert "to the end of the file" in reject["reason"]
    assert server.store.count() == 1


def test_the_row_kept_in_a_reject_is_capped(server: LocalServer, tmp_path: Path) -> None:
    """A rejected row holding a 900 KiB cell is kept as a few KiB of its JSON, marked truncated."""
    records = rows(2)
    lines = csv_text(records).splitlines(keepends=True)
    lines[1] = lines[1].rstrip("\n") + ',"' + "z" * (900 * 1024) + '"\n'
    path = tmp_path / "wide.csv"
    path.write_text("".join(lines))

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 1, result.output
    rejects_file = tmp_path / "wide.csv.rejects.jsonl"
    (reject,) = read_rejects(rejects_file)
    assert reject["reason"] == "5 cells, the header has 4"
    assert isinstance(reject["row"], str) and reject["row"].endswith("characters]")
    assert "[truncated:" in reject["row"]
    assert rejects_file.stat().st_size < 8192
    assert server.store.count() == 1


@pytest.mark.parametrize(
    ("delimiter", "named", "hint"), [(";", "';'", "comma-separated"), ("\t", "tabs", "--format tsv")]
)
def test_a_csv_with_another_separator_is_refused_up_front(
    server: LocalServer, tmp_path: Path, delimiter: str, named: str, hint: str
) -> None:
    """Excel's `;` CSV (or a TSV named .csv): exit 2, one line naming the separator, nothing sent."""
    path = tmp_path / "excel.csv"
    path.write_text(csv_text(rows(3), delimiter=delimiter))

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 2, result.output
    assert named in result.stderr and hint in result.stderr
    assert "required" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert server.requests_received == 0


@pytest.mark.parametrize(
    ("encode", "what"),
    [
        (lambda text: text.replace("\n", "\r").encode(), "carriage return"),
        (lambda text: text.encode("utf-16"), "UTF-16"),
        (lambda text: text.encode("utf-16-be").join([b"\xfe\xff", b""]), "UTF-16"),
    ],
    ids=["mac-cr", "utf-16-le", "utf-16-be"],
)
def test_mac_line_endings_and_utf16_are_named(
    server: LocalServer, tmp_path: Path, encode: Any, what: str
) -> None:
    """CR-only line endings and UTF-16 files: exit 2 with one line saying what the file is."""
    path = tmp_path / "excel.csv"
    path.write_bytes(encode(csv_text(rows(3))))

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 2, result.output
    assert what in result.stderr
    assert "universal-newline" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert server.requests_received == 0


def test_a_utf16_jsonl_file_is_named_too(server: LocalServer, tmp_path: Path) -> None:
    """UTF-16 is refused whatever the format, instead of one "not UTF-8" reject per line."""
    path = tmp_path / "wide.jsonl"
    path.write_bytes("".join(json.dumps(r) + "\n" for r in rows(3)).encode("utf-16"))

    result = invoke(server, "feedback", "import", str(path))

    assert result.exit_code == 2, result.output
    assert "UTF-16" in result.stderr
