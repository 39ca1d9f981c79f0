"""The `raia_agent` logger and redaction: the key never reaches a message, a log record or a repr.

RAIA_AGENT_LOG=debug logs each request and response; every value printed passes through a Redactor.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping

logger = logging.getLogger("raia_agent")
# A library's logger stays silent until its user configures logging (no "last resort" stderr lines).
logger.addHandler(logging.NullHandler())
ALWAYS_SENSITIVE = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
REDACTED = "[REDACTED]"


def configure_from_env() -> None:
    level = os.environ.get("RAIA_AGENT_LOG", "").strip().upper()
    if level in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        logger.setLevel(level)
        if not any(not isinstance(h, logging.NullHandler) for h in logger.handlers):
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
            logger.addHandler(handler)


class Redactor:
    """Hides the secret in any text, and the values of the headers that carry it."""

    __slots__ = ("_headers", "_secret")

    def __init__(self, secret: str, auth_headers: Iterable[str]) -> None:
        self._secret = secret
        self._headers = ALWAYS_SENSITIVE | {name.lower() for name in auth_headers}

    def __repr__(self) -> str:
        return "Redactor(...)"

    def text(self, value: object) -> str:
        text = value if isinstance(value, str) else str(value)
        return text.replace(self._secret, REDACTED) if self._secret and self._secret in text else text

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {k: REDACTED if k.lower() in self._headers else self.text(v) for k, v in headers.items()}
