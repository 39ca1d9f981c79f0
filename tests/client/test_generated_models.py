"""The generated models round-trip every body their schemas allow.

Nothing here names a model or a schema: the models are every attrs class in
raia_agent_api.models, the schemas are every object schema in the corrected spec the
package was generated from, and the two are paired by what they accept. A spec update
that adds a schema adds its cases here with no edit.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
import pytest
import raia_agent_api.models as models
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from raia_agent_api._spec import corrected_spec

from tests.support.bodies import instants
from tests.support.lanes import examples

SPEC = corrected_spec()
COMPONENTS: dict[str, Any] = SPEC["components"]["schemas"]
MODELS = [
    cls
    for cls in (getattr(models, name) for name in models.__all__)
    if attrs.has(cls) and hasattr(cls, "from_dict") and hasattr(cls, "to_dict")
]
FORMATS = {"uuid": st.uuids().map(str)}
# The body the real API sends on a bad key; the vendor's schema declared `name` an object.
REAL_403_BODY = {"status": 403, "name": "FORBIDDEN_ERROR", "message": "INVALID_CREDENTIALS", "details": []}


def to_json_schema(node: dict[str, Any], seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An OpenAPI 3.0 schema as JSON Schema: $refs inlined, `nullable` as a null type."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        assert name not in seen, f"recursive schema {name}: generate bounded instances for it"
        return to_json_schema(COMPONENTS[name], seen | {name})
    out = {k: v for k, v in node.items() if k not in ("nullable", "example")}
    if "properties" in out:
        out["properties"] = {k: to_json_schema(v, seen) for k, v in out["properties"].items()}
    if isinstance(out.get("items"), dict):
        out["items"] = to_json_schema(out["items"], seen)
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = to_json_schema(out["additionalProperties"], seen)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out:
            out[key] = [to_json_schema(s, seen) for s in out[key]]
    if node.get("nullable"):
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        out = {**out, "type": [out["type"], "null"]} if "type" in out else {"anyOf": [out, {"type": "null"}]}
    return out


def object_schemas(node: Any, where: str, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every object schema under `node` (nested ones too: they get their own models), by location."""
    if isinstance(node, dict) and "$ref" not in node:
        if node.get("type") == "object" or "properties" in node:
            found[where] = node
        for key, sub in node.get("properties", {}).items():
            object_schemas(sub, f"{where}.{key}", found)
        object_schemas(node.get("items"), f"{where}[]", found)
    return found


SCHEMAS: dict[str, dict[str, Any]] = {}
for schema_name, component in COMPONENTS.items():
    object_schemas(component, schema_name, SCHEMAS)


def instances(location: str) -> st.SearchStrategy[Any]:
    """Bodies the schema allows; its `example`, when the spec gives one, among them."""
    strategy = from_schema(to_json_schema(SCHEMAS[location]), custom_formats=FORMATS)
    if "example" in SCHEMAS[location]:
        strategy = st.just(SCHEMAS[location]["example"]) | strategy
    return strategy


def declared_fields(cls: type) -> int:
    return sum(1 for f in attrs.fields(cls) if f.init)  # not additional_properties or _request_id


@functools.cache
def models_for(location: str) -> tuple[type, ...]:
    """The models that take the schema's every property as a field of their own, and no more."""
    schema = to_json_schema(SCHEMAS[location])
    properties = schema.get("properties", {})
    complete = {**schema, "required": sorted(properties), "additionalProperties": False}
    # Any complete body pairs; shrinking it to the simplest one cost seconds per schema, and hypothesis
    # draws that one first anyway.
    body = find(
        from_schema(complete, custom_formats=FORMATS),
        lambda _: True,
        settings=settings(database=None, phases=[Phase.generate]),
    )
    paired = []
    for cls in MODELS:
        if declared_fields(cls) != len(properties):
            continue
        try:
            model = cls.from_dict(body)
        except (KeyError, TypeError, ValueError):
            continue
        if model.additional_properties == {}:
            paired.append(cls)
    return tuple(paired)


@pytest.mark.parametrize("location", sorted(SCHEMAS))
def test_every_object_schema_has_a_model(location: str) -> None:
    """Each object schema in the spec is a generated model with exactly its properties."""
    assert models_for(location), f"no generated model takes exactly the properties of {location}"


def test_every_model_has_a_schema() -> None:
    """Each generated model stands for some schema in the spec, so every one is exercised below."""
    paired = {cls for location in SCHEMAS for cls in models_for(location)}
    assert [cls.__name__ for cls in MODELS if cls not in paired] == []


@pytest.mark.parametrize("location", sorted(SCHEMAS))
def test_schema_bodies_round_trip(location: str) -> None:
    """Any body the schema allows parses into its model, which gives back that body (instants as instants) and itself."""
    models = models_for(location)  # outside @given: pairing draws with hypothesis itself

    @settings(max_examples=examples(60), deadline=None)
    @given(body=instances(location))
    def round_trip(body: Any) -> None:
        for cls in models:
            model = cls.from_dict(body)
            assert instants(model.to_dict()) == instants(body)
            assert cls.from_dict(model.to_dict()) == model

    round_trip()


def documented_error_schemas(status: str) -> list[str]:
    refs = []
    for path_item in SPEC["paths"].values():
        for operation in path_item.values():
            response = operation.get("responses", {}).get(status, {})
            for media in response.get("content", {}).values():
                refs.append(media["schema"]["$ref"].rsplit("/", 1)[-1])
    return refs


def test_real_403_body_parses_with_name_as_a_string() -> None:
    """The body the API really sends on a bad key parses into every documented 403 model, `name` a string."""
    locations = documented_error_schemas("403")
    assert locations, "the spec documents no 403 body"
    for location in locations:
        for cls in models_for(location):
            error = cls.from_dict(REAL_403_BODY)
            assert error.to_dict() == REAL_403_BODY
            assert isinstance(error.to_dict()["name"], str)


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ({"at": "2000-01-01T00:00:00Z"}, {"at": "2000-01-01T00:00:00+00:00"}, True),
        (["2000-01-01T01:00:00.5+01:00"], ["2000-01-01 00:00:00.500000+00:00"], True),
        ({"at": "2000-01-01T00:00:00Z"}, {"at": "2000-01-01T00:00:00"}, False),
        ({"at": "2000-01-01T00:00:00Z"}, {"at": "2000-01-01T00:00:01Z"}, False),
        ({"at": "2000-01-01T00:00:00Z"}, {"at": "2000-01-01T00:00:00Z", "x": None}, False),
    ],
)
def test_bodies_compare_by_instant_not_spelling(left: Any, right: Any, same: bool) -> None:
    """'Z' and '+00:00' name one instant; a naive, shifted or otherwise different body still differs."""
    assert (instants(left) == instants(right)) is same
