"""The `raia_agent` logger and redaction: the key never reaches a message, a log record or a repr.

RAIA_AGENT_LOG=debug logs each request and response line (bodies only with RAIA_AGENT_LOG_BODIES=1);
every value printed passes through a Redactor. The HTTP stack's own loggers (httpx, httpcore,
aiohttp...) quote what went over the wire, a server's echo of the key included: `guard` gives them
a filter that hides every live client's secrets.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
import warnings
import weakref
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

logger = logging.getLogger("raia_agent")
# A library's logger stays silent until its user configures logging (no "last resort" stderr lines).
logger.addHandler(logging.NullHandler())
ALWAYS_SENSITIVE = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
REDACTED = "[REDACTED]"


LEVELS = ("debug", "info", "warning", "error")
BODIES_LIMIT = 10_000
"""Characters of a request or response body a debug line shows, with RAIA_AGENT_LOG_BODIES=1."""
log_bodies = False
"""Whether debug lines show bodies: user text, so only when RAIA_AGENT_LOG_BODIES=1 asks for them."""


def configure_from_env() -> None:
    """RAIA_AGENT_LOG=debug|info|warning|error: that level, to stderr; anything else warns once.
    RAIA_AGENT_LOG_BODIES=1 (or true, yes) adds bodies to the debug lines."""
    global log_bodies
    bodies = os.environ.get("RAIA_AGENT_LOG_BODIES", "").strip().lower()
    log_bodies = bodies in {"1", "true", "yes"}
    if bodies not in {"", "0", "1", "true", "false", "yes", "no"}:
        warnings.warn(
            f"RAIA_AGENT_LOG_BODIES={bodies[:40]!r} is neither 1/true/yes nor 0/false/no (bodies left out)",
            RuntimeWarning,
            stacklevel=2,
        )
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
    """Hides a client's secrets (its key, or any credential it sends) in any text, and the values
    of the headers that carry them."""

    __slots__ = ("__weakref__", "_bytes", "_forms", "_headers")

    def __init__(self, secrets: Collection[str] | str, auth_headers: Iterable[str]) -> None:
        # The key as it may appear: raw, JSON-escaped (a key with " or \), as Python's repr of
        # bytes would show it, and percent-encoded (in a URL's path or query, either case of hex).
        forms: set[str] = set()
        for secret in (secrets,) if isinstance(secrets, str) else secrets:
            if secret:
                # percent-encoded as the common encoders leave it: everything, Python's quote() default
                # (keeps "/"), JavaScript's encodeURIComponent and encodeURI (keep !~*'(), and / too)
                quoted = [quote(secret, safe=safe) for safe in ("", "/", "!~*'()", "/!~*'()")]
                quoted.append(quote_plus(secret, safe=""))
                escaped = json.dumps(secret)[1:-1]
                # JSON as PHP and Java write "/", and as Go writes <, > and &
                go = escaped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                forms |= {
                    secret,
                    escaped,
                    escaped.replace("/", "\\/"),
                    go,
                    repr(secret.encode())[2:-1],
                    *quoted,
                }
                forms |= {_lower_hex(form) for form in quoted}
        self._forms = sorted(forms, key=len, reverse=True)
        self._bytes = [form.encode("utf-8", "surrogatepass") for form in self._forms]
        self._headers = ALWAYS_SENSITIVE | {name.lower() for name in auth_headers}

    def __repr__(self) -> str:
        return "Redactor(...)"

    def holds(self, text: str) -> bool:
        """Whether `text` shows a secret in any of the forms `text()` hides."""
        return any(form in text for form in self._forms)

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
            if isinstance(link, UnicodeDecodeError):
                # its input in its own type (bytes), or it would no longer pickle or copy
                link.object = self.raw(bytes(link.object))
                link.args = (link.encoding, link.object, link.start, link.end, link.reason)
            elif any(isinstance(arg, str | bytes | bytearray) for arg in link.args):
                with contextlib.suppress(AttributeError, TypeError):  # read-only args
                    link.args = tuple(
                        self.text(arg.decode("latin-1") if isinstance(arg, bytes | bytearray) else arg)
                        if isinstance(arg, str | bytes | bytearray)
                        else arg
                        for arg in link.args
                    )
            if isinstance(link, json.JSONDecodeError):  # json keeps the whole document it read
                link.doc = self.text(link.doc)
            link = link.__cause__ or link.__context__

    def raw(self, data: bytes) -> bytes:
        for form in self._bytes:
            data = data.replace(form, REDACTED.encode())
        return data

    def holds_bytes(self, data: bytes) -> bool:
        """Whether `data` (bytes as received) shows a secret in any of the forms `raw()` hides."""
        return any(form in data for form in self._bytes)

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

    def http_headers(self, headers: httpx.Headers) -> httpx.Headers:
        """`headers` as received, every one kept, with the key gone wherever a name or value echoes it
        and the values of the headers that carry credentials replaced."""
        return httpx.Headers(
            [
                (
                    self.raw(name),
                    REDACTED.encode() if name.decode("latin-1").lower() in self._headers else self.raw(value),
                )
                for name, value in headers.raw
            ]
        )

    def body(self, value: Any, content: bytes) -> Any:
        """An error's body (JSON or text) with the key hidden; the redacted text of `content`, the
        bytes it was read from, when it nests too deep to walk."""
        try:
            return self.deep(value)
        except RecursionError:
            return self.text(content.decode("utf-8", "replace"))


# The HTTP stack's loggers (by their top-level name) and the client's own: their DEBUG records quote
# what went over the wire, headers included, so a server echoing the key would put it in a record.
_GUARDED = frozenset(
    {
        "httpx",
        "httpcore",
        "httpx2",
        "httpcore2",
        "h11",
        "h2",
        "hpack",
        "aiohttp",
        "httpx_aiohttp",
        "stamina",
        "asyncio",
        "raia_agent",
    }
)
# Loggers of modules imported only on first use (HTTP/2, SOCKS): made now, so that they get the filter.
_LATER = (
    "httpcore.http2",
    "httpcore.socks",
    "httpcore2.http2",
    "httpcore2.socks",
    "hpack.hpack",
    "hpack.table",
)
_live: tuple[weakref.ref[Redactor], ...] = ()
_lock = threading.Lock()
_scanned = -1  # how many loggers existed at the last scan: a scan runs again only when more exist


class _HideSecrets(logging.Filter):
    """Rewrites a record that shows a live client's secret: its message redacted, its arguments
    (which held the secret) gone. A logger runs its filters only for a record its level let through,
    so with DEBUG off this costs nothing per call."""

    def filter(self, record: logging.LogRecord) -> bool:
        live = [redactor for ref in _live if (redactor := ref()) is not None]
        if live:
            _hide(record, live)
        return True


_FILTER = _HideSecrets()


def _hide(record: logging.LogRecord, live: list[Redactor]) -> None:
    try:
        message = record.getMessage()
    except Exception:  # arguments that do not fit the format: logging itself reports those
        message = f"{record.msg} {record.args!r}"
    shown = f"{message} {record.args!r}" if record.args else message
    if any(redactor.holds(shown) for redactor in live):
        for redactor in live:
            message = redactor.text(message)
        record.msg, record.args = message, ()
    if record.exc_info and record.exc_info[1] is not None:
        trace = logging.Formatter().formatException(record.exc_info)
        if any(redactor.holds(trace) for redactor in live):
            for redactor in live:
                trace = redactor.text(trace)
            record.exc_text, record.exc_info = trace, None


def guard(redactor: Redactor) -> None:
    """Hide `redactor`'s secrets from the records of the HTTP stack's loggers and of the root logger
    for as long as the client holding it lives. Run when a client or its pool is made."""
    global _live, _scanned
    with _lock:
        if not any(ref() is redactor for ref in _live):
            _live = (*(ref for ref in _live if ref() is not None), weakref.ref(redactor))
        loggers = logging.root.manager.loggerDict
        if len(loggers) == _scanned:
            return
        for name in _LATER:
            logging.getLogger(name)
        for name, found in list(loggers.items()):
            if isinstance(found, logging.Logger) and name.split(".", 1)[0] in _GUARDED:
                found.addFilter(_FILTER)  # once: addFilter skips a filter it already has
        logging.getLogger().addFilter(_FILTER)
        _scanned = len(loggers)
