"""Property-based, for every operation: any schema-valid success body parses; any other raises ResponseValidationError."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from raia_agent_api.resources._operations import OPERATIONS

from raia_agent import ResponseValidationError
from raia_agent._logging import Redactor
from raia_agent._response import parse
from raia_agent._schema import Validator
from tests.support.bodies import instants
from tests.support.lanes import examples

# Operations whose success reply has a JSON body, by "resource.method".
WITH_BODY = {name: op for name, op in OPERATIONS.items() if op.replies.get(op.success, None) is not None}
WITH_BODY = {name: op for name, op in WITH_BODY.items() if op.replies[op.success].schema is not None}
uuids = st.uuids().map(str)


def schema_of(name: str) -> dict[str, Any]:
    op = WITH_BODY[name]
    schema = op.replies[op.success].schema
    assert schema is not None
    return schema


def valid_bodies(name: str) -> st.SearchStrategy[Any]:
    return from_schema(schema_of(name), custom_formats={"uuid": uuids})


def closed(schema: Any) -> Any:
    """`schema` with every object that lists its properties closed to others: only documented fields."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed(value) for key, value in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def documented_bodies(name: str) -> st.SearchStrategy[Any]:
    return from_schema(closed(schema_of(name)), custom_formats={"uuid": uuids})


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        target: dict[str, Any] = schema["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
        return target
    return schema


def response(name: str, body: Any) -> httpx.Response:
    return httpx.Response(
        WITH_BODY[name].success,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        request=httpx.Request(WITH_BODY[name].method, "https://api.example/x"),
    )


REDACT = Redactor("k", ())


@pytest.mark.parametrize("name", sorted(WITH_BODY))
@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_schema_valid_bodies_parse(name: str, data: st.DataObject) -> None:
    """Every body the success schema allows parses into the documented model, losing no field or instant.

    Strict parsing accepts every body made only of documented fields."""
    op = WITH_BODY[name]
    documented = data.draw(documented_bodies(name))
    parse(op, response(name, documented), json.dumps(documented).encode(), REDACT, strict=True)
    body = data.draw(valid_bodies(name))
    parsed = parse(op, response(name, body), json.dumps(body).encode(), REDACT, strict=False).parsed
    reply = op.replies[op.success]
    if reply.model is not None and not reply.many:
        assert type(parsed).__name__ == reply.model
        assert instants(json.loads(json.dumps(parsed.to_dict(), default=str))) == instants(body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


@st.composite
def broken_bodies(draw: st.DrawFn, name: str) -> Any:
    """Schema-valid bodies with one property removed or replaced, or not an object at all."""
    body = copy.deepcopy(draw(valid_bodies(name)))
    how = draw(st.sampled_from(["drop", "replace", "whole"]))
    required = sorted(resolved(schema_of(name)).get("required") or [])
    if how == "whole" or not isinstance(body, dict) or not required:
        return draw(json_values.filter(lambda v: not isinstance(v, dict)))
    key = draw(st.sampled_from(required))
    if how == "drop":
        del body[key]
    else:
        body[key] = draw(json_values)
    return body


@pytest.mark.parametrize("name", sorted(WITH_BODY))
@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_schema_breaking_bodies_raise_response_validation_error(name: str, data: st.DataObject) -> None:
    """A body that breaks the schema raises ResponseValidationError and nothing else."""
    body = data.draw(broken_bodies(name))
    assume(not Validator(schema_of(name)).is_valid(body))  # a replacement can be valid (null for nullable)
    with pytest.raises(ResponseValidationError) as info:
        parse(WITH_BODY[name], response(name, body), json.dumps(body).encode(), REDACT, strict=True)
    assert info.value.problems
