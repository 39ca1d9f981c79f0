"""Rows of a feedback file: records validated against the request schema, ready to send."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ._reader import Record
from ._spec import UPSERT_KEY, accepted_names, build_body


@dataclass(frozen=True)
class Row:
    line: int
    body: dict[str, Any] | None  # None when the row is rejected
    reason: str = ""
    raw: Any = None
    ignored: tuple[str, ...] = ()

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.body, sort_keys=True).encode()).hexdigest()[:16]

    @cached_property
    def pair(self) -> tuple[str, str]:
        """The API's upsert key, as it compares it (UUIDs, case-insensitive)."""
        body = self.body or {}
        first, second = (str(body.get(name, "")).lower() for name in UPSERT_KEY)
        return first, second


def _unencodable(record: dict[Any, Any]) -> str:
    """Why the record cannot travel as UTF-8 JSON (a lone surrogate, say), naming the field; or ""."""
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError):
        pass  # find the field below
    else:
        return ""
    for key, value in record.items():
        try:
            json.dumps({key: value}, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end].encode("unicode_escape").decode("ascii")
            return f"{key}: not valid Unicode (a lone surrogate {bad})"
        except (RecursionError, ValueError):
            return f"{key}: nested too deeply"
    return "not valid Unicode"


def rows(records: Iterator[Record]) -> Iterator[Row]:
    """Each record validated against the spec; keys may be camelCase or snake_case."""
    known = accepted_names()
    for record in records:
        if record.error:
            yield Row(record.line, None, record.error, record.raw)
            continue
        value = record.value
        if not isinstance(value, dict):
            yield Row(record.line, None, "a row must be a JSON object", value)
            continue
        problem = _unencodable(value)
        if problem:
            yield Row(record.line, None, problem, value)
            continue
        params = {known[key]: item for key, item in value.items() if key in known}
        ignored = tuple(sorted(str(key) for key in value if key not in known))
        try:
            body = build_body(params)
        except (TypeError, ValueError) as exc:
            yield Row(record.line, None, str(exc), value)
        except Exception as exc:  # whatever a validator trips on rejects this row only
            yield Row(record.line, None, f"cannot validate this row: {type(exc).__name__}: {exc}", value)
        else:
            yield Row(record.line, body, raw=value, ignored=ignored)
