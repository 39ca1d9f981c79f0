"""What each operation answers, decided once from the spec at start-up.

- A POST/PUT with a JSON object body whose success body has an `id` stores its body in the
  collection named by its path. Its identity is the body's required uuid fields, case-insensitive
  (for feedback: conversationMessageId and userId), so a second call updates; with no such field
  every call creates.
- A GET on `<collection>/{id}` answers that document, or the documented 404.
- A GET on `<collection>` answers the stored documents if its success body is an array, or an
  object with an array property (`limit`/`take`, `offset`/`skip` and field filters apply).
- Any other operation answers its success body built from the schema (the spec's examples first).
"""

from __future__ import annotations

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


def handlers(spec: Spec, store: DocumentStore, upserts: Counter[tuple[str, ...]]) -> dict[int, Handler]:
    """One handler per operation, keyed by id(operation)."""
    out: dict[int, Handler] = {}
    collections = {}
    for op in spec.operations:
        success = op.success_schema
        if op.method in ("POST", "PUT") and op.body is not None and success is not None:
            request, response = op.body.resolve(), success.resolve()
            if request.get("type") == "object" and "id" in response.get("properties", {}):
                collections[op.template.rstrip("/")] = Shape.of(success, response)
                out[id(op)] = _create(op, request, collections[op.template.rstrip("/")], store, upserts)
    for op in spec.operations:
        parent, _, last = op.template.rstrip("/").rpartition("/")
        if id(op) in out:
            continue
        if op.method == "GET" and op.success_schema is not None:
            if parent in collections and last.startswith("{") and last.count("{") == 1:
                out[id(op)] = _by_id(op, parent, store)
                continue
            if op.template.rstrip("/") in collections and (lister := _lister(op, store)) is not None:
                out[id(op)] = lister
                continue
        out[id(op)] = _generic(op)
    return out


def _generic(op: Operation) -> Handler:
    schema = op.success_schema
    body = None
    if schema is not None and op.success in op.media_examples:
        body = instance(schema, example=op.media_examples[op.success])
    elif schema is not None:
        body = instance(schema)

    def answer(path: dict[str, str], query: dict[str, Any], request: Any) -> Answer:
        return op.success, body

    return answer


def _create(
    op: Operation,
    request: dict[str, Any],
    shape: Shape,
    store: DocumentStore,
    upserts: Counter[tuple[str, ...]],
) -> Handler:
    assert op.body is not None
    properties = {name: op.body.resolve(p) for name, p in request.get("properties", {}).items()}
    uuids = [name for name, p in properties.items() if p.get("format") == "uuid"]
    identity = [name for name in uuids if name in request.get("required", [])]
    # What the response says of a field the request left out: null where it may be null.
    absent = {name: None for name in shape.nullable if name not in ("id", "createdAt", "updatedAt")}

    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        # A database's uuid type gives ids back in lower case; identity ignores case the same way.
        document = {**absent, **body, **{n: body[n].lower() for n in uuids if isinstance(body.get(n), str)}}
        key = tuple(document[name] for name in identity)
        if key:
            upserts[key] += 1
        row = store.upsert(op.template.rstrip("/"), "\x1f".join(key) or str(uuid.uuid4()), document)
        return op.success, shape.answer(row.record())

    return answer


def _by_id(op: Operation, collection: str, store: DocumentStore) -> Handler:
    assert op.success_schema is not None
    shape = Shape.of(op.success_schema, op.success_schema.schema)
    not_found = error_body(op, 404, {"statusCode": 404, "message": "Not Found", "error": "Not Found"})

    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        row = store.get(collection, next(iter(path.values()), "").lower())
        return (op.success, shape.answer(row.record())) if row else (404, not_found)

    return answer


def _lister(op: Operation, store: DocumentStore) -> Handler | None:
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
    collection = op.template.rstrip("/")

    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        rows = [row for row in store.rows(collection) if _matches(row, query)]
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
