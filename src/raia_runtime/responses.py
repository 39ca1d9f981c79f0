"""What a `with_raw_response` call returns: the parsed body with everything HTTP said about it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

from raia_runtime.operations import ResponseHeader

T = TypeVar("T")


def request_id(http_response: httpx.Response) -> str | None:
    """The response's x-request-id as the server sent it (None when absent)."""
    found: str | None = http_response.headers.get("x-request-id")
    return found


class ResponseHead:
    """What HTTP said about a response besides its body; every response type the client returns has it."""

    http_response: httpx.Response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        return request_id(self.http_response)


@dataclass(frozen=True)
class RawResponse(ResponseHead, Generic[T]):
    """A successful call with everything HTTP said about it: status, headers, request id, parsed model."""

    http_response: httpx.Response
    parsed: T

    def parse(self) -> T:
        return self.parsed


H = TypeVar("H")


@dataclass(frozen=True)
class RawResponseWithHeaders(RawResponse[T], Generic[T, H]):
    """A RawResponse whose operation documents response headers: `.typed_headers` reads them typed
    (an int for `integer`, None when absent); `.headers` still has every header as sent."""

    documented: tuple[ResponseHeader, ...]
    headers_type: Callable[..., H]

    @classmethod
    def of(
        cls, raw: RawResponse[T], documented: tuple[ResponseHeader, ...], headers_type: Callable[..., H]
    ) -> RawResponseWithHeaders[T, H]:
        return cls(raw.http_response, raw.parsed, documented, headers_type)

    @property
    def typed_headers(self) -> H:
        headers = self.http_response.headers
        return self.headers_type(**{header.python: header.read(headers) for header in self.documented})
