"""No hand-written module under src/ names what the spec says: its paths, schemas or JSON fields.

Built from the corrected spec the generated package carries, so it follows every spec update:
a vendor field that hand-written code would have to name is a generator fact (spec/generator.yaml)
or a rule, not a literal in src/.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from collections.abc import Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from raia_agent_api import models
from raia_agent_api._spec import corrected_spec
from raia_agent_api.resources._operations import OPERATIONS

SRC = Path(__file__).parents[2] / "src"  # raia_agent, and raia_spec under it
# Field names the server and client meet as rules of HTTP APIs rather than as this spec's facts;
# each is here for the reason given, and none names a vendor's resource.
GENERIC_FIELDS = {
    # a success body with an `id` makes a collection (testing/_handlers.py's rule); the client
    # reads the id of what it created (the CLI's import journal)
    "id",
    # NestJS's error body (statusCode, message, error): the local server's default 404 and 500
    # and the CLI's error lines read these when an error body documents nothing else
    "message",
    # a JSON Schema keyword and an OpenAPI parameter key, not only a vendor field
    "name",
    # an ASGI message's key (the test server's responses) and the status hint an error body
    # built from a schema gets (testing/_shapes.py), whatever the vendor's field is called
    "status",
}


def _property_names(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found |= {name for name in value if isinstance(name, str)}
            _property_names(value, found)
    elif isinstance(node, list):
        for item in node:
            _property_names(item, found)
    return found


# The OpenAPI 3.0 objects that describe operations and their schemas (not Info, Contact, Tag... whose
# fields, such as `email` or `url`, are as likely a vendor's as the standard's).
_OPENAPI_OBJECTS = (
    "Components", "Schema", "Discriminator", "Response", "MediaType", "Header", "PathItem", "Operation",
    "Parameter", "RequestBody", "Encoding", "SecurityScheme", "APIKeySecurityScheme", "HTTPSecurityScheme",
    "Server", "ServerVariable",
)  # fmt: skip


@cache
def standard_words() -> frozenset[str]:
    """The field names of the formats hand-written code reads: the OpenAPI 3.0 objects above (`content`,
    `headers`, `schema`...) and JSON Schema 2020-12's keywords, from the metaschemas the validators ship.

    Hand-written code names these as the standard's words (a media type's `content`, a response's
    `headers`); a vendor field spelled the same is the standard's word there too, so a spec that adds
    one does not turn the server's or the client's reading of OpenAPI into an offence.
    """
    found: set[str] = set()
    openapi = _package("openapi_spec_validator") / "resources" / "schemas" / "v3.0" / "schema.json"
    definitions = json.loads(openapi.read_text(encoding="utf-8"))["definitions"]
    for name in _OPENAPI_OBJECTS:
        _property_names({"properties": definitions[name].get("properties") or {}}, found)
    for path in sorted((_package("jsonschema_specifications") / "schemas" / "draft202012").rglob("*")):
        if path.is_file():
            _property_names(json.loads(path.read_text(encoding="utf-8")), found)
    return frozenset(found)


def _package(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).parent


def _walk(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            if key == "parameters" and isinstance(value, list):
                found |= {p["name"] for p in value if isinstance(p, dict) and "name" in p}
            _walk(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, found)


def own_classes() -> set[str]:
    """Classes the hand-written package defines itself: their names are its own, even where a
    generated model has the same one (the exception InternalServerError, say)."""
    return {
        node.name
        for module in SRC.rglob("*.py")
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }


@cache
def spec_names() -> tuple[set[str], set[str], set[str]]:
    """The spec's paths, its schema names (as the vendor spells them and as generated), its fields."""
    spec = corrected_spec()
    paths = set(spec.get("paths") or {})
    schemas = set((spec.get("components") or {}).get("schemas") or {}) | set(models.__all__)
    schemas -= own_classes()
    fields: set[str] = set()
    _walk(spec, fields)
    return paths, schemas, fields


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        # an attribute docstring: a string expression right after an assignment
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                for before, after in pairwise(block):
                    if isinstance(before, ast.Assign | ast.AnnAssign) and isinstance(after, ast.Expr):
                        found.add(id(after.value))
    return found


