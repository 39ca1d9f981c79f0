"""Rows of a feedback file: records validated against the request schema, ready to send."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ._fields import UPSERT_KEY, accepted_names, build_body, fields_by_python
from ._reader import Record
from ._text_to_json import CellError, convert

if TYPE_CHECKING:
    from .._validation import Prepared


@dataclass(frozen=True)
class Row:
    line: int
    body: dict[str, Any] | None  # None when the row is rejected
    reason: str = ""
    raw: Any = None
    ignored: tuple[str, ...] = ()
    request: Prepared | None = None  # what is sent: `body`, checked and encoded once

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


def _params(value: dict[Any, Any], known: dict[str, str], cells: bool) -> dict[str, Any]:
    """The row's arguments by snake_case name; ValueError naming the field when two keys give the
    same one (`voteType` and `vote_type`), naming the column when a cell does not convert."""
    params: dict[str, Any] = {}
    given_as: dict[str, str] = {}
    by_python = fields_by_python() if cells else {}
    for key, item in value.items():
        name = known.get(key)
        if name is None:
            continue
        if name in params:
            raise ValueError(f"{name}: given twice in the row, as {given_as[name]!r} and {key!r}")
        field = by_python.get(name)
        params[name] = convert(key, field, item) if field is not None else item
        given_as[name] = key
    return params


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
        ignored = tuple(sorted(str(key) for key in value if key not in known))
        try:
            params = _params(value, known, record.cells)
            body, request = build_body(params)
        except (TypeError, ValueError, CellError) as exc:
            yield Row(record.line, None, str(exc), value)
        except Exception as exc:  # whatever a validator trips on rejects this row only
            yield Row(record.line, None, f"cannot validate this row: {type(exc).__name__}: {exc}", value)
        else:
            yield Row(record.line, body, raw=value, ignored=ignored, request=request)
