"""Stored collections and the handlers of one item in them, `<collection>/{id}`: GET reads it, DELETE
removes it, PATCH merges the body into it, PUT replaces it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._routes import Operation
from ._shapes import Answer, Handler, Shape, error_body, example
from ._store import DocumentStore, Row

NEST_404 = {"statusCode": 404, "message": "Not Found", "error": "Not Found"}


@dataclass(frozen=True)
class Collection:
    """Documents stored by one create operation at `template`, which may sit under a parent's item."""

    template: str
    uuids: tuple[str, ...]
    """Request fields of uuid format: stored in lower case, as a database's uuid type gives them back."""
    absent: dict[str, None]
    """What the response says of a field the request left out: null where it may be null."""
    defaults: dict[str, Any] = field(default_factory=dict)
    """The request's declared defaults: what a field left out of a create is stored as."""

    def key(self, path: dict[str, str]) -> str:
        """The stored collection for these path values, e.g. one conversation's messages."""
        return PARAM.sub(lambda m: path.get(m.group(1), "").lower(), self.template)

    def document(self, body: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        lowered = {n: body[n].lower() for n in self.uuids if isinstance(body.get(n), str)}
        return {**base, **body, **lowered}


def _item(
    change: Callable[[DocumentStore, str, str, Row, Any], Row | None],
) -> Callable[[Operation, Collection, str, DocumentStore], Handler]:
    """A handler maker for one method on `<collection>/{name}`: the documented 404 for an unknown
    id, else `change` (which may return None when the document went meanwhile) and its answer."""

    def make(op: Operation, collection: Collection, name: str, store: DocumentStore) -> Handler:
        not_found = error_body(op, 404, NEST_404)
        success = op.success_schema
        shape = Shape.of(success, success.schema) if success is not None else None
        fallback = example(op)

        def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
            where, id_ = collection.key(path), path.get(name, "").lower()
            row = store.get(where, id_)
            if row is not None:
                row = change(store, where, id_, row, _Patch(collection, body))
            if row is None:
                return 404, not_found
            if success is None or shape is None:
                return op.success, None
            record = row.record()
            if op.method == "DELETE":
                # a body such as {"success": boolean} confirms the deletion that just happened
                flags = {
                    n for n, p in shape.properties.items() if success.resolve(p).get("type") == "boolean"
                }
                record = {**{n: True for n in flags - record.keys()}, **record}
            shaped = shape.answer(record)
            return op.success, shaped if success.is_valid(shaped) else fallback

        return answer

    return make


@dataclass(frozen=True)
class _Patch:
    collection: Collection
    body: Any


def _get(store: DocumentStore, where: str, id_: str, row: Row, patch: _Patch) -> Row | None:
    return row


def _delete(store: DocumentStore, where: str, id_: str, row: Row, patch: _Patch) -> Row | None:
    return row if store.delete(where, id_) else None


def _merge(store: DocumentStore, where: str, id_: str, row: Row, patch: _Patch) -> Row | None:
    if not isinstance(patch.body, dict):
        return row  # a body the spec allows but that is no object has nothing to merge
    return store.update(where, id_, patch.collection.document(patch.body, row.body))


def _replace(store: DocumentStore, where: str, id_: str, row: Row, patch: _Patch) -> Row | None:
    if not isinstance(patch.body, dict):
        return row
    base = {**patch.collection.absent, **patch.collection.defaults}
    return store.update(where, id_, patch.collection.document(patch.body, base))


ITEM = {"GET": _item(_get), "DELETE": _item(_delete), "PATCH": _item(_merge), "PUT": _item(_replace)}
PARAM = re.compile(r"\{([^{}/]+)\}")
