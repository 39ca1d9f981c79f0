"""Response bodies built from the spec's schemas, so that no test pins today's shape by hand."""

from __future__ import annotations

from typing import Any

from raia_agent_api._surface import Operation

from raia_agent.testing._instances import instance
from raia_agent.testing._spec import Validator


def success_body(operation: Operation[Any], **echo: Any) -> Any:
    """A body the operation's success reply allows: the spec's examples, else a minimal instance.

    `echo` fills top-level properties (by JSON name), as the API echoes the request's fields.
    """
    schema = operation.replies[operation.success].schema
    assert schema is not None, f"{operation.name} documents no success body"
    validator = Validator(schema, {})
    body = instance(validator, echo)
    assert validator.is_valid(body), (operation.name, validator.problems(body))
    return body
