"""The pagination rule: which list operations page, and how.

The generator (tools/codegen/surface/build.py) applies it to write each Operation's `pagination`, and the local
test server (raia_agent.testing) applies the same function to page its list answers, so the client
and the server cannot disagree on a shape. It reads plain resolved schemas and imports nothing.

A GET pages when its success body is an object with exactly one array property and either
- a cursor-like query parameter (`cursor`, `after`, `page_token`...) and a next-cursor-like
  body property (`nextCursor`, `next_page_token`...): style "cursor"; or
- `offset`/`skip` and `limit`/`take` query parameters and a `total`/`count` body property:
  style "offset".
`spec/generator.yaml`'s `pagination:` section declares what this rule misses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

STYLES = ("cursor", "offset")
CURSOR_PARAMS = ("cursor", "after", "startingafter", "pagetoken", "nexttoken", "continuationtoken")
NEXT_CURSOR_FIELDS = ("nextcursor", "nextpagetoken", "nexttoken", "cursornext", "continuationtoken")
OFFSET_PARAMS = ("offset", "skip")
LIMIT_PARAMS = ("limit", "take", "pagesize", "perpage")
TOTAL_FIELDS = ("total", "count", "totalcount")
KEYS = ("style", "items", "param", "field", "limit")
"""A description's keys: the array property, the request's cursor/offset parameter, the body's
next-cursor/total property, and the limit parameter (None when the operation has none)."""


def folded(name: str) -> str:
    """`next_cursor`, `nextCursor` and `Next-Cursor` alike."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _find(names: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    for name in names:
        if folded(name) in wanted:
            return name
    return None


def recognise(
    method: str,
    query: Iterable[str],
    body: dict[str, Any] | None,
    resolve: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, str | None] | None:
    """The pagination of an operation (`KEYS` to wire names), or None when the rule sees none.

    `query` is the wire names of its query parameters, `body` its resolved success body schema,
    `resolve` resolves a property's schema (a `$ref`) in the same spec.
    """
    if method.upper() != "GET" or not isinstance(body, dict) or body.get("type", "object") != "object":
        return None
    properties = body.get("properties") or {}
    arrays = [n for n, p in properties.items() if isinstance(p, dict) and resolve(p).get("type") == "array"]
    if len(arrays) != 1:
        return None
    query = list(query)
    limit = _find(query, LIMIT_PARAMS)
    cursor, next_cursor = _find(query, CURSOR_PARAMS), _find(properties, NEXT_CURSOR_FIELDS)
    if cursor is not None and next_cursor is not None:
        return {"style": "cursor", "items": arrays[0], "param": cursor, "field": next_cursor, "limit": limit}
    offset, total = _find(query, OFFSET_PARAMS), _find(properties, TOTAL_FIELDS)
    if offset is not None and limit is not None and total is not None:
        return {"style": "offset", "items": arrays[0], "param": offset, "field": total, "limit": limit}
    return None


def declared(entry: object, where: str) -> dict[str, str | None]:
    """A `pagination:` entry of generator.yaml, checked: a style and the wire names it needs."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping with style, items, param, field")
    unknown = [str(k) for k in entry if k not in KEYS]
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(KEYS)})")
    if entry.get("style") not in STYLES:
        raise ValueError(f"{where}: style must be one of {', '.join(STYLES)}")
    for key in ("items", "param", "field"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ValueError(
                f"{where}: {key} must name a {'query parameter' if key == 'param' else 'property'}"
            )
    limit = entry.get("limit")
    if limit is not None and not isinstance(limit, str):
        raise ValueError(f"{where}: limit must name a query parameter")
    return {key: entry.get(key) for key in KEYS}
