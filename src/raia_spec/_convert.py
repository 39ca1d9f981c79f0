"""OpenAPI 3.0's schema dialect spelled as JSON Schema 2020-12, with what it references under `$defs`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ._refs import Reader, RefError, resolve, shown

_SCHEMAS = "#/components/schemas/"
# OpenAPI's annotations that 2020-12 does not have (or spells differently), and `nullable`, rewritten.
_DROP = frozenset({"nullable", "example", "examples", "discriminator", "xml", "externalDocs", "deprecated"})
_EXAMPLES = frozenset({"example", "examples"})
# Keywords whose value is data (kept as it is) and those whose value maps names to schemas.
_DATA = frozenset({"enum", "const", "default", *_EXAMPLES})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def component_name(ref: object) -> str:
    """The schema component a `$ref` names (`#/components/schemas/<name>`); RefError for any other."""
    name = ref[len(_SCHEMAS) :] if isinstance(ref, str) and ref.startswith(_SCHEMAS) else ""
    if not name or "/" in name:
        raise RefError(f"unsupported $ref {shown(ref)}: only #/components/schemas/... is supported")
    return name.replace("~1", "/").replace("~0", "~")


Direction = Literal["request", "response"]
# OpenAPI 3: a readOnly property travels in responses only, a writeOnly one in requests only; either
# one's `required` holds only where it travels.
_UNSENT = {"request": "readOnly", "response": "writeOnly"}


def unsent(spec: Mapping[str, Any], prop: Any, direction: Direction) -> bool:
    """Whether the property schema `prop` (in `spec`, maybe a `$ref`) is never sent in `direction`:
    readOnly in a request, writeOnly in a response."""
    keyword = _UNSENT[direction]
    if not isinstance(prop, Mapping):
        return False
    target = resolve(spec, prop) if "$ref" in prop else prop
    return prop.get(keyword) is True or (isinstance(target, Mapping) and target.get(keyword) is True)


def sent_required(spec: Mapping[str, Any], schema: Mapping[str, Any], direction: Direction) -> list[Any]:
    """An object schema's `required` without the properties never sent in `direction`."""
    properties = schema.get("properties")
    required = schema.get("required")
    if not isinstance(required, list):
        return []
    if not isinstance(properties, Mapping):
        return list(required)
    return [n for n in required if not (n in properties and unsent(spec, properties[n], direction))]


def _pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class JsonSchemas:
    """Converts a spec's schemas to self-contained JSON Schema 2020-12 documents.

    Each `$ref` to a schema component becomes `#/$defs/<name>`, and every component reached is
    converted the same way under the result's `$defs` (sorted). `nullable: true` becomes a `null`
    type (`anyOf: [..., {"type": "null"}]` where there is no plain type, or an enum); a 3.0 boolean
    `exclusiveMinimum`/`exclusiveMaximum` becomes 2020-12's number bound. `keep_examples` keeps
    `example`/`examples` (as they are) for a reader that builds instances from them. With a
    `direction`, a property never sent that way (readOnly in a request, writeOnly in a response) is
    not required.
    """

    def __init__(
        self, spec: Mapping[str, Any], *, keep_examples: bool = False, direction: Direction | None = None
    ) -> None:
        self.spec = spec
        self.direction = direction
        self._drop = _DROP - _EXAMPLES if keep_examples else _DROP
        self._reader: Reader | None = None

    def convert(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        refs: set[str] = set()
        out: dict[str, Any] = self._node(schema, refs)
        defs: dict[str, Any] = {}
        while pending := sorted(refs - set(defs)):
            for name in pending:
                defs[name] = self._node(self._component(name), refs)
        if defs:
            out = {**out, "$defs": dict(sorted(defs.items()))}
        return out

    def _component(self, name: str) -> Any:
        self._reader = self._reader or Reader(self.spec)
        return self._reader.target(_SCHEMAS + _pointer_token(name))

    def _node(self, node: Any, refs: set[str]) -> Any:
        if isinstance(node, list):
            return [self._node(item, refs) for item in node]
        if not isinstance(node, Mapping):
            return node
        if "$ref" in node:
            name = component_name(node["$ref"])
            refs.add(name)
            converted: dict[str, Any] = {"$ref": f"#/$defs/{_pointer_token(name)}"}
        else:
            converted = {k: self._keyword(k, v, refs) for k, v in node.items() if k not in self._drop}
            for bound in ("Minimum", "Maximum"):
                flag = converted.get(f"exclusive{bound}")
                if flag is True and bound.lower() in converted:
                    converted[f"exclusive{bound}"] = converted.pop(bound.lower())
                elif isinstance(flag, bool):  # false, or true with no bound to make exclusive
                    del converted[f"exclusive{bound}"]
            if self.direction is not None and isinstance(node.get("required"), list):
                converted["required"] = sent_required(self.spec, node, self.direction)
        if node.get("nullable") is True:
            if "type" in converted and "enum" not in converted:
                converted["type"] = [converted["type"], "null"]
            else:
                converted = {"anyOf": [converted, {"type": "null"}]}
        return converted

    def _keyword(self, key: str, value: Any, refs: set[str]) -> Any:
        if key in _DATA:
            return value
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):  # a property may be called "example"
            return {name: self._node(schema, refs) for name, schema in value.items()}
        return self._node(value, refs)
