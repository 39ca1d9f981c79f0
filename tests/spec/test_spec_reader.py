"""raia_spec, the one spec reader: local references only (through `referencing`), bounded chains,
the OpenAPI 3.0 -> JSON Schema 2020-12 converter, the validator, operations and security headers."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from raia_spec import (
    HTTP_METHODS,
    MAX_CHAIN,
    JsonSchemas,
    Reader,
    RefError,
    Validator,
    operations,
    resolve,
    security_alternatives,
    security_headers,
)
from tests.support.canary import Counting, counting_server


def test_a_chain_of_local_references_is_followed_to_its_end() -> None:
    """Each step is a JSON pointer (escaped `~1`, `~0`, list indexes); the end of the chain is returned."""
    doc = {
        "a": {"$ref": "#/b~1c"},
        "b/c": {"$ref": "#/list/1"},
        "list": [{}, {"$ref": "#/t~0d"}],
        "t~d": {"type": "string"},
    }
    assert Reader(doc).resolve(doc["a"]) == {"type": "string"}
    assert resolve(doc, {"$ref": "#/list/1"}) == {"type": "string"}
    assert Reader(doc).target("#/a") == {"$ref": "#/b~1c"}, "target() takes one step only"
    assert resolve(doc, {"type": "integer"}) == {"type": "integer"}


@pytest.mark.parametrize(
    "doc",
    [
        {"a": {"$ref": "#/a"}},
        {"a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": {"$ref": "#/a"}},
    ],
    ids=["itself", "a ring of three"],
)
def test_a_cycle_of_references_stops_with_an_error_naming_it(doc: dict[str, Any]) -> None:
    """A chain that comes back to a reference it passed is refused, naming the cycle, not followed forever."""
    with pytest.raises(RefError, match=r"\$ref cycle: '#/a' -> .*'#/a'"):
        Reader(doc).resolve({"$ref": "#/a"})


def test_a_chain_longer_than_the_bound_is_refused() -> None:
    """MAX_CHAIN steps are followed; one more is refused (as spec_guard refuses such a spec)."""
    doc: dict[str, Any] = {f"s{i}": {"$ref": f"#/s{i + 1}"} for i in range(MAX_CHAIN)}
    doc[f"s{MAX_CHAIN}"] = {"type": "string"}
    assert Reader(doc).resolve(doc["s0"]) == {"type": "string"}
    doc[f"s{MAX_CHAIN}"] = {"$ref": f"#/s{MAX_CHAIN + 1}"}
    doc[f"s{MAX_CHAIN + 1}"] = {"type": "string"}
    with pytest.raises(RefError, match=f"longer than {MAX_CHAIN} steps"):
        Reader(doc).resolve(doc["s0"])


def test_a_reference_to_nothing_is_an_error_that_names_it_and_not_the_document() -> None:
    """A pointer to no value is a RefError quoting the reference; the document's text stays out of it."""
    doc = {"secret": "CANARY-in-document", "a": {"$ref": "#/missing/x"}}
    with pytest.raises(RefError) as caught:
        Reader(doc).resolve(doc["a"])
    assert "'#/missing/x'" in str(caught.value)
    assert "CANARY" not in str(caught.value)


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str, type[Counting]]]:
    """(secret, a file holding it, a 127.0.0.1 URL serving JSON, the handler counting requests)."""
    secret = f"CANARY-{uuid.uuid4().hex}"
    path = tmp_path_factory.mktemp("canary") / "other.json"
    path.write_text(f'{{"x": {{"const": "{secret}"}}}}', encoding="utf-8")
    with counting_server(b'{"type": "string"}', "other.json") as (url, handler):
        yield secret, path, url, handler


_WATCHED = {"open", "socket.connect", "urllib.Request"}
_events: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _events is not None and event in _WATCHED:
        _events.append((event, repr(args[:2])))


sys.addaudithook(_audit)  # records only while a test sets _events


