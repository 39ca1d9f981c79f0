"""Client configuration: the key, where requests go, timeouts, retries and headers."""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final

import httpx

from ._schema import operation
from ._version import __version__

ENV_SECRET_KEY: Final = "RAIA_AGENT_SECRET_KEY"  # noqa: S105 (a variable name, not a key)
ENV_BASE_URL: Final = "RAIA_AGENT_BASE_URL"
DEFAULT_MAX_RETRIES: Final = 2
# A feedback upsert is small and quick; a minute covers a slow server without hanging a worker.
DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=5.0, read=60.0, write=10.0, pool=10.0)


class NotGiven:
    """Marks an argument left out, where None means "no timeout"."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
TimeoutTypes = float | httpx.Timeout | None


def default_base_url() -> str:
    from raia_agent_api._spec import corrected_spec

    return str(corrected_spec()["servers"][0]["url"])


def user_agent() -> str:
    python = ".".join(map(str, sys.version_info[:3]))
    return f"raia-agent/{__version__} python/{python} httpx/{httpx.__version__}"


def check_secret_key(secret_key: str | None) -> str:
    if secret_key is None:
        secret_key = os.environ.get(ENV_SECRET_KEY)
    if not secret_key:
        raise ValueError(
            f"no secret key: pass Raia(secret_key=...) or set the {ENV_SECRET_KEY} environment variable"
        )
    if not isinstance(secret_key, str):
        raise TypeError("secret_key must be a str")
    # Printable ASCII only: CR/LF would split the header, and the value is never echoed back.
    if any(not (0x20 <= ord(ch) < 0x7F) for ch in secret_key) or secret_key != secret_key.strip():
        raise ValueError(
            "secret_key contains characters not allowed in an HTTP header "
            "(control characters, line breaks, non-ASCII or surrounding spaces); check how it was loaded"
        )
    return secret_key


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str | None) -> str:
    base_url = base_url or os.environ.get(ENV_BASE_URL) or default_base_url()
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as exc:
        raise ValueError(f"base_url is not a valid URL: {exc}") from None
    if url.scheme == "http" and not is_loopback(url.host):
        raise ValueError(
            f"base_url must use https:// (plain http:// is allowed only for loopback hosts): {url.host!r}"
        )
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValueError("base_url must be an absolute https:// URL")
    return str(url).rstrip("/")


def to_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


@dataclass(frozen=True)
class Options:
    secret_key: str = field(repr=False)
    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    headers: dict[str, str] = field(repr=False)

    @property
    def endpoint(self) -> str:
        return self.base_url + operation().path

    def with_changes(self, *, timeout: TimeoutTypes | NotGiven, max_retries: int | None) -> Options:
        return replace(
            self,
            timeout=self.timeout if isinstance(timeout, NotGiven) else to_timeout(timeout),
            max_retries=self.max_retries if max_retries is None else check_retries(max_retries),
        )


def check_retries(max_retries: int) -> int:
    if not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError("max_retries must be an int >= 0")
    return max_retries


def resolve(
    *,
    secret_key: str | None,
    base_url: str | None,
    timeout: TimeoutTypes,
    max_retries: int,
    default_headers: Mapping[str, str] | None,
) -> Options:
    key = check_secret_key(secret_key)
    headers = {"User-Agent": user_agent(), **(default_headers or {})}
    headers[operation().security_header] = key
    return Options(
        secret_key=key,
        base_url=check_base_url(base_url),
        timeout=to_timeout(timeout),
        max_retries=check_retries(max_retries),
        headers=headers,
    )
