"""From OpenAPI 3.0 schemas to what the generated surface embeds: Python annotations and docs.

(Their JSON Schema comes from raia_spec.JsonSchemas.)
"""

from __future__ import annotations

import ast
import re
from typing import Any

from raia_spec import component_name, is_ref, resolve, single_allof
from tools.codegen.naming import Naming

_FORMATS = {"uuid": "UUID", "date-time": "datetime", "date": "date"}


def takes_null(document: dict[str, Any], schema: Any, known: dict[str, bool] | None = None) -> bool:
    """Whether the converted (JSON Schema 2020-12) `schema` in `document` accepts null: by its type,
    an `anyOf` alternative, every part of an `allOf`, or what its `$ref` reaches (each one once)."""
    known = {} if known is None else known
    if is_ref(schema):
        ref = schema["$ref"]
        if ref not in known:
            known[ref] = False  # a reference met again inside itself adds nothing
            known[ref] = takes_null(document, resolve(document, {"$ref": ref}), known)
        return known[ref]
    if not isinstance(schema, dict):
        return False
    kinds = schema.get("type")
    if "null" in (kinds if isinstance(kinds, list) else [kinds]):
        return True
    parts = schema.get("allOf")
    if isinstance(parts, list) and parts and all(takes_null(document, part, known) for part in parts):
        return True
    options = schema.get("anyOf")
    return isinstance(options, list) and any(takes_null(document, option, known) for option in options)


def single_ref(schema: dict[str, Any]) -> dict[str, Any]:
    """NestJS's `allOf: [{$ref}]` beside a description alone (raia_spec.single_allof) means the $ref."""
    wrapped = single_allof(schema)
    if wrapped is not None:
        inner, own = wrapped
        if "$ref" in inner and not own.keys() - {"description", "nullable", "deprecated"}:
            return {**inner, **({"nullable": True} if schema.get("nullable") else {})}
    return schema


def is_deprecated(schema: dict[str, Any]) -> bool:
    return schema.get("deprecated") is True


class Annotations:
    """Python annotations for parameters and return values; collects the imports they need."""

    def __init__(self, spec: dict[str, Any], naming: Naming) -> None:
        self.spec = spec
        self.components: dict[str, Any] = (spec.get("components") or {}).get("schemas") or {}
        self.naming = naming
        self.imports: set[str] = set()
        self.models: set[str] = set()
        self.typed: dict[
            str, str
        ] = {}  # component -> the TypedDict (in resources/params.py) a caller may send
        self._expanding: list[str] = []  # non-model $refs being annotated, to stop at a cycle

    def param(self, schema: dict[str, Any]) -> str:
        text = self._param(schema)
        return f"{text} | None" if schema.get("nullable") and not text.endswith("| None") else text

    def _param(self, schema: dict[str, Any]) -> str:
        schema = single_ref(schema)
        if "$ref" in schema:
            name = component_name(schema["$ref"])
            target = self.components[name]
            if target.get("properties"):
                # the generated model, or a plain mapping shaped like it (a TypedDict)
                self.typed.setdefault(name, self.naming.class_name(name) + "Dict")
                return f"_models.{self.naming.class_name(name)} | _params.{self.typed[name]}"
            if self.is_model(target) and _values(target) is None:
                self.imports.add("from collections.abc import Mapping")
                return "Mapping[str, Any]"
            if name in self._expanding:
                return "Any"  # a schema that contains itself: its inner levels are not spelled out
            self._expanding.append(name)
            try:
                return self.param(target)
            finally:
                self._expanding.pop()
        options = _alternatives(schema)
        if options is not None:
            # oneOf/anyOf: a union of what each alternative takes (models, TypedDicts, scalars)
            atoms = [atom for option in options for atom in self.param(option).split(" | ")]
            return "Any" if "Any" in atoms else " | ".join(dict.fromkeys(atoms))
        if "enum" in schema:
            values = [value for value in schema["enum"] if value is not None]
            if values and all(
                isinstance(value, str | int) and not isinstance(value, bool) for value in values
            ):
                self.imports.add("from typing import Literal")
                return f"Literal[{', '.join(repr(value) for value in values)}]"
        kind = schema.get("type")
        if isinstance(kind, list):  # OpenAPI 3.1: type: [integer, "null"]
            kinds = [k for k in kind if k != "null"]
            if len(kinds) != 1:
                return "Any"
            text = self._param({**schema, "type": kinds[0]})
            return f"{text} | None" if "null" in kind and not text.endswith("| None") else text
        if kind == "string":
            python = _FORMATS.get(str(schema.get("format")))
            if python:
                module = "uuid" if python == "UUID" else "datetime"
                self.imports.add(f"from {module} import {python}")
                return f"str | {python}"
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            self.imports.add("from collections.abc import Sequence")
            return f"Sequence[{self.param(schema.get('items') or {})}]"
        if kind == "null":
            return "None"
        if kind == "object" or "properties" in schema:
            self.imports.add("from collections.abc import Mapping")
            value_schema = _values(schema)
            return f"Mapping[str, {self.param(value_schema) if value_schema is not None else 'Any'}]"
        return "Any"

    @staticmethod
    def is_model(schema: dict[str, Any]) -> bool:
        return schema.get("type") == "object" or "properties" in schema

    def reply(self, schema: dict[str, Any] | None) -> tuple[str, str | None, bool]:
        """(annotation, model class or None, is a list of models) for a response body."""
        if schema is None:
            return "None", None, False
        many = schema.get("type") == "array" and "$ref" in (schema.get("items") or {})
        target = schema["items"] if many else schema
        if "$ref" in target:
            name = component_name(target["$ref"])
            if self.is_model(self.components[name]):
                model = self.naming.class_name(name)
                self.models.add(model)
                # through the private module alias: no class name can shadow the modules' imports
                annotation = f"_models.{model}"
                return (f"list[{annotation}]" if many else annotation), model, many
        return "Any", None, False


