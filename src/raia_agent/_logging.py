"""The `raia_agent` logger; RAIA_AGENT_LOG=debug logs each request and response, key redacted."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

logger = logging.getLogger("raia_agent")
SENSITIVE_HEADERS = frozenset({"agent-secret-key", "authorization", "proxy-authorization", "cookie"})


def configure_from_env() -> None:
    level = os.environ.get("RAIA_AGENT_LOG", "").strip().upper()
    if level in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        logger.setLevel(level)
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
            logger.addHandler(handler)


def redacted(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: "[REDACTED]" if k.lower() in SENSITIVE_HEADERS else v for k, v in headers.items()}
