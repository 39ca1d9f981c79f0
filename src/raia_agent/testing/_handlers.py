"""What each operation answers, decided once from the spec at start-up, from its method and path.

- A POST/PUT with a JSON object body whose success body has an `id` makes its path a collection
  and stores its body there. Its identity is the body's required uuid fields, case-insensitive
  (for feedback: conversationMessageId and userId), so a second call updates; with no such field
  every call creates.
- On an item, `<collection>/{id}`: GET answers the document, DELETE removes it, PATCH merges the
  body into it, PUT replaces its body (id and createdAt stay); an unknown id gets the documented
  404 (NestJS's own when none is documented).
- A GET on `<collection>` answers the stored documents if its success body is an array, or an
  object with an array property (`limit`/`take`, `offset`/`skip` and field filters apply).
- Any other operation answers its success body built from the schema (the spec's examples first).
- A path under an item (`/conversations/{id}/messages`) first needs that item: else the 404. A
  collection under an item holds that item's documents only.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from ._instances import build, instance
from ._spec import Operation, Spec, Validator
from ._store import DocumentStore, Row

Answer = tuple[int, Any]
_LIMITS, _OFFSETS, _TOTALS = (
    ("limit", "take", "pagesize"),
    ("offset", "skip"),
    ("total", "count", "totalcount"),
)


# (path parameters, query parameters, body) -> (status, body), all checked against the spec already.
Handler = Callable[[dict[str, str], dict[str, Any], Any], Answer]


def error_body(op: Operation, status: int, fallback: dict[str, Any]) -> Any:
    """The documented body for an error status, its defaults first (they are the vendor's values)."""
    schema = op.responses.get(status)
    if schema is None:
        return fallback
    phrase = HTTPStatus(status).phrase
    hints = {"status": status, "statusCode": status, "message": phrase, "error": phrase}
    if status in op.media_examples:
        return instance(schema, hints, op.media_examples[status])
    return instance(schema, hints)


@dataclass(frozen=True)
class Shape:
    """How to answer a stored document through one response schema."""

    properties: dict[str, Any]
    nullable: frozenset[str]
    template: dict[str, Any]

    @classmethod
    def of(cls, validator: Validator, schema: Any) -> Shape:
        resolved = validator.resolve(schema)
        properties = resolved.get("properties", {})
        nullable = frozenset(n for n, p in properties.items() if _allows_null(validator.resolve(p)))
        template = build(validator, resolved)
        return cls(properties, nullable, template if isinstance(template, dict) else {})

    def answer(self, record: dict[str, Any]) -> dict[str, Any]:
        if not self.properties:
            return record
        out = dict(self.template)
        for name in self.properties:
            if name in record:
                out[name] = record[name]
            elif name in self.nullable:
                out[name] = None
        return out


def _allows_null(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    return (isinstance(types, list) and "null" in types) or {"type": "null"} in schema.get("anyOf", [])


NEST_404 = {"statusCode": 404, "message": "Not Found", "error": "Not Found"}


@dataclass(frozen=True)
class Collection:
    """Documents stored by one create operation at `template`, which may sit under a parent's item."""

    template: str
    uuids: tuple[str, ...]
    """Request fields of uuid format: stored in lower case, as a database's uuid type gives them back."""
    absent: dict[str, None]
    """What the response says of a field the request left out: null where it may be null."""

    def key(self, path: dict[str, str]) -> str:
        """The stored collection for these path values, e.g. one conversation's messages."""
        return _PARAM.sub(lambda m: path.get(m.group(1), "").lower(), self.template)

    def document(self, body: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        lowered = {n: body[n].lower() for n in self.uuids if isinstance(body.get(n), str)}
        return {**base, **body, **lowered}


def handlers(spec: Spec, store: DocumentStore, upserts: Counter[tuple[str, ...]]) -> dict[int, Handler]:
    """One handler per operation, keyed by id(operation); what each does is read from the spec alone:
    its method, whether its path is a collection (a path some operation creates documents at) or an
    item under one (`<collection>/{param}`), and the 404 it documents."""
    collections: dict[str, Collection] = {}
    out: dict[int, Handler] = {}
    for op in spec.operations:
        success = op.success_schema
        parent, _, last = op.template.rstrip("/").rpartition("/")
        if parent in collections and _PARAM.fullmatch(last):
            continue  # a PUT on an item replaces it (parents come first: the spec is sorted by depth)
        if op.method in ("POST", "PUT") and op.body is not None and success is not None:
            request, response = op.body.resolve(), success.resolve()
            if request.get("type") == "object" and "id" in response.get("properties", {}):
                template = op.template.rstrip("/")
                properties = {name: op.body.resolve(p) for name, p in request.get("properties", {}).items()}
                shape = Shape.of(success, response)
                collections[template] = Collection(
                    template,
                    tuple(n for n, p in properties.items() if p.get("format") == "uuid"),
                    {n: None for n in shape.nullable if n not in ("id", "createdAt", "updatedAt")},
                )
                identity = [n for n in collections[template].uuids if n in request.get("required", [])]
                out[id(op)] = _create(op, collections[template], shape, identity, store, upserts)
    for op in spec.operations:
        template = op.template.rstrip("/")
        parent, _, last = template.rpartition("/")
        item = collections.get(parent) if _PARAM.fullmatch(last) and op.method in _ITEM else None
        if id(op) in out:
            pass
        elif item is not None:
            out[id(op)] = _ITEM[op.method](op, item, last[1:-1], store)
        elif (
            op.method == "GET"
            and template in collections
            and (lister := _lister(op, collections[template], store)) is not None
        ):
            out[id(op)] = lister
        else:
            out[id(op)] = _generic(op)
        out[id(op)] = _within_parents(op, _parents(template, collections, item), store, out[id(op)])
    return out


def _parents(
    template: str, collections: dict[str, Collection], item: Collection | None
) -> list[tuple[Collection, str]]:
    """The stored items a path lies under, outermost first, as (collection, path parameter)."""
    segments = template.split("/")
    found = []
    for i, segment in enumerate(segments[:-1] if item is not None else segments):
        collection = collections.get("/".join(segments[:i]))
        if collection is not None and (named := _PARAM.fullmatch(segment)):
            found.append((collection, named.group(1)))
    return found


def _within_parents(
    op: Operation, parents: list[tuple[Collection, str]], store: DocumentStore, handler: Handler
) -> Handler:
    if not parents:
        return handler
    not_found = error_body(op, 404, NEST_404)

    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        for collection, name in parents:
            if store.get(collection.key(path), path.get(name, "").lower()) is None:
                return 404, not_found
        return handler(path, query, body)

    return answer


def _generic(op: Operation) -> Handler:
    body = _example(op)

    def answer(path: dict[str, str], query: dict[str, Any], request: Any) -> Answer:
        return op.success, body

    return answer


def _example(op: Operation) -> Any:
    schema = op.success_schema
    if schema is not None and op.success in op.media_examples:
        return instance(schema, example=op.media_examples[op.success])
    return None if schema is None else instance(schema)


def _create(
    op: Operation,
    collection: Collection,
    shape: Shape,
    identity: list[str],
    store: DocumentStore,
    upserts: Counter[tuple[str, ...]],
) -> Handler:
    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        document = collection.document(body, collection.absent)
        key = tuple(document[name] for name in identity)
        if key:
            upserts[key] += 1
        row = store.upsert(collection.key(path), "\x1f".join(key) or str(uuid.uuid4()), document)
        return op.success, shape.answer(row.record())

    return answer


def _item(
    change: Callable[[DocumentStore, str, str, Row, Any], Row | None],
) -> Callable[[Operation, Collection, str, DocumentStore], Handler]:
    """A handler maker for one method on `<collection>/{name}`: the documented 404 for an unknown
    id, else `change` (which may return None when the document went meanwhile) and its answer."""

    def make(op: Operation, collection: Collection, name: str, store: DocumentStore) -> Handler:
        not_found = error_body(op, 404, NEST_404)
        success = op.success_schema
        shape = Shape.of(success, success.schema) if success is not None else None
        fallback = _example(op)

        def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
            where, id_ = collection.key(path), path.get(name, "").lower()
            row = store.get(where, id_)
            if row is not None:
                row = change(store, where, id_, row, _Patch(collection, body))
            if row is None:
                return 404, not_found
            if success is None or shape is None:
                return op.success, None
            shaped = shape.answer(row.record())
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
    return store.update(where, id_, patch.collection.document(patch.body, patch.collection.absent))


_ITEM = {"GET": _item(_get), "DELETE": _item(_delete), "PATCH": _item(_merge), "PUT": _item(_replace)}
_PARAM = re.compile(r"\{([^{}/]+)\}")


def _lister(op: Operation, collection: Collection, store: DocumentStore) -> Handler | None:
    schema = op.success_schema
    assert schema is not None
    resolved = schema.resolve()
    if resolved.get("type") == "array":
        array_name = None
        item = resolved.get("items", {})
    else:
        arrays = [
            n for n, p in resolved.get("properties", {}).items() if schema.resolve(p).get("type") == "array"
        ]
        if not arrays:
            return None
        array_name = next((n for n in ("items", "data", "results") if n in arrays), arrays[0])
        item = schema.resolve(resolved["properties"][array_name]).get("items", {})
    shape = Shape.of(schema, item)
    wrapper = Shape.of(schema, resolved) if array_name else None

    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        rows = [row for row in store.rows(collection.key(path)) if _matches(row, query)]
        limit = _count(next((query[k] for k in query if k.lower() in _LIMITS), None))
        offset = _count(next((query[k] for k in query if k.lower() in _OFFSETS), None)) or 0
        page = [shape.answer(row.record()) for row in rows[offset:][:limit]]
        if wrapper is None or array_name is None:
            return op.success, page
        extra = {n: len(rows) for n in wrapper.properties if n.lower() in _TOTALS}
        extra |= {n: query[n] for n in wrapper.properties if n in query}
        return op.success, {**wrapper.template, **extra, array_name: page}

    return answer


def _count(value: Any) -> int | None:
    # A spec may leave limit/offset unbounded or untyped; only a count makes sense for slicing.
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _matches(row: Row, query: dict[str, Any]) -> bool:
    record = row.record()
    return all(
        str(record[name]).lower() == str(value).lower()
        for name, value in query.items()
        if name in record and name.lower() not in _LIMITS + _OFFSETS
    )
