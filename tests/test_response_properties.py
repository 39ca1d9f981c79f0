"""Property-based: any schema-valid 201 body parses; any schema-breaking one raises ResponseValidationError."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from raia_agent import Feedback, ResponseValidationError
from raia_agent._response import parse_feedback
from raia_agent._schema import operation, response_validator

SCHEMA = operation().responses[201]
uuids = st.uuids().map(str)
valid_bodies = from_schema(SCHEMA, custom_formats={"uuid": uuids})


def response(body: Any) -> httpx.Response:
    return httpx.Response(
        201,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        request=httpx.Request("POST", "https://api.raia2.com/x"),
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(valid_bodies)
def test_schema_valid_bodies_parse(body: dict[str, Any]) -> None:
    """Every body the response schema allows parses into Feedback."""
    parsed = parse_feedback(response(body), "k").parsed
    assert isinstance(parsed, Feedback)
    assert str(parsed.id) == body["id"].lower()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


@st.composite
def broken_bodies(draw: st.DrawFn) -> Any:
    """Schema-valid bodies with one property removed or replaced, or not an object at all."""
    body = copy.deepcopy(draw(valid_bodies))
    how = draw(st.sampled_from(["drop", "replace", "whole"]))
    if how == "whole":
        return draw(json_values.filter(lambda v: not isinstance(v, dict)))
    key = draw(st.sampled_from(sorted(SCHEMA["required"])))
    if how == "drop":
        del body[key]
    else:
        body[key] = draw(json_values)
    return body


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(broken_bodies())
def test_schema_breaking_bodies_raise_response_validation_error(body: Any) -> None:
    """A body that breaks the schema raises ResponseValidationError and nothing else."""
    validator = response_validator(201)
    assert validator is not None
    assume(not validator.is_valid(body))  # a replacement can be valid, e.g. a string for a nullable string
    with pytest.raises(ResponseValidationError) as info:
        parse_feedback(response(body), "k")
    assert info.value.problems