def mentions(source: str) -> Iterator[tuple[int, str, bool]]:
    """(line, text, is_model) for every string literal in `source` (docstrings left out) and every
    name taken from the generated models (imported from, or read as an attribute of, `models`)."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value, False
        elif isinstance(node, ast.ImportFrom) and (node.module or "").rsplit(".", 1)[-1] == "models":
            yield from ((node.lineno, alias.name, True) for alias in node.names)
        elif (
            isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "models"
        ):
            yield node.lineno, node.attr, True


def operation_calls(source: str, operations: set[str]) -> Iterator[tuple[int, str]]:
    """(line, "resource.method") for each literal naming an operation's client path and each
    attribute chain `<anything>.<resource>.<method>` calling one by hand."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in operations:
            yield node.lineno, str(node.value)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and (name := f"{node.value.attr}.{node.attr}") in operations
        ):
            yield node.lineno, name


def offences(
    source: str,
    paths: set[str],
    schemas: set[str],
    fields: set[str],
    operations: frozenset[str] = frozenset(),
) -> list[str]:
    out = [
        f"line {line}: operation {name!r}" for line, name in sorted(operation_calls(source, set(operations)))
    ]
    for line, text, is_model in sorted(mentions(source)):
        if is_model:
            out.append(f"line {line}: model {text!r}")
        elif any(path in text for path in paths):
            out.append(f"line {line}: operation path in {text!r}")
        elif text in schemas:
            out.append(f"line {line}: schema {text!r}")
        elif text in fields - GENERIC_FIELDS - standard_words():
            out.append(f"line {line}: JSON field {text!r}")
    return out


@pytest.mark.parametrize("module", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_hand_written_module_names_the_spec(module: Path) -> None:
    """A hand-written module names no operation path, schema or JSON field of the spec."""
    paths, schemas, fields = spec_names()
    assert offences(module.read_text(encoding="utf-8"), paths, schemas, fields, frozenset(OPERATIONS)) == []


def test_the_check_finds_each_kind_of_name() -> None:
    """The check catches a path, a schema (vendor or generated name), a model import and a field."""
    paths, schemas, fields = {"/v1/things"}, {"ThingDTO", "Thing"}, {"thingId", "id", "status"}
    source = (
        '"""Docstrings may say thingId and /v1/things."""\n'
        'URL = "https://api.example/v1/things"\n'
        "from raia_agent_api.models import Thing\n"
        'spec = schemas["ThingDTO"]\n'
        'key = body["thingId"]\n'
        'ident = body["id"]\n'
        "x = models.Thing\n"
        "status = answer(Thing)\n"
    )
    assert offences(source, paths, schemas, fields) == [
        "line 2: operation path in 'https://api.example/v1/things'",
        "line 3: model 'Thing'",
        "line 4: schema 'ThingDTO'",
        "line 5: JSON field 'thingId'",
        "line 7: model 'Thing'",
    ]


def test_the_check_finds_an_operation_called_or_named_by_hand() -> None:
    """`client.things.create(...)` and the literal "things.create" are caught; `things.create` alone is not."""
    source = 'await self.client.things.create(**params)\nNAME = "things.create"\nthings.create()\n'
    assert offences(source, set(), set(), set(), frozenset({"things.create"})) == [
        "line 1: operation 'things.create'",
        "line 2: operation 'things.create'",
    ]


def test_a_spec_field_named_like_an_openapi_word_is_not_the_word_in_code() -> None:
    """A vendor field called `content` or `headers` does not flag code reading a media type's `content`
    or an ASGI message's `headers`; a vendor field that is no standard's word still does."""
    fields = {"content", "headers", "conversationId"}
    source = (
        'media = response.get("content")\n'
        'await send({"type": "http.response.start", "headers": []})\n'
        'key = body["conversationId"]\n'
    )
    assert {"content", "headers"} <= standard_words()
    assert offences(source, set(), set(), fields) == ["line 3: JSON field 'conversationId'"]
