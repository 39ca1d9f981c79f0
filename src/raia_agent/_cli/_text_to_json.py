"""Text (a CSV or TSV cell, an option's value) to the JSON value the schema asks for: a cell is text, a
field may not be. Also JSON read with a key given twice refused."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ._fields import Field

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
# Numbers as JSON spells them (a leading + allowed).
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


class DuplicateKey(ValueError):
    """A JSON object naming a key twice."""


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's object hook: a key given twice is an error, not "the last one wins" (in a row, a
    cell or an option alike)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


class CellError(ValueError):
    """A cell that does not convert; the message names the column."""


def convert(column: str, field: Field, text: str) -> Any:
    """The cell's value for `field`, or CellError naming `column`. Text stays text wherever the
    schema allows a string; `null` is null only for a nullable field that is not a string."""
    types = field.types
    if "string" in types:
        return text
    stripped = text.strip()
    if field.nullable and stripped == "null":
        return None
    if types & {"object", "array"}:
        try:
            return json.loads(stripped, object_pairs_hook=no_duplicates)
        except DuplicateKey as exc:
            raise CellError(_message(column, text, f"names the key {exc} twice")) from None
        except (ValueError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            raise CellError(_message(column, text, f"is not JSON ({detail})")) from None
    if "integer" in types:
        try:
            return read_integer(stripped)
        except ValueError:
            if "number" not in types:
                raise CellError(_message(column, text, "is not an integer")) from None
    if "number" in types:
        try:
            return read_number(stripped)
        except ValueError as exc:
            raise CellError(_message(column, text, str(exc))) from None
    if "boolean" in types:
        if stripped.lower() in _TRUE:
            return True
        if stripped.lower() in _FALSE:
            return False
        raise CellError(_message(column, text, "is not a boolean (true/false, 1/0, yes/no)"))
    return text


def read_integer(text: str) -> int:
    """An integer as JSON spells it; ValueError otherwise (Python's int() also takes "1_000" and
    digits of any script, which text meant as a number never holds)."""
    if not _INTEGER.fullmatch(text):
        raise ValueError("is not an integer")
    return int(text)


def read_number(text: str) -> float:
    """A finite number as JSON spells it; ValueError saying why otherwise."""
    if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        raise ValueError("is not a finite number")
    if not _NUMBER.fullmatch(text):
        raise ValueError("is not a number")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("is not a finite number")
    return number


def _message(column: str, text: str, what: str) -> str:
    shown = text if len(text) <= 60 else text[:60] + "..."
    return f"column {column!r}: {shown!r} {what}"
