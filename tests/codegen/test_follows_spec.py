"""Tests follow the spec: no test or benchmark holds a success body of the live spec written by hand.

A hand-written 201 body pins today's spec: when the vendor adds a reply field, the client rightly
rejects the old body and `make test` fails for a change that breaks no caller. Bodies are built from
the spec's schemas instead (tests/support/bodies.py, hypothesis-jsonschema in the model tests).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from raia_agent_api._spec import corrected_spec

from raia_agent.testing._instances import instance
from raia_spec import JsonSchemas, Reader, Validator, operations

ROOT = Path(__file__).resolve().parents[2]
SPEC = corrected_spec()
SOURCES = sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "tools" / "bench").glob("*.py"))


def success_schemas(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every object schema a 2xx reply carries (an array's items too), by `METHOD path status`, as
    JSON Schema with the `$defs` it needs."""
    reader, schemas = Reader(spec), JsonSchemas(spec, keep_examples=True)
    found = {}
    for path, method, operation in operations(spec):
        for status, response in operation.get("responses", {}).items():
            if not str(status).startswith("2"):
                continue
            for media in reader.resolve(response).get("content", {}).values():
                validator = Validator(schemas.convert(media.get("schema") or {}))
                schema = validator.resolve()
                if schema.get("type") == "array":
                    schema = validator.resolve(schema.get("items", {}))
                if len(schema.get("required", [])) >= 2:
                    found[f"{method} {path} {status}"] = {
                        "$defs": validator.schema.get("$defs", {}),
                        **schema,
                    }
    return found


SCHEMAS = success_schemas(SPEC)


def pinned_bodies(source: str, required: set[str]) -> list[int]:
    """Lines holding a dict literal, `dict(...)` call or JSON text with every one of `required`'s keys,
    also inside Python code held in a string (a benchmark's or a subprocess's snippet)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
            try:
                inner = pinned_bodies(node.value, required)
            except SyntaxError:
                inner = []
            lines += [node.lineno] if inner else []
        keys: set[str] = set()
        if isinstance(node, ast.Dict) and not all(isinstance(v, ast.Dict) for v in node.values):
            # (a dict of dicts is a schema's `properties`, not a body)
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            keys = {k.arg for k in node.keywords if k.arg}
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str | bytes) and "{" in str(node.value)
        ):
            try:
                decoded = json.loads(node.value)
            except ValueError:
                continue
            is_body = isinstance(decoded, dict) and not all(isinstance(v, dict) for v in decoded.values())
            keys = set(decoded) if is_body else set()
        if keys and required <= keys:
            lines.append(node.lineno)
    return lines


def test_the_spec_has_success_bodies_to_look_for() -> None:
    """The scan below looks for something: the live spec documents object bodies on its 2xx replies."""
    assert SCHEMAS, "no 2xx reply with a JSON object body in the corrected spec"


@pytest.mark.parametrize("source", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_test_holds_a_literal_success_body(source: Path) -> None:
    """No dict literal or JSON text in tests/ or the benchmarks carries every required key of a 2xx reply."""
    text = source.read_text(encoding="utf-8")
    pinned = {
        where: lines
        for where, schema in SCHEMAS.items()
        if (lines := pinned_bodies(text, set(schema["required"])))
    }
    assert pinned == {}, (
        f"build these bodies from the spec (tests/support/bodies.py), lines by reply: {pinned}"
    )


@pytest.mark.parametrize("where", sorted(SCHEMAS))
def test_the_scan_finds_a_pinned_body_in_each_spelling(where: str) -> None:
    """A body of each reply written as a dict literal, as dict(...) or as JSON text is found."""
    schema = SCHEMAS[where]
    body = instance(Validator(schema))
    keywords = ", ".join(f"{key}=None" for key in body if key.isidentifier())
    required = set(schema["required"])
    assert pinned_bodies(f"X = 1\nBODY = {body!r}\n", required) == [2]
    assert pinned_bodies(f"TEXT = {json.dumps(body)!r}\n", required) == [1]
    assert pinned_bodies(f"DATA = {json.dumps(body).encode()!r}\n", required) == [1]
    assert pinned_bodies(f"SNIPPET = {f'import httpx{chr(10)}answer = {body!r}{chr(10)}'!r}\n", required) == [
        1
    ]
    if all(key.isidentifier() for key in required):
        assert pinned_bodies(f"BODY = dict({keywords})\n", required) == [1]
    partial = {k: v for k, v in body.items() if k != sorted(required)[0]}
    assert pinned_bodies(f"BODY = {partial!r}\n", required) == []
    properties = {key: {"type": "string"} for key in body}
    assert pinned_bodies(f"SCHEMA = {properties!r}\nTEXT = {json.dumps(properties)!r}\n", required) == []