@pytest.mark.parametrize(
    "kind", ["absolute file", "relative file", "file URL", "http URL", "after a local step"]
)
def test_a_reference_that_is_not_local_is_refused_without_reading_anything(
    kind: str, canary: tuple[str, Path, str, type[Counting]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A $ref to a file or URL is a RefError naming it; no file is opened, no socket connects, 0 requests."""
    global _events
    secret, path, url, handler = canary
    monkeypatch.chdir(path.parent)
    ref = {
        "absolute file": f"{path}#/x",
        "relative file": "other.json#/x",
        "file URL": f"{path.as_uri()}#/x",
        "http URL": f"{url}#/x",
        "after a local step": f"{url}#/x",
    }[kind]
    doc: dict[str, Any] = {"leak": {"$ref": ref}, "step": {"$ref": "#/leak"}}
    start = {"$ref": "#/step"} if kind == "after a local step" else doc["leak"]
    Reader({"warm": {"$ref": "#/x"}, "x": {}}).resolve({"$ref": "#/x"})  # referencing's own modules loaded
    _events = []
    try:
        with pytest.raises(RefError, match="is not local") as caught:
            Reader(doc).resolve(start)
        seen, _events = _events, None
    finally:
        _events = None
    assert repr(ref)[:40] in str(caught.value)
    assert secret not in str(caught.value)
    assert seen == []
    assert handler.hits == 0


def test_the_converter_spells_nullable_and_exclusive_bounds_as_2020_12() -> None:
    """nullable becomes a null type (anyOf where there is no plain type, or an enum); a boolean
    exclusive bound takes the bound's number, and a false or lone one goes."""
    spec: dict[str, Any] = {"components": {"schemas": {"Vote": {"type": "string", "enum": ["up", "down"]}}}}
    convert = JsonSchemas(spec).convert
    assert convert({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert convert({"$ref": "#/components/schemas/Vote", "nullable": True}) == {
        "anyOf": [{"$ref": "#/$defs/Vote"}, {"type": "null"}],
        "$defs": {"Vote": {"type": "string", "enum": ["up", "down"]}},
    }
    assert convert({"type": "string", "enum": ["a"], "nullable": True}) == {
        "anyOf": [{"type": "string", "enum": ["a"]}, {"type": "null"}]
    }
    assert convert({"type": "integer", "minimum": 1, "exclusiveMinimum": True, "maximum": 9}) == {
        "type": "integer",
        "exclusiveMinimum": 1,
        "maximum": 9,
    }
    assert convert({"type": "number", "maximum": 5, "exclusiveMaximum": False}) == {
        "type": "number",
        "maximum": 5,
    }
    assert convert({"type": "number", "exclusiveMinimum": True}) == {"type": "number"}


def test_the_converter_collects_what_a_schema_reaches_under_defs() -> None:
    """Components reached directly or through one another land under `$defs`, sorted; a component that
    refers to itself is converted once; OpenAPI-only annotations go."""
    spec: dict[str, Any] = {
        "components": {
            "schemas": {
                "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}},
                "A": {
                    "type": "object",
                    "properties": {"b": {"$ref": "#/components/schemas/B"}},
                    "example": {},
                },
                "B": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}, "deprecated": True},
            }
        }
    }
    out = JsonSchemas(spec).convert({"$ref": "#/components/schemas/A"})
    assert out["$ref"] == "#/$defs/A"
    assert list(out["$defs"]) == ["A", "B", "Node"]
    assert out["$defs"]["A"] == {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}}
    assert out["$defs"]["Node"]["properties"]["next"] == {"$ref": "#/$defs/Node"}
    assert Validator(out).is_valid({"b": [{"next": {}}]})
    assert not Validator(out).is_valid({"b": [{"next": 1}]})


def test_the_converter_reads_names_and_values_as_data() -> None:
    """A property called `example` or `nullable` is kept; a default or enum value holding such keys is
    copied as it is; `keep_examples` keeps the spec's examples for the test server."""
    spec: dict[str, Any] = {"components": {"schemas": {}}}
    schema = {
        "type": "object",
        "properties": {"example": {"type": "string"}, "nullable": {"type": "boolean"}},
        "default": {"nullable": True, "example": 1},
        "example": {"example": "x"},
    }
    out = JsonSchemas(spec).convert(schema)
    assert out == {
        "type": "object",
        "properties": {"example": {"type": "string"}, "nullable": {"type": "boolean"}},
        "default": {"nullable": True, "example": 1},
    }
    assert JsonSchemas(spec, keep_examples=True).convert(schema)["example"] == {"example": "x"}


@pytest.mark.parametrize(
    "ref", ["#/components/parameters/P", "#/components/schemas/A/properties/b", "x.json#/A"]
)
def test_the_converter_refuses_a_reference_that_is_not_a_schema_component(ref: str) -> None:
    """Only `#/components/schemas/<name>` has a place under `$defs`; anything else is a RefError naming it."""
    with pytest.raises(RefError, match="only #/components/schemas/"):
        JsonSchemas({"components": {"schemas": {}}}).convert({"$ref": ref})


def test_the_validator_reports_each_problem_with_its_field_path() -> None:
    """A missing property is reported at its own path (jsonschema-rs reports it at the parent, kept as
    `at`); a document too deep to check is a problem, not an exception."""
    check = Validator(
        {
            "type": "object",
            "properties": {"a": {"type": "object", "required": ["b"]}, "n": {"type": "integer"}},
        }
    )
    problems = check.problems({"a": {}, "n": "x"})
    assert [(p.field, p.kind, p.at) for p in problems] == [("a.b", "Required", ("a",)), ("n", "Type", ("n",))]
    assert str(problems[1]) == 'n: "x" is not of type "integer"'
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    assert not check.is_valid({"n": deep})
    assert [str(p) for p in check.problems({"n": deep})] == ["cannot be checked: ValueError"]


def test_operations_list_every_method_a_path_item_may_hold() -> None:
    """All eight methods (trace too), in spec order, a `$ref`'d path item followed; other keys skipped."""
    assert HTTP_METHODS == ("get", "put", "post", "delete", "patch", "head", "options", "trace")
    doc = {
        "paths": {
            "/a": {"parameters": [], "trace": {"operationId": "t"}, "get": {"operationId": "g"}},
            "/b": {"$ref": "#/components/pathItems/B"},
        },
        "components": {"pathItems": {"B": {"delete": {"operationId": "d"}}}},
    }
    assert [(p, m, op["operationId"]) for p, m, op in operations(doc)] == [
        ("/a", "GET", "g"),
        ("/a", "TRACE", "t"),
        ("/b", "DELETE", "d"),
    ]


def test_security_headers_are_the_apikey_header_schemes() -> None:
    """The spec's apiKey-in-header schemes give the header names; per operation, each alternative
    requirement lists its headers, and one without any (anonymous) lets anyone in."""
    doc: dict[str, Any] = {
        "security": [{"key": []}],
        "components": {
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "Agent-Secret-Key"},
                "other": {"$ref": "#/components/x"},
                "query": {"type": "apiKey", "in": "query", "name": "k"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
            "x": {"type": "apiKey", "in": "header", "name": "X-Other"},
        },
    }
    assert security_headers(doc) == ["Agent-Secret-Key", "X-Other"]
    assert security_alternatives(doc, {}) == [["Agent-Secret-Key"]]
    assert security_alternatives(doc, {"security": [{"key": [], "other": []}, {"bearer": []}]}) == []
    assert security_alternatives(doc, {"security": [{"other": []}, {"key": []}]}) == [
        ["X-Other"],
        ["Agent-Secret-Key"],
    ]


def test_the_generated_package_embeds_the_converters_output() -> None:
    """The request body and documented reply schemas the generated operations carry are JsonSchemas'
    output for the corrected spec."""
    from raia_agent_api._spec import corrected_spec
    from raia_agent_api.resources._operations import OPERATIONS

    spec = corrected_spec()
    schemas = JsonSchemas(spec)
    routes = {(method, path): op for path, method, op in operations(spec)}
    compared = 0
    for generated in OPERATIONS.values():
        raw = routes[(generated.method, generated.path)]
        body = (resolve(spec, raw.get("requestBody") or {}).get("content") or {}).get("application/json")
        assert generated.body_schema == (None if body is None else schemas.convert(body.get("schema") or {}))
        responses = raw["responses"]
        for status, reply in generated.replies.items():
            if str(status) not in responses:
                continue  # a 2XX standing for a 200
            content = (resolve(spec, responses[str(status)]).get("content") or {}).get("application/json")
            expected = None if content is None else schemas.convert(content.get("schema") or {})
            assert reply.schema == expected, (generated.name, status)
            compared += 1
    assert compared >= len(OPERATIONS)


def test_a_direction_leaves_out_of_required_what_never_travels_that_way() -> None:
    """readOnly properties are not required in a request, writeOnly ones not in a response, directly or by $ref."""
    spec = {
        "components": {
            "schemas": {
                "Stamp": {"type": "string", "readOnly": True},
                "Thing": {
                    "type": "object",
                    "required": ["id", "stamp", "secret", "name"],
                    "properties": {
                        "id": {"type": "string", "readOnly": True},
                        "stamp": {"$ref": "#/components/schemas/Stamp"},
                        "secret": {"type": "string", "writeOnly": True},
                        "name": {"type": "string"},
                    },
                },
            }
        }
    }
    thing = {"$ref": "#/components/schemas/Thing"}
    required = {
        direction: JsonSchemas(spec, direction=direction).convert(thing)["$defs"]["Thing"]["required"]
        for direction in ("request", "response", None)
    }
    assert required == {
        "request": ["secret", "name"],
        "response": ["id", "stamp", "name"],
        None: ["id", "stamp", "secret", "name"],
    }
