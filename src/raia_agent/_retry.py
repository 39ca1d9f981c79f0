"""When to retry and how long to wait: the policy stamina carries out.

Backoff before retry n (n = 1, 2, ...) is stamina's
min(WAIT_MAX, WAIT_INITIAL * 2 ** (n - 1) + uniform(0, WAIT_JITTER)) seconds, unless the
server said how long to wait (Retry-After or retry-after-ms): then that, if it is at most
MAX_RETRY_AFTER seconds; longer than that and the error is raised at once.
"""

from __future__ import annotations

import logging
import math
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ._exceptions import APIConnectionError, APIStatusError

WAIT_INITIAL = 0.5
WAIT_MAX = 8.0
WAIT_JITTER = 0.5
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 409, 429})


def retry_after(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait, or None when it said nothing usable."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            seconds = float(raw_ms) / 1000
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def not_processed(exc: BaseException) -> bool:
    """Whether the failure shows the API never acted on the request: no connection, or a 429."""
    if isinstance(exc, APIStatusError):
        return exc.status_code == 429
    return isinstance(exc, APIConnectionError) and isinstance(
        exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout
    )


def certificate_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate or hostname verification failure behind `exc`, if that is what it is."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, ssl.SSLCertVerificationError):
            return link
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return None


def should_retry(exc: BaseException) -> bool | float:
    """stamina's backoff hook: False to raise, True for the default backoff, a float to wait that long."""
    if isinstance(exc, APIConnectionError):
        # a certificate the client refuses will be refused again: fail at once
        return certificate_error(exc) is None
    if not isinstance(exc, APIStatusError):
        return False
    if exc.status_code not in RETRY_STATUSES and exc.status_code < 500:
        return False
    wait = retry_after(exc.response.headers)
    if wait is None:
        return True
    return wait if wait <= MAX_RETRY_AFTER else False


def retrying(retries: int, on: Callable[[BaseException], bool | float]) -> Any:
    """stamina's retry context for `retries` more attempts; imported only once a call has failed."""
    import stamina

    # stamina reports each retry on its "stamina" logger; without this, a script that configured no
    # logging would get Python's last-resort stderr line for each. Handlers the user adds still see them.
    stamina_logger = logging.getLogger("stamina")
    if not stamina_logger.handlers:
        stamina_logger.addHandler(logging.NullHandler())
    return stamina.retry_context(
        on=on,
        attempts=retries + 1,
        timeout=None,
        wait_initial=WAIT_INITIAL,
        wait_max=WAIT_MAX,
        wait_jitter=WAIT_JITTER,
    )
