"""Tie each Python change to the spec change that explains it, on the same side of the wire."""

from __future__ import annotations

import re

from tools.codegen.naming import snake_case

from ._directions import RECEIVED, SENT, Directions
from ._model import LEVELS, Change, PyChange


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


# Rules that change only documentation: they never explain a changed type or signature, so they
# are credited only when nothing else at the location is.
_DOCUMENTATION = re.compile(r"(description|summary|example|title)")


def _specificity(python: PyChange, change: Change, order: int) -> tuple[int, int, int, int]:
    """Sort key, most specific first: a rule that changes types, of the Python change's level, at the
    deepest location; the spec's order breaks ties."""
    distance = abs(LEVELS.index(python.level) - LEVELS.index(change.level))
    depth = len(re.split(r"[ .]", change.location))
    return (bool(_DOCUMENTATION.search(change.rule)), distance, -depth, order)


def link(
    python: list[PyChange],
    changes: list[Change],
    operations: dict[str, str],
    schema_sides: Directions | None = None,
) -> list[PyChange]:
    """Point each Python change at the most specific spec change on the same side (request or response)
    that explains it: a vendor who drops an enum value and rewords the field's description gets the
    enum change credited, not the description."""
    linked = []
    for change in python:
        mine = set(change.direction.split(" and ")) if change.direction else set()
        candidates = [
            (order, c)
            for order, c in enumerate(changes)
            if _mentions(change.symbol, c, operations)
            and not (mine and (theirs := change_sides(c, schema_sides or {})) and not mine & theirs)
        ]
        best = min(candidates, key=lambda pair: _specificity(change, pair[1], pair[0]), default=None)
        cause = f"{best[1].rule} at {best[1].location}" if best else ""
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
