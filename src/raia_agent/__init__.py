"""raia-agent: a typed client for the raia AI Agent API.

from raia_agent import Raia

with Raia() as client:  # RAIA_AGENT_SECRET_KEY
    fb = client.feedback.create_or_update(
        conversation_message_id=..., user_id=..., vote_type="up", question="..."
    )
"""

from raia_agent_api.models import Feedback, ForbiddenError
from raia_agent_api.models import FeedbackRequestVoteType as VoteType
from raia_agent_api.models import InternalServerError as InternalServerErrorBody

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
