"""Client configuration: credentials, where requests go, timeouts, retries and headers."""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import httpx
from raia_agent_api.resources._operations import AUTH_HEADERS, BASE_URL, SERVER_VARIABLES

from raia_runtime import NOT_GIVEN, NotGiven, TimeoutTypes

from . import _auth
from ._response import ACCEPT_ENCODING
from ._version import __version__

__all__ = ["NOT_GIVEN", "NotGiven", "TimeoutTypes"]

ENV_SECRET_KEY: Final = "RAIA_AGENT_SECRET_KEY"  # noqa: S105 (a variable name, not a key)
ENV_BASE_URL: Final = "RAIA_AGENT_BASE_URL"
ENV_STRICT: Final = "RAIA_AGENT_STRICT_RESPONSES"
DEFAULT_MAX_RETRIES: Final = 2
# A feedback upsert is small and quick; a minute covers a slow server without hanging a worker.
DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=5.0, read=60.0, write=10.0, pool=10.0)


def default_base_url() -> str:
    return BASE_URL


def user_agent() -> str:
    python = ".".join(map(str, sys.version_info[:3]))
    return f"raia-agent/{__version__} python/{python} httpx/{httpx.__version__}"


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str | None, server: str | None = None) -> str:
    """base_url, else RAIA_AGENT_BASE_URL, else `server` (the spec's server with the client's
    variables), else the spec's default server, checked."""
    base_url = base_url or os.environ.get(ENV_BASE_URL) or server or default_base_url()
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
    if url.query or url.fragment:
        raise ValueError("base_url must not have a query or a fragment: every path is appended to it")
    if url.userinfo:
        raise ValueError("base_url must not carry credentials (user:password@); the key is sent as a header")
    return str(url).rstrip("/")


def to_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    """An httpx.Timeout whose every part is None (no limit) or a finite number of seconds > 0."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float | httpx.Timeout | None):
        raise TypeError(
            f"timeout must be a number of seconds, an httpx.Timeout or None, not {type(timeout).__name__}"
        )
    result = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    for part in ("connect", "read", "write", "pool"):
        value = getattr(result, part)
        if value is not None and not (isinstance(value, int | float) and 0 < value < float("inf")):
            raise ValueError(f"timeout ({part}) must be a positive number of seconds or None, not {value!r}")
    return result


@dataclass(frozen=True)
class Options:
    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    headers: dict[str, str] = field(repr=False)
    strict_responses: bool = field(default=False, kw_only=True)
    default_headers: dict[str, str] = field(default_factory=dict, repr=False)
    """The user's default_headers as checked (auth headers left out)."""
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    """Each credential option the client holds, by option name (`secret_key`, `bearer_token`)."""
    server: dict[str, str] = field(default_factory=dict)
    """Each server variable's value, by option name (`region`)."""
    base_url_given: str | None = None
    """base_url as the caller gave it (it overrides the server variables), else None."""

    @property
    def secret_key(self) -> str:
        """The credential under the option `secret_key`, or "" (kept for code that read it)."""
        return self.credentials.get("secret_key", "")

    @property
    def secrets(self) -> tuple[str, ...]:
        """What no message, repr or log record may show: the key, and every value the client sends
        in a header that carries credentials (with the credential alone after a scheme such as
        `Bearer`), so that a new kind of auth header is covered without a change here."""
        found = {self.secret_key, *_auth.secrets(self.credentials)}
        for name in AUTH_HEADERS:
            value = self.headers.get(name, "")
            found |= {value, value.partition(" ")[2].strip()}
        return tuple(sorted(secret for secret in found if secret))

    def with_changes(
        self,
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        strict_responses: bool | None = None,
    ) -> Options:
        return replace(
            self,
            timeout=self.timeout if isinstance(timeout, NotGiven) else to_timeout(timeout),
            max_retries=self.max_retries if max_retries is None else check_retries(max_retries),
            strict_responses=self.strict_responses
            if strict_responses is None
            else check_strict(strict_responses),
        )


