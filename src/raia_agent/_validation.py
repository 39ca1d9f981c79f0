"""Request bodies from keyword arguments, checked against the spec before anything is sent."""

from __future__ import annotations

import re
import uuid
from functools import cache
from typing import Any

from ._schema import operation, request_validator


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@cache
def request_fields() -> dict[str, str]:
    """Python parameter name -> JSON property name, for every property of the request schema."""
    return {snake_case(name): name for name in operation().request["properties"]}


def build_body(params: dict[str, Any]) -> dict[str, Any]:
    """Turn snake_case arguments into the JSON body; raise TypeError/ValueError naming the field."""
    fields = request_fields()
    body = {}
    for name, json_name in fields.items():
        value = params.get(name)
        if value is None:
            continue  # optional properties are omitted rather than sent as null
        body[json_name] = str(value) if isinstance(value, uuid.UUID) else value
    validator = request_validator()
    if validator.is_valid(body):
        return body
    python_names = {json_name: py for py, json_name in fields.items()}
    problems = validator.problems(body)
    lines = []
    for problem in problems:
        field = python_names.get(problem.field.split(".")[0], problem.field)
        if problem.kind == "Required":
            lines.append(f"{field} is required")
        else:
            quoted = f'"{problem.field}"'
            lines.append(f"{field}: {problem.message.replace(quoted, field)}")
    message = "invalid feedback: " + "; ".join(lines)
    if all(problem.kind == "Type" for problem in problems):
        raise TypeError(message)
    raise ValueError(message)
