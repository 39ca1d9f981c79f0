"""Turning an HTTP response into the generated model or a typed error."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from ._exceptions import ResponseValidationError, excerpt, make_status_error
from ._schema import response_validator

if TYPE_CHECKING:
    from raia_agent_api.models import Feedback

T = TypeVar("T")


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    """A successful call with everything HTTP said about it: status, headers, request id, parsed model."""

    http_response: httpx.Response
    parsed: T

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        request_id: str | None = self.http_response.headers.get("x-request-id")
        return request_id

    def parse(self) -> T:
        return self.parsed


def _invalid(response: httpx.Response, reason: str, body: object, secret: str) -> ResponseValidationError:
    if secret:
        reason = reason.replace(secret, "[REDACTED]")
    return ResponseValidationError(
        f"{response.status_code} response does not match the spec: {reason}", response=response, body=body
    )


def parse_feedback(response: httpx.Response, secret: str) -> RawResponse[Feedback]:
    if not response.is_success:
        raise make_status_error(response, secret=secret)
    content_type = response.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise _invalid(
            response, f"content type {content_type or 'missing'!r}, not JSON", response.text, secret
        )
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _invalid(
            response, f"body is not JSON ({excerpt(response.text) or 'empty'})", response.text, secret
        ) from exc
    validator = response_validator(201)
    if validator is None or not validator.is_valid(data):
        problems = validator.problems(data) if validator else []
        error = _invalid(response, "; ".join(map(str, problems)) or "unexpected body", data, secret)
        error.problems = problems
        raise error
    from raia_agent_api.models import Feedback  # deferred to the first call: import time

    try:
        return RawResponse(response, Feedback.from_dict(data))
    except (KeyError, ValueError, TypeError) as exc:  # the schema passed, the generated parser did not
        raise _invalid(response, f"{type(exc).__name__}: {exc}", data, secret) from exc