def check_strict(strict_responses: bool | None) -> bool:
    """strict_responses as given, else RAIA_AGENT_STRICT_RESPONSES (1/true/yes), else False."""
    if strict_responses is None:
        value = os.environ.get(ENV_STRICT, "").strip().lower()
        if value not in {"", "0", "1", "true", "false", "yes", "no"}:
            raise ValueError(f"{ENV_STRICT} must be 1/true/yes or 0/false/no, not {value!r}")
        return value in {"1", "true", "yes"}
    if not isinstance(strict_responses, bool):
        raise TypeError("strict_responses must be a bool")
    return strict_responses


def check_headers(headers: Mapping[str, str] | None, label: str = "default_headers") -> dict[str, str]:
    """Headers as sendable: str names and values of printable ASCII, no line breaks."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise TypeError(f"{label} must be a mapping of str to str")
    checked = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"{label}: {name!r} must map a str to a str")
        if not name or any(not (0x21 <= ord(ch) < 0x7F) or ch == ":" for ch in name):
            raise ValueError(f"{label}: {name!r} is not a valid header name")
        if any(not (0x20 <= ord(ch) < 0x7F) and ch != "\t" for ch in value):
            raise ValueError(
                f"{label}[{name!r}] has characters not allowed in an HTTP header "
                "(control characters, line breaks or non-ASCII)"
            )
        if value != value.strip(" \t"):
            # HTTP trims a value's outer whitespace, and h11 refuses to send it: that would surface
            # as a connection error (and be retried) rather than as the caller's mistake
            raise ValueError(f"{label}[{name!r}] starts or ends with whitespace, which HTTP does not keep")
        if name.lower() in _FRAMING:
            raise ValueError(
                f"{label}: {name!r} frames the message, which the client does from the body it sends; "
                "a value given here would make the request unreadable to the server"
            )
        checked[name] = value
    return checked


# Headers that say where a message ends: a second, different answer desynchronises the connection.
_FRAMING = frozenset({"content-length", "transfer-encoding"})


def check_extra_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A call's extra_headers: checked like default_headers, and never the header that carries the key."""
    checked = check_headers(headers, "extra_headers")
    auth = {name.lower() for name in AUTH_HEADERS}
    for name in checked:
        if name.lower() in auth:
            raise ValueError(
                f"extra_headers: {name!r} carries the secret key, which the client sets from secret_key; "
                "use with_options(secret_key=...) for another key"
            )
    return checked


def check_retries(max_retries: int) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError("max_retries must be an int >= 0")
    return max_retries


def resolve(
    *,
    options: Mapping[str, Any],
    base_url: str | None,
    timeout: TimeoutTypes,
    max_retries: int,
    default_headers: Mapping[str, str] | None,
    strict_responses: bool | None = None,
) -> Options:
    """`options` holds the spec's options (credentials, server variables) the caller gave, None for
    those left out."""
    _auth.check_unknown(options)
    credentials = _auth.credentials(options)
    server = _auth.server_values(options)
    auth = {name.lower() for name in AUTH_HEADERS}
    # Credentials go per operation, in exactly one copy, whatever default_headers spells.
    extra = {k: v for k, v in check_headers(default_headers).items() if k.lower() not in auth}
    # Only the encodings _response.BodyLimit inflates within its bound (httpx would also offer br
    # and zstd when their packages happen to be installed, and inflate them a whole chunk at a time).
    ours = {"User-Agent": user_agent(), "Accept-Encoding": ACCEPT_ENCODING}
    given = {k.lower() for k in extra}
    headers = {**{k: v for k, v in ours.items() if k.lower() not in given}, **extra}
    url = _auth.server_url(server) if SERVER_VARIABLES else None
    # A variable given here beats RAIA_AGENT_BASE_URL; base_url given here beats both.
    chosen = any(options.get(v.option) is not None for v in SERVER_VARIABLES)
    return Options(
        base_url=check_base_url(base_url or (url if chosen else None), url),
        timeout=to_timeout(timeout),
        max_retries=check_retries(max_retries),
        headers=headers,
        strict_responses=check_strict(strict_responses),
        default_headers=extra,
        credentials=credentials,
        server=server,
        base_url_given=base_url,
    )
