"""Compatibility of one field, parameter or Literal change, by the direction data flows.

What callers send may loosen (optional, nullable, wider, more values) and must not tighten.
What callers receive is the reverse: a reader breaks when a value may now be missing, None,
of another type or an enum value it has not seen (an exhaustive `match`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._directions import RECEIVED, SENT
from ._model import Level

RANK: dict[Level, int] = {"info": 0, "warning": 1, "breaking": 2}
ABSENT = {"Unset"}
NULL = {"None"}


@dataclass(frozen=True)
class Slot:
    """An attrs field or a keyword parameter: its annotation and default (None: required)."""

    annotation: str
    default: str | None

    @property
    def text(self) -> str:
        return f"{self.annotation} " + ("required" if self.default is None else f"= {self.default}")

    def types(self) -> set[str]:
        return split_union(self.annotation)

    @property
    def optional(self) -> bool:
        return self.default is not None or bool(self.types() & ABSENT)

    @property
    def nullable(self) -> bool:
        return bool(self.types() & NULL)

    def core(self) -> set[str]:
        return self.types() - ABSENT - NULL


def literal_values(text: str) -> set[str]:
    return {single or double for single, double in re.findall(r"'([^']*)'|\"([^\"]*)\"", text)}


def split_union(annotation: str) -> set[str]:
    """'None | Literal["a", "b"] | Unset' -> {'None', "'a'", "'b'", 'Unset'}: members a value may take."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(annotation):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(annotation[start:i])
            start = i + 1
    parts.append(annotation[start:])
    out: set[str] = set()
    for part in (p.strip() for p in parts):
        if part.startswith(("Literal[", "typing.Literal[")):
            out |= {repr(v) for v in literal_values(part)}
        elif part.startswith("Optional["):
            out |= {*split_union(part[len("Optional[") : -1]), "None"}
        elif part:
            out.add(part)
    return out


def worst(*levels: Level) -> Level:
    return max(levels, key=RANK.__getitem__)


def _one_side(was: Slot, now: Slot, side: str) -> list[tuple[Level, str]]:
    """(level, reason) for each way the slot changed, as seen by the side that sends or receives it."""
    sent = side == SENT
    found: list[tuple[Level, str]] = []
    if was.optional != now.optional:
        loosened = now.optional
        found.append(
            ("info" if loosened == sent else "breaking", "now optional" if loosened else "now required")
        )
    if was.nullable != now.nullable:
        loosened = now.nullable
        found.append(
            ("info" if loosened == sent else "breaking", "now nullable" if loosened else "no longer nullable")
        )
    before, after = was.core(), now.core()
    if before != after:
        if after > before:
            found.append(("info" if sent else "breaking", "type widened"))
        elif after < before:
            found.append(("breaking" if sent else "info", "type narrowed"))
        else:
            found.append(("breaking", "type changed"))
    if was.default != now.default and was.default is not None and now.default is not None:
        found.append(("warning" if sent else "info", "default changed"))
    return found or [("info", "annotation reworded")]


def slot_change(was: Slot, now: Slot, sides: set[str]) -> tuple[Level, str]:
    """A field or parameter changed in place."""
    if not sides:  # reached by no operation: judge it both ways
        sides = {SENT, RECEIVED}
    found = [item for side in sorted(sides) for item in _one_side(was, now, side)]
    level = worst(*(lvl for lvl, _ in found))
    reasons = list(dict.fromkeys(reason for _, reason in found))
    return level, ", ".join(reasons)


def slot_added(now: Slot, sides: set[str], owner_existed: bool) -> tuple[Level, str]:
    if not owner_existed:
        return "info", "added"
    if (SENT in sides or not sides) and not now.optional:
        return "breaking", "added (required: constructors and from_dict need it)"
    return "info", "added" + (" (optional)" if now.optional else "")


def slot_removed(sides: set[str]) -> tuple[Level, str]:
    if sides == {SENT}:
        return "breaking", "removed: callers that pass it fail"
    if sides == {RECEIVED}:
        return "breaking", "removed: readers of it fail"
    return "breaking", "removed"


def literal_change(was: str, now: str, sides: set[str]) -> tuple[Level, str]:
    lost = literal_values(was) - literal_values(now)
    gained = literal_values(now) - literal_values(was)
    message = "; ".join(
        part
        for part in (
            f"values removed: {', '.join(sorted(lost))}" if lost else "",
            f"values added: {', '.join(sorted(gained))}" if gained else "",
        )
        if part
    )
    levels: list[Level] = ["info"]
    if SENT in sides:
        levels.append("breaking" if lost else "info")
    if RECEIVED in sides:
        levels.append("breaking" if gained else "info")
    if not sides:  # unknown direction: what the report said before it knew directions
        levels.append("breaking" if lost else "warning")
    return worst(*levels), message
