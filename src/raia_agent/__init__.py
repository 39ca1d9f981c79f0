"""raia-agent: a typed client for the raia AI Agent API.

from raia_agent import Raia

with Raia() as client:  # RAIA_AGENT_SECRET_KEY
    fb = client.feedback.create_or_update(
        conversation_message_id=..., user_id=..., vote_type="up", question="..."
    )
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from raia_agent_api.models import Feedback, ForbiddenError, InternalServerErrorBody
    from raia_agent_api.models import FeedbackRequestVoteType as VoteType

    from ._client import AsyncRaia, Raia
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        InternalServerError,
        NotFoundError,
        PermissionDeniedError,
        RaiaError,
        RateLimitError,
        ResponseValidationError,
        UnprocessableEntityError,
    )
    from ._options import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, NOT_GIVEN
    from ._response import RawResponse

# Everything loads on first use, so `import raia_agent` (and `raia-agent --help`) costs almost
# nothing until a client, an error class or a model is touched: name -> (module, attribute).
_EXCEPTIONS = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RaiaError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
]
_LAZY: dict[str, tuple[str, str]] = {
    "Raia": ("raia_agent._client", "Raia"),
    "AsyncRaia": ("raia_agent._client", "AsyncRaia"),
    "DEFAULT_MAX_RETRIES": ("raia_agent._options", "DEFAULT_MAX_RETRIES"),
    "DEFAULT_TIMEOUT": ("raia_agent._options", "DEFAULT_TIMEOUT"),
    "NOT_GIVEN": ("raia_agent._options", "NOT_GIVEN"),
    "RawResponse": ("raia_agent._response", "RawResponse"),
    "Feedback": ("raia_agent_api.models", "Feedback"),
    "ForbiddenError": ("raia_agent_api.models", "ForbiddenError"),
    "VoteType": ("raia_agent_api.models", "FeedbackRequestVoteType"),
    "InternalServerErrorBody": ("raia_agent_api.models", "InternalServerErrorBody"),
    **{name: ("raia_agent._exceptions", name) for name in _EXCEPTIONS},
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'raia_agent' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncRaia",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "Feedback",
    "ForbiddenError",
    "InternalServerError",
    "InternalServerErrorBody",
    "NotFoundError",
    "PermissionDeniedError",
    "Raia",
    "RaiaError",
    "RateLimitError",
    "RawResponse",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "VoteType",
    "__version__",
]
