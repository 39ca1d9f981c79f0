"""The public surface: names, the error hierarchy, and parameters pinned to the spec."""

from __future__ import annotations

import inspect

import pytest
from raia_agent_api._spec import corrected_spec
from raia_agent_api.resources._operations import OPERATIONS

import raia_agent
from raia_agent import AsyncRaia, Raia

HAND_WRITTEN = [
    "DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "NOT_GIVEN", "APIConnectionError", "APIError",
    "APIStatusError", "APITimeoutError", "AsyncRaia", "AuthenticationError", "BadRequestError",
    "ConflictError", "FileTypes", "InternalServerError", "NotFoundError", "PermissionDeniedError", "Raia", "RaiaError",
    "RateLimitError", "RawResponse", "ResponseValidationError", "UnprocessableEntityError", "__version__",
]  # fmt: skip


def test_all_is_pinned() -> None:
    """raia_agent exports exactly these hand-written names plus the generated model re-exports."""
    from raia_agent_api import _exports

    assert sorted(raia_agent.__all__) == sorted([*HAND_WRITTEN, *_exports.__all__])
    assert not set(HAND_WRITTEN) & set(_exports.__all__), "a model re-export would hide a hand-written name"
    for name in raia_agent.__all__:
        assert hasattr(raia_agent, name), name


def test_model_exports_follow_the_generator_config() -> None:
    """The re-exported models are spec/generator.yaml's `exports`, each the generated class itself."""
    from pathlib import Path

    import yaml
    from raia_agent_api import models

    config = yaml.safe_load(Path("spec/generator.yaml").read_text(encoding="utf-8"))
    exports = config.get("exports") or {name: name for name in models.__all__}
    assert set(exports) <= set(raia_agent.__all__)
    for public, generated in exports.items():
        assert getattr(raia_agent, public) is getattr(models, generated), public


def test_star_import_gives_the_models_too() -> None:
    """`from raia_agent import *` binds the generated model re-exports along with the rest."""
    namespace: dict[str, object] = {}
    exec("from raia_agent import *", namespace)
    assert raia_agent.Feedback is namespace["Feedback"]
    assert set(raia_agent.__all__) <= set(namespace)


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("APIError", "RaiaError"),
        ("APIConnectionError", "APIError"),
        ("APITimeoutError", "APIConnectionError"),
        ("APIStatusError", "APIError"),
        ("ResponseValidationError", "APIError"),
        *[
            (name, "APIStatusError")
            for name in (
                "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError",
                "ConflictError", "UnprocessableEntityError", "RateLimitError", "InternalServerError",
            )
        ],
    ],
)  # fmt: skip
def test_error_hierarchy(child: str, parent: str) -> None:
    """Each error sits where the hierarchy says."""
    assert getattr(raia_agent, parent) in getattr(raia_agent, child).__mro__[1:2]


def test_models_are_the_generated_ones() -> None:
    """Feedback and ForbiddenError are the generated classes, not copies."""
    from raia_agent_api.models import Feedback, ForbiddenError

    assert raia_agent.Feedback is Feedback
    assert raia_agent.ForbiddenError is ForbiddenError
    assert raia_agent.InternalServerErrorBody is not raia_agent.InternalServerError


OPTIONS = {"timeout", "max_retries", "extra_headers", "extra_query", "extra_body"}
KEY = "sk-test-public-api"


def methods() -> list[tuple[str, object]]:
    """(resource.method, bound method) for every generated method: sync, async, parsed and raw."""
    found: list[tuple[str, object]] = []
    for client in (Raia(secret_key=KEY), AsyncRaia(secret_key=KEY)):
        for name in OPERATIONS:
            resource, method = name.split(".")
            found.append((name, getattr(getattr(client, resource), method)))
            found.append((name, getattr(getattr(client, resource).with_raw_response, method)))
    return found


def test_every_spec_operation_has_a_method() -> None:
    """Each operation in the corrected spec is one generated client method."""
    spec = corrected_spec()
    operations = [(m.upper(), p) for p, item in spec["paths"].items() for m in item if m != "parameters"]
    described = sorted((op.method, op.path) for op in OPERATIONS.values())
    assert described == sorted(operations)


@pytest.mark.parametrize(("name", "method"), methods())
def test_method_parameters_follow_the_operation(name: str, method: object) -> None:
    """Each method takes exactly its operation's arguments, required ones without default; path
    parameters may be positional, every other argument is keyword-only."""
    op = OPERATIONS[name]
    params = inspect.signature(method).parameters  # type: ignore[arg-type]
    assert set(params) - OPTIONS == {p.python for p in op.params}, name
    required = set()
    for schema in (op.params_schema, op.body_schema):
        if schema is not None:
            target = schema["$defs"][schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema
            required |= set(target.get("required") or [])
    for param in op.params:
        has_default = params[param.python].default is not inspect.Parameter.empty
        is_required = param.name in required and (param.location != "body" or op.body_required)
        assert has_default != is_required, f"{name}({param.python}): required in the spec iff no default"
        kind = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD
            if param.location == "path"
            else inspect.Parameter.KEYWORD_ONLY
        )
        assert params[param.python].kind is kind, param.python
    assert inspect.getdoc(method), f"{name} has no docstring"


def test_vote_type_literal_follows_the_spec() -> None:
    """VoteType allows exactly the spec's enum for the request's vote type."""
    from typing import get_args

    op = OPERATIONS["feedback.create_or_update"]
    assert op.body_schema is not None
    schema = op.body_schema["$defs"][op.body_schema["$ref"].rsplit("/", 1)[-1]]
    assert set(get_args(raia_agent.VoteType)) == set(schema["properties"]["voteType"]["enum"])


def test_clients_have_the_same_constructor() -> None:
    """Raia and AsyncRaia take the same constructor arguments (the spec's other options as **options)."""
    sync = list(inspect.signature(Raia).parameters)
    assert sync == [
        "secret_key", "base_url", "timeout", "max_retries", "http_client", "default_headers", "strict_responses",
        "options",
    ]  # fmt: skip
    assert inspect.signature(Raia).parameters["options"].kind is inspect.Parameter.VAR_KEYWORD
    assert list(inspect.signature(AsyncRaia).parameters) == sync


def test_importing_the_package_loads_no_http_stack() -> None:
    """`import raia_agent` alone loads neither httpx nor the generated package; names load on use."""
    import subprocess
    import sys

    code = (
        "import sys, raia_agent\n"
        "assert not {'httpx', 'raia_agent_api', 'raia_agent._client'} & set(sys.modules), sorted(sys.modules)\n"
        "assert raia_agent.Raia.__name__ == 'Raia' and 'httpx' in sys.modules\n"
        "assert raia_agent.Feedback.__name__ == 'Feedback'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_generator_knows_every_public_client_attribute() -> None:
    """tools/codegen/naming/rules.py's list of the clients' own attributes (generation does not import the client)
    holds every public attribute they have besides the resources (it may reserve more: `copy`)."""
    from tools.codegen.naming.rules import CLIENT_ATTRIBUTES

    resources = {name.split(".")[0] for name in OPERATIONS}
    public = set()
    for client in (Raia(secret_key=KEY), AsyncRaia(secret_key=KEY)):
        public |= {name for name in dir(client) if not name.startswith("_")} - resources
    assert public - CLIENT_ATTRIBUTES == set()
