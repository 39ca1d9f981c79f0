"""The public surface: names, the error hierarchy, and parameters pinned to the spec."""

from __future__ import annotations

import inspect
import re

import pytest
from raia_agent_api._spec import corrected_spec

import raia_agent
from raia_agent import AsyncRaia, Raia, _feedback


def test_all_is_pinned() -> None:
    """raia_agent exports exactly these names."""
    assert sorted(raia_agent.__all__) == sorted(
        [
            "DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "NOT_GIVEN", "APIConnectionError", "APIError",
            "APIStatusError", "APITimeoutError", "AsyncRaia", "AuthenticationError", "BadRequestError",
            "ConflictError", "Feedback", "ForbiddenError", "InternalServerError", "InternalServerErrorBody",
            "NotFoundError", "PermissionDeniedError", "Raia", "RaiaError", "RateLimitError", "RawResponse",
            "ResponseValidationError", "UnprocessableEntityError", "VoteType", "__version__",
        ]
    )  # fmt: skip
    for name in raia_agent.__all__:
        assert hasattr(raia_agent, name), name


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


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


REQUEST = corrected_spec()["components"]["schemas"][
    "ExternalApiCrateOrUpdateConversationMessageFeedbackBodyDTO"
]
OPTIONS = {"timeout", "max_retries"}


@pytest.mark.parametrize(
    "method",
    [
        _feedback.FeedbackWithRawResponse.create_or_update,
        _feedback.AsyncFeedbackWithRawResponse.create_or_update,
        _feedback.FeedbackResource.create_or_update,
        _feedback.AsyncFeedbackResource.create_or_update,
    ],
)
def test_method_parameters_follow_the_request_schema(method: object) -> None:
    """create_or_update takes exactly the request schema's properties, required ones without default."""
    params = inspect.signature(method).parameters  # type: ignore[arg-type]
    expected = {snake(name) for name in REQUEST["properties"]}
    actual = set(params) - {"self"} - OPTIONS
    missing, extra = expected - actual, actual - expected
    assert not missing, (
        f"spec request field(s) {sorted(missing)} have no parameter: add them to create_or_update"
    )
    assert not extra, f"parameter(s) {sorted(extra)} are no longer in the spec's request schema: remove them"
    required = {snake(name) for name in REQUEST["required"]}
    for name in expected:
        has_default = params[name].default is not inspect.Parameter.empty
        assert has_default == (name not in required), f"{name}: required in the spec iff it has no default"
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name


def test_vote_type_literal_follows_the_spec() -> None:
    """VoteType allows exactly the spec's enum."""
    from typing import get_args

    assert set(get_args(raia_agent.VoteType)) == set(REQUEST["properties"]["voteType"]["enum"])


def test_clients_have_the_same_constructor() -> None:
    """Raia and AsyncRaia take the same constructor arguments."""
    sync = list(inspect.signature(Raia).parameters)
    assert sync == ["secret_key", "base_url", "timeout", "max_retries", "http_client", "default_headers"]
    assert list(inspect.signature(AsyncRaia).parameters) == sync
