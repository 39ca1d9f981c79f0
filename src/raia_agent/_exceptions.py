"""Errors raised by the raia client.

RaiaError                              also: a closed client
└── APIError
    ├── APIConnectionError             no response (refused, reset, dropped)
    │   └── APITimeoutError            no response, or no whole body, in time
    ├── APIStatusError                 status_code, body, error, response, request_id
    │   ├── BadRequestError            400
    │   ├── AuthenticationError        401
    │   ├── PermissionDeniedError      403
    │   ├── NotFoundError              404
    │   ├── ConflictError              409
    │   ├── UnprocessableEntityError   422
    │   ├── RateLimitError             429
    │   └── InternalServerError        >= 500
    └── ResponseValidationError        a body that does not match the spec, is not JSON, or is too large

`error` is the body parsed into the generated model the spec documents for that status
(a 403's ForbiddenError, say), or None when the body does not match it or none is documented;
each class's `error` is typed with the models generated for its status (`ErrorNNN` in
raia_agent_api.resources._operations), so mypy checks attribute names on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ._schema import Problem

if TYPE_CHECKING:
    # the spec's models for each status, generated (None where the spec documents none)
    from raia_agent_api.resources._operations import (
        Error5xx,
        Error400,
        Error401,
        Error403,
        Error404,
        Error409,
        Error422,
        Error429,
    )

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
]

_EXCERPT = 200


class RaiaError(Exception):
    """Base of every error this package raises; every one pickles, without the key."""

    def __reduce__(self) -> tuple[Any, ...]:
        from ._pickling import portable_state, restore

        return restore, (type(self), self.args, portable_state(dict(self.__dict__)))


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

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        error: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.error = error
        self.request_id = request_id


class BadRequestError(APIStatusError):
    """400: the API rejected the request body."""

    error: Error400 | None


class AuthenticationError(APIStatusError):
    """401: the API did not accept the credentials."""

    error: Error401 | None


class PermissionDeniedError(APIStatusError):
    """403: the secret key is missing, wrong or not allowed; `.error` has the parsed body."""

    error: Error403 | None


class NotFoundError(APIStatusError):
    """404."""

    error: Error404 | None


class ConflictError(APIStatusError):
    """409."""

    error: Error409 | None


class UnprocessableEntityError(APIStatusError):
    """422."""

    error: Error422 | None


class RateLimitError(APIStatusError):
    """429: too many requests; retried after Retry-After when it is short enough."""

    error: Error429 | None


class InternalServerError(APIStatusError):
    """500 or above, including proxies' gateway errors."""

    error: Error5xx | None


class ResponseValidationError(APIError):
    """A response whose body does not match the spec; the underlying error is the `__cause__`."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        problems: list[Problem] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.problems = problems or []
        self.request_id = request_id


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
    """One line of at most 200 characters, with what a terminal would act on (ESC, C1 controls,
    bidi overrides) shown as escapes: a server's text ends up in tracebacks and logs."""
    flat = " ".join(text.split())
    flat = flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1] + "…"
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in flat)


def read_body(content: bytes) -> Any:
    """The body as JSON when it is JSON (of any depth or size), else as text."""
    try:
        return json.loads(content)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError and huge ints are ValueErrors
        return content.decode("utf-8", errors="replace")


def status_error_class(status: int) -> type[APIStatusError]:
    return _BY_STATUS.get(status) or (InternalServerError if status >= 500 else APIStatusError)


def summary(body: Any, redact: Callable[[str], str] = str) -> str:
    """A short human line for a body: its `message` when it has one."""
    text: Any = body.get("message", body) if isinstance(body, dict) else body
    if isinstance(text, list):
        text = "; ".join(map(str, text))
    if not isinstance(text, str):
        try:
            text = json.dumps(text)
        except (ValueError, RecursionError):
            text = "(unprintable body)"
    return excerpt(redact(text))  # redacted before it is cut, so no prefix of the key survives
