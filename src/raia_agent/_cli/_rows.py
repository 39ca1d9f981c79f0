"""Rows of a feedback file, streamed, with their line numbers and request bodies."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._validation import build_body, request_fields


@dataclass(frozen=True)
class Row:
    line: int
    body: dict[str, Any] | None  # None when the row is rejected
    reason: str = ""
    raw: Any = None
    ignored: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.body, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def pair(self) -> tuple[str, str]:
        assert self.body is not None
        return self.body["conversationMessageId"].lower(), self.body["userId"].lower()


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    return "csv" if path.suffix.lower() in {".csv", ".tsv"} else "jsonl"


def count_rows(path: Path) -> int:
    """Lines in the file: an upper bound on rows, cheap enough for the progress bar's total."""
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _records(path: Path, fmt: str) -> Iterator[tuple[int, Any, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            for record in reader:
                # CSV cannot say null: an empty optional cell means "absent".
                yield reader.line_num, {k: v for k, v in record.items() if v != "" and k is not None}, ""
            return
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                yield number, json.loads(text), ""
            except json.JSONDecodeError as exc:
                yield number, text.rstrip("\n"), f"not valid JSON: {exc.msg} (column {exc.colno})"


def read_rows(path: Path, fmt: str) -> Iterator[Row]:
    """Each row validated against the spec; keys may be camelCase or snake_case."""
    by_json = {json_name: py for py, json_name in request_fields().items()}
    known = set(by_json) | set(by_json.values())
    for line, record, error in _records(path, fmt):
        if error:
            yield Row(line, None, error, record)
            continue
        if not isinstance(record, dict):
            yield Row(line, None, "a row must be a JSON object", record)
            continue
        params: dict[str, Any] = {
            by_json.get(key) or str(key): value for key, value in record.items() if key in known
        }
        ignored = tuple(sorted(key for key in record if key not in known))
        try:
            yield Row(line, build_body(params), raw=record, ignored=ignored)
        except (TypeError, ValueError) as exc:
            yield Row(line, None, str(exc), record)
