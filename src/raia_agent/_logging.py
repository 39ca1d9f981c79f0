"""The `raia_agent` logger and redaction: the key never reaches a message, a log record or a repr.

RAIA_AGENT_LOG=debug logs each request and response; every value printed passes through a Redactor.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, quote_plus

logger = logging.getLogger("raia_agent")
# A library's logger stays silent until its user configures logging (no "last resort" stderr lines).
logger.addHandler(logging.NullHandler())
ALWAYS_SENSITIVE = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
REDACTED = "[REDACTED]"


LEVELS = ("debug", "info", "warning", "error")


def configure_from_env() -> None:
    """RAIA_AGENT_LOG=debug|info|warning|error: that level, to stderr; anything else warns once."""
    raw = os.environ.get("RAIA_AGENT_LOG", "")
    level = raw.strip().upper()
    if level and level.lower() not in LEVELS:
        # a warning, not a log line: the logger it would configure is silent until configured
        warnings.warn(
            f"RAIA_AGENT_LOG={raw.strip()[:40]!r} is not a level raia_agent knows; "
            f"use one of {', '.join(LEVELS)} (logging left unconfigured)",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    if level:
        logger.setLevel(level)
        if not any(not isinstance(h, logging.NullHandler) for h in logger.handlers):
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
            logger.addHandler(handler)


def one_line(text: str, limit: int, *, backslashes: bool = True) -> str:
    """`text` for one log line or message: at most `limit` characters, with what a terminal would
    act on (control and format characters: ESC, CR/LF, bidi marks) shown as escapes, and
    backslashes too unless `backslashes` is false. Redact before this, so that the cut never
    leaves a prefix of the key."""
    kept = "" if backslashes else "\\"
    shown = "".join(
        ch if (ch.isprintable() and ch != "\\") or ch == kept else ch.encode("unicode_escape").decode("ascii")
        for ch in text[:limit]
    )
    return f"{shown}... (cut at {limit} of {len(text)} characters)" if len(text) > limit else shown


def _lower_hex(quoted: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group().lower(), quoted)


class Redactor:
    """Hides the secrets in any text, and the values of the headers that carry them.

    `secret` is one secret or several (a client's key, bearer token and basic password alike).
    """

    __slots__ = ("_forms", "_headers", "_secret")

    def __init__(self, secret: str | Iterable[str], auth_headers: Iterable[str]) -> None:
        secrets = [secret] if isinstance(secret, str) else [s for s in secret if s]
        self._secret = secrets[0] if secrets else ""
        # Each secret as it may appear: raw, JSON-escaped (a key with " or \), as Python's repr of
        # bytes would show it, and percent-encoded (in a URL's path or query, either case of hex).
        forms: set[str] = set()
        for one in filter(None, secrets):
            quoted = [quote(one, safe=""), quote_plus(one, safe="")]
            forms |= {one, json.dumps(one)[1:-1], repr(one.encode())[2:-1], *quoted}
            forms |= {_lower_hex(form) for form in quoted}
        self._forms = sorted(forms, key=len, reverse=True)
        self._headers = ALWAYS_SENSITIVE | {name.lower() for name in auth_headers}

    def __repr__(self) -> str:
        return "Redactor(...)"

    def text(self, value: object) -> str:
        text = value if isinstance(value, str) else str(value)
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def scrub(self, exc: BaseException) -> None:
        """Redact the key from the string arguments of `exc` and every exception chained to it.

        Transport errors quote what the server sent (a status line, a header), which may echo the key.
        """
        seen: set[int] = set()
        link: BaseException | None = exc
        while link is not None and id(link) not in seen:
            seen.add(id(link))
            if any(isinstance(arg, str | bytes | bytearray) for arg in link.args):
                with contextlib.suppress(AttributeError, TypeError):  # read-only args
                    link.args = tuple(
                        self.text(arg.decode("latin-1") if isinstance(arg, bytes | bytearray) else arg)
                        if isinstance(arg, str | bytes | bytearray)
                        else arg
                        for arg in link.args
                    )
            link = link.__cause__ or link.__context__

    def raw(self, data: bytes) -> bytes:
        for form in self._forms:
            data = data.replace(form.encode("utf-8", "surrogatepass"), REDACTED.encode())
        return data

    def deep(self, value: Any) -> Any:
        """A JSON value with the key hidden in every string, keys of objects included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.deep(k): self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(item) for item in value]
        return value

    def problem(self, problem: Any) -> Any:
        return replace(problem, field=self.text(problem.field), message=self.text(problem.message))

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {k: REDACTED if k.lower() in self._headers else self.text(v) for k, v in headers.items()}
