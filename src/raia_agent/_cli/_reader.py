"""Records of a feedback file, read in binary so that one bad byte, line or cell rejects one row.

Memory stays bounded whatever the file holds: a line longer than MAX_LINE_BYTES is skipped
without being held whole, a CSV cell is capped by csv's field limit and a CSV record by
MAX_RECORD_BYTES.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ._text_to_json import DuplicateKey, no_duplicates

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
    cells: bool = False  # a CSV/TSV row: every value is the cell's text, to convert by the schema


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in DELIMITERS else "jsonl"


def scan(path: Path) -> tuple[int, str]:
    """Lines in the file (an upper bound on rows, for the progress bar) and a fingerprint of its
    content (sha256 and size), in one pass."""
    count = size = 0
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            size += len(chunk)
            digest.update(chunk)
    return count, f"sha256:{digest.hexdigest()} size:{size}"


def _check_encoding(handle: IO[bytes]) -> None:
    """Refuse up front what would otherwise reject every row with a misleading reason."""
    head = handle.read(1 << 16)
    handle.seek(0)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadFile(
            'the file is UTF-16 (Excel\'s "Unicode Text"); save it as UTF-8 '
            '(Excel: "CSV UTF-8 (Comma delimited)") and import that'
        )
    if b"\r" in head and b"\n" not in head:
        raise BadFile(
            'lines end in a bare carriage return (CR), as old Mac Excel writes ("CSV (Macintosh)"); '
            "save it with LF or CRLF line endings and import that"
        )


def records(path: Path, fmt: str) -> Iterator[Record]:
    with path.open("rb") as handle:
        _check_encoding(handle)
        if fmt in DELIMITERS:
            yield from _csv_records(handle, DELIMITERS[fmt])
        else:
            yield from _jsonl_records(handle)


def _lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, bytes with their newline, quote characters in the line); None for a line over
    the limit, skipped in chunks (its quotes still counted, so CSV can tell where a cell ends)."""
    number = 0
    while chunk := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if number == 1 and chunk.startswith(BOM):
            chunk = chunk[len(BOM) :]
        quotes = chunk.count(b'"')
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = handle.readline(1 << 16)
                quotes += chunk.count(b'"')
            yield number, None, quotes
            continue
        yield number, chunk, quotes


def _too_long() -> str:
    return f"line longer than {MAX_LINE_BYTES} bytes"


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    return f"not UTF-8: byte 0x{data[exc.start]:02x} at byte {exc.start + 1} of the line"


def _excerpt(data: bytes) -> str:
    return data[: EXCERPT * 4].decode("utf-8", "backslashreplace")[:EXCERPT]


def _jsonl_records(handle: IO[bytes]) -> Iterator[Record]:
    for number, data, _quotes in _lines(handle):
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
            yield Record(number, json.loads(text, object_pairs_hook=no_duplicates))
        except DuplicateKey as exc:
            yield Record(number, error=f"{exc}: the key is given twice in the row", raw=text.rstrip())
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
        self._quotes = 0  # odd: the current record is inside a quoted cell

    def start_record(self) -> None:
        self.problems.clear()
        self._record_bytes = 0
        self._quotes = 0

    def skip_quoted(self) -> bool:
        """After an error inside a quoted cell, skip to the line that closes it (so the rest of
        the cell is not read as records); False if the file ends first."""
        while self._quotes % 2:
            try:
                self.number, _data, quotes = next(self._lines)
            except StopIteration:
                return False
            self._quotes += quotes
        return True

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        self.number, data, quotes = next(self._lines)
        self._quotes += quotes
        if data is None:
            self.problems[self.number] = _too_long()
            # The skipped line's quotes, so csv's idea of "inside a quoted cell" stays right.
            return '"\n' if quotes % 2 else "\n"
        self._record_bytes += len(data)
        if self._record_bytes > MAX_RECORD_BYTES:
            raise _RecordTooLong
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems[self.number] = _not_utf8(data, exc)
            return data.decode("utf-8", "replace")


def _csv_error(exc: csv.Error) -> str:
    if "new-line character seen in unquoted field" in str(exc):
        return "not valid CSV: a bare carriage return (CR) in an unquoted cell"
    return f"not valid CSV: {exc}"


def _check_header(header: list[str], delimiter: str) -> None:
    """One header cell holding another separator: the whole file would reject as "... is required"."""
    if len(header) != 1:
        return
    for other, name in ((";", "';'"), ("\t", "tabs"), (",", "','")):
        if other != delimiter and other in header[0]:
            hint = "use --format tsv" if other == "\t" else "save it comma-separated (or as .tsv)"
            raise BadFile(
                f"line 1: the header is one column holding {name}: the file is separated by {name}, "
                f"not {'tabs' if delimiter == chr(9) else repr(delimiter)}; {hint}"
            )


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
                error = _csv_error(exc)
                if "field limit" in str(exc):
                    error += _skip_cell(lines)
            except _RecordTooLong:
                error = f"record longer than {MAX_RECORD_BYTES} bytes" + _skip_cell(lines)
            first, end = end + 1, lines.number
            problem = error or next(
                (reason if n == first else f"line {n}: {reason}" for n, reason in lines.problems.items()), ""
            )
            if header is None:
                if problem or not cells:
                    raise BadFile(f"line {first}: no usable header line ({problem or 'empty'})")
                _check_header(cells, delimiter)
                twice = sorted({name for name in cells if cells.count(name) > 1})
                if twice:
                    raise BadFile(f"line {first}: the header names the column {twice[0]!r} twice")
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
                    first,
                    {name: cell for name, cell in zip(header, cells, strict=True) if cell != ""},
                    cells=True,
                )
    finally:
        csv.field_size_limit(previous_limit)


def _skip_cell(lines: _CsvLines) -> str:
    # Only for errors that happen inside a long quoted cell (over the field or record limit,
    # which no single line can reach), where the quote count is sure to be meaningful.
    start = lines.number
    if not lines.skip_quoted():
        return f"; the quoted cell runs from line {start} to the end of the file"
    return "" if lines.number == start else f"; the record ends on line {lines.number}"
