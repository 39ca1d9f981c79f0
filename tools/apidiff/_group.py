"""One row per change a caller sees: the sync, async and raw flavours of a generated method are one change.

The detailed rows stay in the report (JSON, and the markdown's `<details>` block); these rows are
the summary a reviewer reads first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ._model import PyChange

FLAVOURS = ("sync", "async", "raw", "stream")
# resources.<tag>.[Async]<Name>Resource[WithRawResponse|WithStreamingResponse][.member]: one resource in six flavours
_RESOURCE = re.compile(
    r"^(?P<head>resources\.\w+\.)(?P<aio>Async)?(?P<name>\w+?Resource)"
    r"(?:(?P<raw>WithRawResponse)|(?P<stream>WithStreamingResponse))?(?P<tail>\..+)?$"
)
# A sync spelling as callers write it: resources.<module>.<Name>Resource[.member][(param)]
_CALLER = re.compile(r"^resources\.(?P<module>\w+)\.\w+Resource(?:\.(?P<member>\w+))?(?P<param>\(.*\))?$")
# resources.{Sync,Async}Resources.<attribute>: the client's resource attribute
_ATTRIBUTE = re.compile(r"^resources\.(?P<aio>Sync|Async)Resources(?P<tail>\..+)$")
# api.<tag>.<operation>.{sync,asyncio}[_detailed]: openapi-python-client's functions for one operation
_FUNCTION = re.compile(r"^(?P<head>api\.\w+\.\w+)\.(?P<fn>sync|asyncio)(?P<raw>_detailed)?$")
_KEYWORDS_ON_OWN_ROWS = "its keyword parameters are judged on their own rows"


@dataclass(frozen=True)
class Row:
    change: PyChange
    """The sync flavour's row when there is one (its before/after are shown), else the first."""
    symbol: str
    flavours: tuple[str, ...]
    rows: int
    """How many detailed rows this one stands for."""


def flavour(symbol: str) -> tuple[str, frozenset[str]]:
    """The symbol as its sync flavour spells it, and the flavours `symbol` is."""
    if found := _RESOURCE.match(symbol):
        kinds = {"async" if found["aio"] else "sync"} | ({"raw"} if found["raw"] else set())
        kinds |= {"stream"} if found["stream"] else set()
        return found["head"] + found["name"] + (found["tail"] or ""), frozenset(kinds)
    if found := _ATTRIBUTE.match(symbol):
        return "resources.SyncResources" + found["tail"], frozenset({found["aio"].lower()})
    if found := _FUNCTION.match(symbol):
        kinds = {"async" if found["fn"] == "asyncio" else "sync"} | ({"raw"} if found["raw"] else set())
        return found["head"], frozenset(kinds)
    return symbol, frozenset()


def caller(symbol: str) -> str:
    """A resource's symbol as callers write it (`client.conversations.stream_reply()`); others unchanged."""
    if found := _ATTRIBUTE.match(symbol):
        return "client" + found["tail"]
    if not (found := _CALLER.match(symbol)):
        return symbol
    member, param = found["member"], found["param"]
    if member is None:
        return f"client.{found['module']}"
    called = param or ("" if member.startswith("with_") else "()")
    return f"client.{found['module']}.{member}{called}"


def _absorbed(change: PyChange, symbol: str, others: dict[str, PyChange]) -> bool:
    """Rows a caller does not see apart from another row: a `with_raw_response` or `with_streaming_response`
    attribute of a listed class, a resource class whose client attribute has its row, a field of a model
    added at the same level, a signature whose parameters have their own rows."""
    owner = symbol.rsplit(".", 1)[0]
    if symbol.endswith((".with_raw_response", ".with_streaming_response")) and owner in others:
        return True
    found = _CALLER.match(symbol)
    if found and found["member"] is None and f"resources.SyncResources.{found['module']}" in others:
        return True
    added = others.get(owner)
    if (
        symbol.startswith("models.")
        and added
        and added.message == "class added"
        and added.level == change.level
    ):
        return True
    return _KEYWORDS_ON_OWN_ROWS in change.message and any(s.startswith(symbol + "(") for s in others)


def group(python: Sequence[PyChange]) -> list[Row]:
    """The rows a caller sees, in the detailed rows' order."""
    spelled = [(change, *flavour(change.symbol)) for change in python]
    by_symbol = {symbol: change for change, symbol, _ in spelled}
    groups: dict[tuple[str, ...], list[tuple[PyChange, frozenset[str]]]] = {}
    for change, symbol, kinds in spelled:
        if _absorbed(change, symbol, by_symbol):
            continue
        key = (change.level, symbol, change.direction, change.message, change.cause)
        groups.setdefault(key, []).append((change, kinds))
    rows = []
    for (_, symbol, *_rest), members in groups.items():
        union = frozenset().union(*(k for _, k in members))
        shown = next((c for c, k in members if k == {"sync"}), members[0][0])
        rows.append(Row(shown, caller(symbol), tuple(f for f in FLAVOURS if f in union), len(members)))
    return rows
