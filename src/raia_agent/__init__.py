"""raia-agent: a typed client for the raia AI Agent API.

from raia_agent import Raia

with Raia() as client:  # RAIA_AGENT_SECRET_KEY
    fb = client.feedback.create_or_update(
        conversation_message_id=..., user_id=..., vote_type="up", question="..."
    )
"""

from typing import TYPE_CHECKING, Any

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
from ._version import __version__

if TYPE_CHECKING:
    from raia_agent_api.models import Feedback, ForbiddenError
    from raia_agent_api.models import FeedbackRequestVoteType as VoteType
    from raia_agent_api.models import InternalServerError as InternalServerErrorBody

# The generated models (and attrs) load on first use, not with `import raia_agent`.
_MODELS = {
    "Feedback": "Feedback",
    "ForbiddenError": "ForbiddenError",
    "VoteType": "FeedbackRequestVoteType",
    "InternalServerErrorBody": "InternalServerError",
}


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from raia_agent_api import models

        value = getattr(models, _MODELS[name])
        globals()[name] = value
        return value
    raise AttributeError(f"module 'raia_agent' has no attribute {name!r}")


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
