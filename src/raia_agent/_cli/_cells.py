"""CSV and TSV cells to the JSON values the schema asks for: a cell is text, a field may not be."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ._spec import Field

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
# Numbers as JSON spells them (a leading + allowed): Python's int() and float() also take "1_000",
# "infinity" and digits of any script, which a cell meant as a number never holds.
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


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
            return json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            raise CellError(_message(column, text, f"is not JSON ({detail})")) from None
    if "integer" in types:
        try:
            if not _INTEGER.fullmatch(stripped):
                raise ValueError(stripped)
            return int(stripped)
        except ValueError:
            if "number" not in types:
                raise CellError(_message(column, text, "is not an integer")) from None
    if "number" in types:
        try:
            if not _NUMBER.fullmatch(stripped) and stripped.lower() not in {"nan", "inf", "-inf", "infinity"}:
                raise ValueError(stripped)
            number = float(stripped)
        except ValueError:
            raise CellError(_message(column, text, "is not a number")) from None
        if not math.isfinite(number):
            raise CellError(_message(column, text, "is not a finite number"))
        return number
    if "boolean" in types:
        if stripped.lower() in _TRUE:
            return True
        if stripped.lower() in _FALSE:
            return False
        raise CellError(_message(column, text, "is not a boolean (true/false, 1/0, yes/no)"))
    return text


def _message(column: str, text: str, what: str) -> str:
    shown = text if len(text) <= 60 else text[:60] + "..."
    return f"column {column!r}: {shown!r} {what}"
