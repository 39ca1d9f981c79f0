"""Errors raised by the raia client.

RaiaError
└── APIError
    ├── APIConnectionError
    │   └── APITimeoutError
    ├── APIStatusError                 status_code, body, response, request_id
    │   ├── BadRequestError            400
    │   ├── AuthenticationError        401
    │   ├── PermissionDeniedError      403  (.error: the parsed ForbiddenError body)
    │   ├── NotFoundError              404
    │   ├── ConflictError              409
    │   ├── UnprocessableEntityError   422
    │   ├── RateLimitError             429
    │   └── InternalServerError        >= 500
    └── ResponseValidationError        a body that does not match the spec
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from ._schema import Problem, response_validator

__all__ = [
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
    "make_status_error",
]

if TYPE_CHECKING:
    from raia_agent_api.models import ForbiddenError

_EXCERPT = 200


class RaiaError(Exception):
    """Base of every error this package raises."""


class APIError(RaiaError):
    """A request to the API did not produce a usable answer."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """No response arrived: the connection failed, was refused or dropped."""

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """No response arrived in time."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The API answered with a status that is not a success."""

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.request_id: str | None = response.headers.get("x-request-id")


class BadRequestError(APIStatusError):
    """400: the API rejected the request body."""


class AuthenticationError(APIStatusError):
    """401: the API did not accept the credentials."""


class PermissionDeniedError(APIStatusError):
    """403: the secret key is missing, wrong or not allowed; `.error` has the parsed body."""

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, response=response, body=body)
        self.error: ForbiddenError | None = None
        validator = response_validator(403)
        if validator is not None and validator.is_valid(body):
            from raia_agent_api.models import ForbiddenError

            self.error = ForbiddenError.from_dict(body)  # type: ignore[arg-type]


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried after Retry-After when it is short enough."""


class InternalServerError(APIStatusError):
    """500 or above, including proxies' gateway errors."""


class ResponseValidationError(APIError):
    """A response whose body does not match the spec; the underlying error is the `__cause__`."""

    def __init__(
        self, message: str, *, response: httpx.Response, body: object, problems: list[Problem] | None = None
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.problems = problems or []
        self.request_id: str | None = response.headers.get("x-request-id")


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1] + "…"


def read_body(response: httpx.Response) -> Any:
    """The body as JSON when it is JSON, else as text."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text


def make_status_error(response: httpx.Response, *, secret: str = "") -> APIStatusError:
    """Map a non-success response to the exception class for its status."""
    body = read_body(response)
    status = response.status_code
    cls = _BY_STATUS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    summary: Any = body.get("message", body) if isinstance(body, dict) else body
    if isinstance(summary, list):
        summary = "; ".join(map(str, summary))
    text = excerpt(summary if isinstance(summary, str) else json.dumps(summary))
    if secret:
        text = text.replace(secret, "[REDACTED]")
    request_id = response.headers.get("x-request-id")
    suffix = f" (request id {request_id})" if request_id else ""
    return cls(f"Error code: {status} - {text}{suffix}", response=response, body=body)
