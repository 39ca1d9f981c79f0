"""What each operation answers, decided once from the spec at start-up, from its method and path.

- A POST/PUT with a JSON object body whose success body has an `id` makes its path a collection
  and stores its body there. Its identity is the route's upsert key in spec/generator.yaml's
  `server` section (else the body's required uuid fields), case-insensitive, so a second call
  updates; with no such field every call creates.
- On an item, `<collection>/{id}`: GET answers the document, DELETE removes it, PATCH merges the
  body into it, PUT replaces its body (id and creation time stay); an unknown id gets the documented
  404 (NestJS's own when none is documented).
- A GET on `<collection>` answers the stored documents if its success body is an array, or an
  object with an array property (`limit`/`take`, `offset`/`skip` and field filters apply).
- Any other operation answers its success body built from the schema (the spec's examples first).
- A path under an item (`/conversations/{id}/messages`) first needs that item, else its documented
  404 (one that documents none answers anyway). A collection under an item holds that item's
  documents only.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from raia_agent_api._facts import TIMESTAMPS, UPSERT_KEYS

from raia_runtime.paging import recognise

from ._answers import handler as not_json
from ._item_handlers import ITEM, NEST_404, PARAM, Collection
from ._routes import Operation, Spec, Validator
from ._shapes import Answer, Handler, Shape, error_body, example
from ._store import DocumentStore, Row

_LIMITS, _OFFSETS, _TOTALS = (
    ("limit", "take", "pagesize"),
    ("offset", "skip"),
    ("total", "count", "totalcount"),
)


def handlers(spec: Spec, store: DocumentStore, upserts: Counter[tuple[str, ...]]) -> dict[int, Handler]:
    """One handler per operation, keyed by id(operation); what each does is read from the spec alone:
    its method, whether its path is a collection (a path some operation creates documents at) or an
    item under one (`<collection>/{param}`), and the 404 it documents."""
    collections: dict[str, Collection] = {}
    out: dict[int, Handler] = {}
    for op in spec.operations:
        success = op.success_schema
        parent, _, last = op.template.rstrip("/").rpartition("/")
        if parent in collections and PARAM.fullmatch(last):
            continue  # a PUT on an item replaces it (parents come first: the spec is sorted by depth)
        if op.method in ("POST", "PUT") and op.body is not None and success is not None:
            request, response = _object(op.body), success.resolve()
            if request is not None and "id" in response.get("properties", {}):
                template = _collection_of(op.template.rstrip("/"), spec)
                properties = {name: op.body.resolve(p) for name, p in request.get("properties", {}).items()}
                shape = Shape.of(success, response)
                collections[template] = Collection(
                    template,
                    tuple(n for n, p in properties.items() if p.get("format") == "uuid"),
                    {n: None for n in shape.nullable if n not in ("id", *TIMESTAMPS.values())},
                    {n: p["default"] for n, p in properties.items() if "default" in p},
                )
                identity = list(UPSERT_KEYS.get(f"{op.method} {op.template}", ())) or [
                    n for n in collections[template].uuids if n in request.get("required", [])
                ]
                if op.form is not None and op.form.files and f"{op.method} {op.template}" not in UPSERT_KEYS:
                    identity = []  # each upload is a new file, whatever it names

                out[id(op)] = _create(op, collections[template], shape, identity, store, upserts)
    for op in spec.operations:
        template = op.template.rstrip("/")
        parent, _, last = template.rpartition("/")
        item = collections.get(parent) if PARAM.fullmatch(last) and op.method in ITEM else None
        if id(op) in out:
            pass
        elif (media := not_json(op, store)) is not None:
            out[id(op)] = media
        elif item is not None:
            out[id(op)] = ITEM[op.method](op, item, last[1:-1], store)
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


def _object(body: Validator) -> dict[str, Any] | None:
    """The request body as one object schema: itself, or the properties of every oneOf/anyOf
    alternative merged (`{email} | {phoneNumber}`); None for a body that is no object."""
    schema = body.resolve()
    if schema.get("type") == "object":
        return schema
    options = [body.resolve(o) for o in schema.get("oneOf") or schema.get("anyOf") or ()]
    if not options or any(o.get("type") != "object" for o in options):
        return None
    merged: dict[str, Any] = {}
    for option in options:
        merged |= option.get("properties") or {}
    required = set.intersection(*(set(o.get("required") or ()) for o in options))
    return {"type": "object", "properties": merged, "required": sorted(required)}


def _collection_of(template: str, spec: Spec) -> str:
    """Where a create stores: its own path, or, for an action beside the items
    (`POST /conversations/start` next to `GET /conversations/{id}`), the collection it acts on."""
    parent, _, last = template.rpartition("/")
    if parent and not PARAM.fullmatch(last):
        for op in spec.operations:
            above, _, item = op.template.rstrip("/").rpartition("/")
            if op.method == "GET" and above == parent and PARAM.fullmatch(item):
                return parent
    return template


def _parents(
    template: str, collections: dict[str, Collection], item: Collection | None
) -> list[tuple[Collection, str]]:
    """The stored items a path lies under, outermost first, as (collection, path parameter)."""
    segments = template.split("/")
    found = []
    for i, segment in enumerate(segments[:-1] if item is not None else segments):
        collection = collections.get("/".join(segments[:i]))
        if collection is not None and (named := PARAM.fullmatch(segment)):
            found.append((collection, named.group(1)))
    return found


def _within_parents(
    op: Operation, parents: list[tuple[Collection, str]], store: DocumentStore, handler: Handler
) -> Handler:
    if not parents or 404 not in op.responses:
        return handler  # an operation that documents no 404 is not refused one
    not_found = error_body(op, 404, NEST_404)

    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        for collection, name in parents:
            if store.get(collection.key(path), path.get(name, "").lower()) is None:
                return 404, not_found
        return handler(path, query, body)

    return answer


def _generic(op: Operation) -> Handler:
    body = example(op)

    def answer(path: dict[str, str], query: dict[str, Any], request: Any) -> Answer:
        return op.success, body

    return answer


def _create(
    op: Operation,
    collection: Collection,
    shape: Shape,
    identity: list[str],
    store: DocumentStore,
    upserts: Counter[tuple[str, ...]],
) -> Handler:
    uuids = {n for n, p in shape.properties.items() if success_format(op, p) == "uuid"}

    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        # a child created under an item names that item as the path does (`conversationId`)
        echoed = {n: v.lower() if n in uuids else v for n, v in path.items() if n in shape.properties}
        document = collection.document(body, {**collection.absent, **collection.defaults, **echoed})
        key = tuple(str(document.get(name, "")) for name in identity)
        if key:
            upserts[key] += 1
        row = store.upsert(collection.key(path), "\x1f".join(key) or str(uuid.uuid4()), document)
        return op.success, shape.answer(row.record())

    return answer


def success_format(op: Operation, prop: Any) -> Any:
    success = op.success_schema
    return None if success is None else success.resolve(prop).get("format")


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
    # The client's rule for a cursor page (raia_runtime.paging); the cursor is an offset in text.
    query_names = [p.name for p in op.params if p.location == "query"]
    paging = recognise(op.method, query_names, resolved, schema.resolve)
    cursor = paging if paging is not None and paging["style"] == "cursor" else None

    def answer(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        rows = [row for row in store.rows(collection.key(path)) if _matches(row, query)]
        limit = _count(next((query[k] for k in query if k.lower() in _LIMITS), None))
        offset = _count(next((query[k] for k in query if k.lower() in _OFFSETS), None)) or 0
        if cursor is not None and cursor["param"] in query:
            given = str(query[cursor["param"]])
            if not given.isdigit() or len(given) > 9:
                return 400, {
                    "statusCode": 400,
                    "message": [f"{cursor['param']} is not a cursor"],
                    "error": "Bad Request",
                }
            offset = int(given)
        page = [shape.answer(row.record()) for row in rows[offset:][:limit]]
        if wrapper is None or array_name is None:
            return op.success, page
        extra = {n: len(rows) for n in wrapper.properties if _is_total(n)}
        extra |= {n: query[n] for n in wrapper.properties if n in query}
        reply = {**wrapper.template, **extra, array_name: page}
        if cursor is not None:
            following, field = offset + len(page), str(cursor["field"])
            reply.pop(field, None)  # the last page has none (null only where the schema allows it)
            if page and following < len(rows):
                reply[field] = str(following)
            elif field in wrapper.nullable:
                reply[field] = None
        return op.success, reply

    return answer


def _is_total(name: str) -> bool:
    """A list body's count of what the collection holds: `total`, `count`, `totalItems`, `totalCount`..."""
    lowered = name.lower()
    return lowered in _TOTALS or (
        lowered.startswith("total") and lowered[5:] in ("items", "results", "records")
    )


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
