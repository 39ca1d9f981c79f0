"""Errors that cross a process boundary: pickled without the key, unpickled without __init__.

A worker of a ProcessPoolExecutor or multiprocessing.Pool sends its exception to the parent by
pickle; an error that cannot be rebuilt there breaks the pool, and one pickled as is carries the
request's headers, key included.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from raia_agent_api.resources._operations import AUTH_HEADERS

from ._logging import ALWAYS_SENSITIVE, REDACTED, Redactor

_SENSITIVE = ALWAYS_SENSITIVE | {name.lower() for name in AUTH_HEADERS}
# The stored content is already inflated, so the portable copy must not claim an encoding.
_DROPPED = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_NO_KEY = Redactor("", AUTH_HEADERS)


def restore(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    """The unpickling side: the error as it was, without running its (keyword-only) __init__."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


def portable_state(state: dict[str, Any]) -> dict[str, Any]:
    """An error's attributes with the key gone from the request, the response, the body and `.error`."""
    redact: Redactor = state.pop("_redactor", None) or _NO_KEY
    if isinstance(state.get("request"), httpx.Request):
        state["request"] = _request(state["request"], redact)
    if isinstance(state.get("response"), httpx.Response):
        state["response"] = _response(state["response"], redact)
        if state.get("request") is not None:
            state["request"] = state["response"].request
    if "body" in state:
        try:
            body = redact.deep(state["body"])
        except RecursionError:  # nested past what pickle itself could write
            body = None
        if body != state["body"]:
            state["body"] = body
            state["error"] = _reparse(state.get("error"), body)
    if state.get("problems"):
        state["problems"] = [redact.problem(problem) for problem in state["problems"]]
    if isinstance(state.get("__notes__"), list):  # add_note() text may quote anything, the key too
        state["__notes__"] = [
            redact.text(note) if isinstance(note, str) else note for note in state["__notes__"]
        ]
    return state


def _headers(headers: httpx.Headers, redact: Redactor) -> list[tuple[str, str]]:
    return [
        (name, REDACTED if name.lower() in _SENSITIVE else redact.text(value))
        for name, value in headers.multi_items()
        if name.lower() not in _DROPPED
    ]


def _request(request: httpx.Request, redact: Redactor) -> httpx.Request:
    content = getattr(request, "_content", None) or b""
    return httpx.Request(
        request.method,
        redact.text(request.url),
        headers=_headers(request.headers, redact),
        content=_content(content, redact),
    )


def _response(response: httpx.Response, redact: Redactor) -> httpx.Response:
    request = getattr(response, "_request", None)
    return httpx.Response(
        response.status_code,
        headers=_headers(response.headers, redact),
        content=_content(getattr(response, "_content", None) or b"", redact),
        request=None if request is None else _request(request, redact),
    )


def _content(data: bytes, redact: Redactor) -> bytes:
    """A body with the key gone, also where JSON spells it with escapes (`\\/`, `\\u0073`) that
    hide it from a byte search but not from `.json()`: such a body is written again from its
    redacted value."""
    data = redact.raw(data)
    try:
        value = json.loads(data)
        clean = redact.deep(value)
    except (ValueError, RecursionError):  # not JSON (or too deep to be read back either)
        return data
    return data if clean == value else json.dumps(clean).encode()


def _reparse(error: Any, body: Any) -> Any:
    """`.error` rebuilt from the redacted body, or None when it no longer parses."""
    if error is None:
        return None
    try:
        return type(error).from_dict(body)
    except Exception:  # any failure of a generated parser means "no parsed body"
        return None
