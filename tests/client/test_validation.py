"""The generic request path turns any operation's arguments into a safe request, or refuses them by name."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime

import pytest

from raia_agent._validation import prepare
from raia_runtime import Operation, Param

OP: Operation[object] = Operation(
    name="things.update_thing",
    method="PUT",
    path="/things/{name}",
    params=(
        Param("name", "name", "path"),
        Param("limit", "limit", "query"),
        Param("tags", "tags", "query"),
        Param("trace", "X-Trace", "header"),
        Param("when", "when", "body"),
        Param("owner", "ownerId", "body"),
    ),
    params_schema={
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
            "tags": {"type": "array", "items": {"type": "string"}},
            "X-Trace": {"type": "string"},
        },
        "required": ["name"],
    },
    body_schema={
        "type": "object",
        "properties": {"when": {"type": "string"}, "ownerId": {"type": "string", "format": "uuid"}},
    },
    body_required=False,
    success=200,
    replies={},
)


def test_arguments_go_where_the_spec_says() -> None:
    """Path, query, header and body arguments each land in their place, converted to JSON types."""
    owner = uuid.uuid4()
    when = datetime(2026, 11, 29, tzinfo=UTC)
    prepared = prepare(
        OP, {"name": "a b/c", "limit": 5, "tags": ("x", "y"), "trace": "t-1", "when": when, "owner": owner}
    )
    assert prepared.path == "/things/a%20b%2Fc"
    assert prepared.query == {"limit": 5, "tags": ["x", "y"]}
    assert prepared.headers == {"X-Trace": "t-1"}
    assert json.loads(prepared.content or b"") == {"when": when.isoformat(), "ownerId": str(owner)}


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_segments_cannot_reach_another_endpoint(name: str) -> None:
    """A path argument of "." or ".." is escaped, so URL normalisation cannot drop it."""
    assert prepare(OP, {"name": name}).path == "/things/" + name.replace(".", "%2E")


@pytest.mark.parametrize(
    ("args", "exc", "named"),
    [
        ({"name": "n", "limit": 0}, ValueError, "limit"),
        ({"name": "n", "limit": 101}, ValueError, "limit"),
        ({"name": "n", "limit": "5"}, TypeError, "limit"),
        ({}, ValueError, "name is required"),
        ({"name": "n", "trace": "a\r\nX-Evil: 1"}, ValueError, "trace: must be printable ASCII"),
        ({"name": "n", "owner": "nope"}, ValueError, "owner"),
        ({"name": "n", "when": float("nan")}, ValueError, "when: NaN"),
    ],
)
def test_bad_arguments_are_refused_by_name(args: dict[str, object], exc: type[Exception], named: str) -> None:
    """Out-of-bounds integers, wrong types, missing path arguments, header injection: refused, named."""
    with pytest.raises(exc, match=named):
        prepare(OP, args)


def test_an_optional_empty_body_is_not_sent() -> None:
    """With no body argument and an optional body, no content is sent."""
    assert prepare(OP, {"name": "n"}).content is None


@pytest.mark.parametrize(
    ("args", "exc", "named"),
    [
        ({"name": "\ud800"}, ValueError, "name: must be text UTF-8 can encode"),
        ({"name": "n", "tags": ["ok", "\udfff"]}, ValueError, "tags: must be text"),
        ({"name": "n", "tags": ["x" * 9000]}, ValueError, "tags: must be text"),
        ({"name": ""}, ValueError, "name: must not be empty"),
        ({"name": "n", "when": {"a": 1}}, TypeError, "when"),
        ({"name": "n", "owner": {1, 2}}, TypeError, "owner: a set cannot be sent"),
        ({"name": "n", "owner": b"raw"}, TypeError, "owner: a bytes cannot be sent"),
        ({"name": "n", "limit": 10**5000}, ValueError, "limit: is too large"),
    ],
)
def test_values_no_url_or_json_can_carry_are_refused_by_name(
    args: dict[str, object], exc: type[Exception], named: str
) -> None:
    """Lone surrogates, huge or empty URL parts, sets, bytes and giant numbers are refused before sending."""
    with pytest.raises(exc, match=named):
        prepare(OP, args)


def test_an_integer_wider_than_64_bits_is_checked_and_sent() -> None:
    """An integer past 64 bits that its schema allows is sent as given, never refused as unreadable."""
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "limit": {"type": "integer"}}}
    unbounded = dataclasses.replace(OP, params_schema=schema, cache={})
    assert prepare(unbounded, {"name": "n", "limit": 10**30}).query == {"limit": 10**30}
    with pytest.raises(TypeError, match="limit"):
        prepare(unbounded, {"name": "n", "limit": 2.5})


def test_deeply_nested_arguments_are_refused_not_recursed() -> None:
    """An argument nested thousands deep is a ValueError naming it, never a RecursionError."""
    deep: object = "leaf"
    for _ in range(5000):
        deep = {"a": deep}
    with pytest.raises(ValueError, match="when: is nested more than"):
        prepare(OP, {"name": "n", "when": deep})


def test_enum_members_are_sent_as_their_plain_values() -> None:
    """A StrEnum or IntEnum argument travels as its plain value."""
    import enum

    class Size(enum.IntEnum):
        TEN = 10

    class Owner(enum.StrEnum):
        ME = "0f8fad5b-d9cb-469f-a165-70867728950e"

    prepared = prepare(OP, {"name": "n", "limit": Size.TEN, "owner": Owner.ME})
    assert prepared.query == {"limit": 10}
    assert json.loads(prepared.content or b"") == {"ownerId": Owner.ME.value}


NULLABLE: Operation[object] = Operation(
    name="things.create",
    method="POST",
    path="/things",
    # generation marks the required, nullable field (tests/client/test_required_nullable.py pins that)
    params=(Param("answer", "answer", "body", send_null=True), Param("note", "note", "body")),
    params_schema=None,
    body_schema={
        "type": "object",
        "properties": {"answer": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}},
        "required": ["answer"],
    },
    body_required=True,
    success=201,
    replies={},
)


def test_a_required_nullable_argument_is_sent_as_null() -> None:
    """None for a required, nullable field is sent as null; for an optional one it is left out."""
    assert json.loads(prepare(NULLABLE, {"answer": None, "note": None}).content or b"") == {"answer": None}