def _alternatives(schema: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The options of a schema that is only a `oneOf` or `anyOf` (a description aside); None otherwise."""
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if (
            isinstance(options, list)
            and options
            and all(isinstance(option, dict) for option in options)
            and not {"type", "properties", "allOf", "enum"} & schema.keys()
        ):
            return options
    return None


def _values(schema: dict[str, Any]) -> dict[str, Any] | None:
    """A map's value schema: `additionalProperties: {...}` on an object that lists no properties."""
    values = schema.get("additionalProperties")
    if schema.get("properties") or not isinstance(values, dict) or not values:
        return None
    return values


def default_literal(schema: dict[str, Any]) -> str | None:
    """The Python literal of a declared scalar default (shown in signatures and docstrings); None if none."""
    value = schema.get("default")
    if value is None or not isinstance(value, str | int | float | bool):
        return None
    try:
        return literal(value)
    except ValueError:
        return None


def literal(value: object) -> str:
    """The Python literal for a value from the spec: repr(), proven to read back as the same value.

    repr() escapes every quote and control character in a string; what has no literal form
    (infinity, NaN, objects) fails here instead of becoming code such as `inf`.
    """
    text = repr(value)
    try:
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise ValueError(f"{text[:60]} has no Python literal form")
    return text


def _escaped(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char == "\n" or char.isprintable():
        return char
    return char.encode("unicode_escape").decode("ascii")  # NUL, CR, U+2028...: \x00, \r, \u2028


def docstring(*paragraphs: str, indent: str) -> str:
    """A docstring literal from paragraphs, safe for any text the spec holds.

    Backslashes and every unprintable character (NUL, CR, line separators) are escaped, so the
    only line breaks are the text's LFs; no run of quotes can end the literal early.
    """
    text = "\n\n".join(p.strip() for p in paragraphs if p and p.strip())
    # A lone quote inside the literal is harmless; runs of them, or one before the closing quotes, are not.
    text = re.sub(r'""+|"$', lambda run: run.group().replace('"', '\\"'), "".join(map(_escaped, text)))
    lines = text.split("\n")
    body = "\n".join((indent + line) if line.strip() else "" for line in lines[1:])
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
    return f'"""{lines[0]}\n{body}\n{indent}"""'
