"""Reading and parsing a request body as Express's JSON parser does: bounded, strict, never a 500."""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any

from starlette.types import Receive

DEFAULT_BODY_LIMIT = 100 * 1024
"""Express's `express.json()` default, which the real API (NestJS on Express) keeps."""
MAX_DEPTH = 64
# A JSON number with more digits than this is beyond a double: JavaScript reads it as Infinity.
_MAX_DIGITS = 309
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


DISCARD_FACTOR = 10
"""A refused body is read and thrown away up to this many times the limit (at least DISCARD_FLOOR)..."""
DISCARD_FLOOR = 64 * 1024**2
DISCARD_SECONDS = 5.0
"""... for at most this long, and while its bytes keep coming (DISCARD_IDLE), before the server closes."""
DISCARD_IDLE = 1.0


class TooLarge(Exception):
    """The body is over the limit (by its Content-Length, or counted as it streamed in)."""

    def __init__(self, announced: int | None = None) -> None:
        super().__init__()
        self.announced = announced


class NotJSON(ValueError):
    """The body is not JSON the API would accept; the message says why."""


def parse_size(text: str | int) -> int:
    """Bytes from an int or a string like Express's `limit`: "102400", "100kb", "1mb"."""
    if isinstance(text, int):
        size = text
    else:
        spelled = text.strip().lower().replace(" ", "")
        number = spelled.rstrip("kmgb")
        unit = spelled[len(number) :] or "b"
        if unit not in _UNITS or not number.replace(".", "", 1).isdigit():
            raise ValueError(f"not a size: {text!r} (e.g. 102400, 100kb, 1mb)")
        size = int(float(number) * _UNITS[unit])
    if size < 0:
        raise ValueError("a body limit cannot be negative")
    return size


async def read_body(receive: Receive, content_length: str | None, limit: int) -> bytes | None:
    """The whole body, or None if the client left first; TooLarge as soon as it is known to be over."""
    if content_length is not None and content_length.strip().isdigit() and int(content_length) > limit:
        raise TooLarge(int(content_length))
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def discard_bound(limit: int) -> int:
    return max(DISCARD_FACTOR * limit, DISCARD_FLOOR)


async def discard(receive: Receive, limit: int) -> None:
    """Read the rest of a refused body and drop it, within the bounds above.

    A client that sends its whole body before reading (Python's http.client, curl without
    `Expect`) would otherwise meet a connection closed under its upload (a reset) and never read
    the 413 already sent; Node likewise drains a refused body before closing.
    """
    budget, deadline = discard_bound(limit), time.monotonic() + DISCARD_SECONDS
    while budget > 0:
        wait = min(DISCARD_IDLE, deadline - time.monotonic())
        if wait <= 0:
            return
        try:
            message = await asyncio.wait_for(receive(), wait)
        except TimeoutError:
            return
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        budget -= len(message.get("body", b""))


def is_json(content_type: str | None) -> bool:
    """Whether Express's JSON parser would read a body of this type (it leaves others unparsed)."""
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


def unsupported_charset(content_type: str | None) -> str | None:
    """The charset body-parser refuses (with 415): anything but a UTF one, e.g. "LATIN1"."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        charset = value.strip().strip('"')
        if name.strip().lower() == "charset" and not charset.lower().startswith("utf-"):
            return charset.upper()
    return None


def parse_json(raw: bytes) -> Any:
    """The body as JSON, strictly (an object or array at the top, as body-parser's `strict`)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotJSON(f"Body is not valid UTF-8 (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")  # body-parser's decoder drops a byte-order mark
    if not text:
        return {}  # an empty body parses to {} in Express
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        raise NotJSON("Unexpected end of JSON input")  # body-parser's strict check: whitespace is not JSON
    if stripped[0] not in "{[":
        raise NotJSON(f"Unexpected token {stripped[0]!r} in JSON at position {len(text) - len(stripped)}")
    try:
        value = json.loads(
            text, parse_constant=_no_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
    except RecursionError:
        raise NotJSON(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise NotJSON(f"Unexpected token in JSON at position {exc.pos}: {exc.msg}") from None
    _check_tree(value)
    return value


def _no_constant(name: str) -> Any:
    raise NotJSON(f"Unexpected token {name[0]!r} in JSON ({name} is not JSON)")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _MAX_DIGITS:
        raise NotJSON(f"Number out of range in JSON ({len(digits)} digits)")
    return int(digits)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotJSON("Number out of range in JSON")
    return value


def _check_tree(value: Any) -> None:
    # Iterative, so a deep value cannot exhaust the stack here either.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise NotJSON(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, str):
            _check_text(node)
        elif isinstance(node, dict):
            for key, item in node.items():
                _check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NotJSON(f"Lone surrogate {text[exc.start]!r} in a JSON string is not valid Unicode") from None
