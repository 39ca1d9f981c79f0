"""Tie each Python change to the spec change that explains it, on the same side of the wire."""

from __future__ import annotations

import re

from tools.naming import snake_case

from ._directions import RECEIVED, SENT, Directions
from ._model import Change, PyChange


def change_sides(change: Change, schema_sides: Directions) -> set[str]:
    """Which side of an operation a spec change is on: request, response, or unknown (empty)."""
    where = change.location
    if re.search(r" (request|parameter)\b", where):
        return {SENT}
    if " response " in where:
        return {RECEIVED}
    if where.startswith("components.schemas."):
        return set(schema_sides.get(where.split(".")[2], set()))
    return set()


def _mentions(symbol: str, change: Change, operations: dict[str, str]) -> bool:
    last = symbol.split("(", 1)[-1].rstrip(")") if "(" in symbol else symbol.rsplit(".", 1)[-1]
    field = change.location.split(" ")[-1].split(".")[-1]
    if field and field[0].islower():
        snake = snake_case(field)
        # a field `vote_type`, or a type named after it such as `FeedbackVoteType`
        if last in {field, snake} or last.endswith(field[0].upper() + field[1:]):
            return True
    if any(operations.get(part, "\0") in change.message for part in symbol.split(".")):
        return True
    # a quoted name in the message, e.g. a `required` list: "userId" is the field `user_id`
    quoted = re.findall(r"[`'\"]([A-Za-z_][\w-]*)[`'\"]", change.message)
    return any(word == last or snake_case(word) == last for word in quoted)


def link(
    python: list[PyChange],
    changes: list[Change],
    operations: dict[str, str],
    schema_sides: Directions | None = None,
) -> list[PyChange]:
    """Point each Python change at a spec change on the same side (request or response) that explains it."""
    linked = []
    for change in python:
        mine = set(change.direction.split(" and ")) if change.direction else set()
        cause = next(
            (
                f"{c.rule} at {c.location}"
                for c in changes
                if _mentions(change.symbol, c, operations)
                and not (mine and (theirs := change_sides(c, schema_sides or {})) and not mine & theirs)
            ),
            "",
        )
        linked.append(
            PyChange(
                change.level,
                change.symbol,
                change.before,
                change.after,
                change.message,
                cause,
                change.direction,
            )
        )
    return linked
