"""Response bodies built from the spec's schemas, so that no test pins today's shape by hand."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from raia_agent.testing._instances import instance
from raia_agent.testing._routes import Validator
from raia_runtime import Operation


def success_body(operation: Operation[Any], **echo: Any) -> Any:
    """A body the operation's success reply allows: the spec's examples, else a minimal instance.

    `echo` fills top-level properties (by JSON name), as the API echoes the request's fields.
    """
    schema = operation.replies[operation.success].schema
    assert schema is not None, f"{operation.name} documents no success body"
    validator = Validator(schema)
    body = instance(validator, echo)
    assert validator.is_valid(body), (operation.name, validator.problems(body))
    return body


_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def instants(value: Any) -> Any:
    """`value` with every RFC 3339 date-time string read as the aware datetime it names.

    A model writes back the instant it parsed, not the spelling it was given ('Z' comes back as
    '+00:00'), so bodies are compared by instant. A naive or shifted result still differs.
    """
    if isinstance(value, dict):
        return {key: instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [instants(item) for item in value]
    if isinstance(value, str) and _DATE_TIME.fullmatch(value):
        text = value[:10] + "T" + value[11:]
        return datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    return value
