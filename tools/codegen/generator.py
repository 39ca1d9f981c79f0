"""openapi-python-client's command line, with tools.codegen.naming.pynames' rules for names it must not give.

python -m tools.codegen openapi generate --path SPEC --config CONFIG ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from openapi_python_client.cli import app
from openapi_python_client.parser import openapi

from tools.codegen.naming import pynames

# The import above is what matters: it adds the model template's own names to the generator's
# reserved words before it runs. Named here so the reason is not an unused import.
assert pynames.MODEL_MEMBERS

T = TypeVar("T")


def _sort_without_copying(sort: Callable[..., Any]) -> Callable[..., Any]:
    """openapi-python-client 0.29 deep-copies every finished endpoint (its replies' whole model
    graphs) to sort its path parameters, on an object its only caller then drops for the result:
    at 200 operations that copy is about 45% of the generator's time. The sort runs unchanged on
    the endpoint itself; only its own list and path change, which no other endpoint shares."""

    def identity(value: T) -> T:
        return value

    def sort_parameters(*, endpoint: Any) -> Any:
        module = vars(openapi)
        copy = module["deepcopy"]
        module["deepcopy"] = identity
        try:
            return sort(endpoint=endpoint)
        finally:
            module["deepcopy"] = copy

    return sort_parameters


if not callable(vars(openapi).get("deepcopy")):  # a new version: review the patch below
    raise SystemExit(
        "tools/codegen/generator.py: openapi_python_client.parser.openapi no longer uses deepcopy"
    )
openapi.Endpoint.sort_parameters = staticmethod(_sort_without_copying(openapi.Endpoint.sort_parameters))  # type: ignore[method-assign]


def main() -> None:
    app(prog_name="openapi-python-client")
