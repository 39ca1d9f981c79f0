"""Records of a feedback file, read in binary so that one bad byte, line or cell rejects one row.

Memory stays bounded whatever the file holds: a line longer than MAX_LINE_BYTES is skipped
without being held whole, a CSV cell is capped by csv's field limit and a CSV record by
MAX_RECORD_BYTES.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# Ten times the real API's 100 KiB body limit: nothing longer could be sent anyway.
MAX_LINE_BYTES = 1 << 20
CSV_FIELD_LIMIT = MAX_LINE_BYTES
MAX_RECORD_BYTES = 4 * MAX_LINE_BYTES
EXCERPT = 200  # characters of a broken line kept in the rejects file
BOM = b"\xef\xbb\xbf"
DELIMITERS = {"csv": ",", "tsv": "\t"}


class BadFile(Exception):
    """The file as a whole cannot be read (a CSV without a usable header line)."""


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts
    value: Any = None
    error: str = ""
    raw: Any = None


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in DELIMITERS else "jsonl"


def count_lines(path: Path) -> int:
    """Lines in the file: an upper bound on rows, cheap enough for the progress bar's total."""
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def records(path: Path, fmt: str) -> Iterator[Record]:
    with path.open("rb") as handle:
        if fmt in DELIMITERS:
            yield from _csv_records(handle, DELIMITERS[fmt])
        else:
            yield from _jsonl_records(handle)


def _lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes with their newline); None for a line over the limit, skipped in chunks."""
    number = 0
    while chunk := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if number == 1 and chunk.startswith(BOM):
            chunk = chunk[len(BOM) :]
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = handle.readline(1 << 16)
            yield number, None
            continue
        yield number, chunk


def _too_long() -> str:
    return f"line longer than {MAX_LINE_BYTES} bytes"


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    return f"not UTF-8: byte 0x{data[exc.start]:02x} at byte {exc.start + 1} of the line"


def _excerpt(data: bytes) -> str:
    return data[: EXCERPT * 4].decode("utf-8", "backslashreplace")[:EXCERPT]


def _jsonl_records(handle: IO[bytes]) -> Iterator[Record]:
    for number, data in _lines(handle):
        if data is None:
            yield Record(number, error=_too_long())
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Record(number, error=_not_utf8(data, exc), raw=_excerpt(data))
            continue
        if not text.strip():
            continue
        try:
            yield Record(number, json.loads(text))
        except json.JSONDecodeError as exc:
            yield Record(number, error=f"not valid JSON: {exc.msg} (column {exc.colno})", raw=text.rstrip())
        except RecursionError:
            yield Record(number, error="not valid JSON for a row: nested too deeply", raw=text[:EXCERPT])
        except ValueError:
            # The only other ValueError json raises: an integer with thousands of digits.
            yield Record(number, error="not valid JSON for a row: a number too long", raw=text[:EXCERPT])


class _RecordTooLong(Exception):
    pass


class _CsvLines:
    """Decoded lines for csv.reader, noting per line what went wrong instead of raising."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._lines = _lines(handle)
        self.number = 0
        self.problems: dict[int, str] = {}
        self._record_bytes = 0

    def start_record(self) -> None:
        self.problems.clear()
        self._record_bytes = 0

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        self.number, data = next(self._lines)
        if data is None:
            self.problems[self.number] = _too_long()
            return "\n"
        self._record_bytes += len(data)
        if self._record_bytes > MAX_RECORD_BYTES:
            raise _RecordTooLong
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems[self.number] = _not_utf8(data, exc)
            return data.decode("utf-8", "replace")


def _csv_records(handle: IO[bytes], delimiter: str) -> Iterator[Record]:
    lines = _CsvLines(handle)
    reader = csv.reader(lines, delimiter=delimiter)
    previous_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    header: list[str] | None = None
    end = 0  # the last line of the previous record
    try:
        while True:
            lines.start_record()
            error = ""
            cells: list[str] = []
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                error = f"not valid CSV: {exc}"
            except _RecordTooLong:
                error = f"record longer than {MAX_RECORD_BYTES} bytes"
            first, end = end + 1, lines.number
            problem = error or next(
                (reason if n == first else f"line {n}: {reason}" for n, reason in lines.problems.items()), ""
            )
            if header is None:
                if problem or not cells:
                    raise BadFile(f"line {first}: no usable header line ({problem or 'empty'})")
                header = cells
                continue
            if problem:
                yield Record(first, error=problem)
            elif not cells:
                continue  # a blank line
            elif len(cells) != len(header):
                yield Record(
                    first,
                    error=f"{len(cells)} cells, the header has {len(header)}",
                    raw=cells[: len(header) + 5],
                )
            else:
                # CSV cannot say null: an empty optional cell means "absent".
                yield Record(
                    first, {name: cell for name, cell in zip(header, cells, strict=True) if cell != ""}
                )
    finally:
        csv.field_size_limit(previous_limit)
