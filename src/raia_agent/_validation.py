"""Arguments -> path, query, headers and JSON body, checked against the spec before anything is sent."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from raia_runtime import NotGiven, Operation

from ._schema import Problem, validator

_SCALARS = (str, int, float, bool)


_MAX_DEPTH = 64
_MAX_INT_BITS = 13_000  # about 4,000 digits: beyond that Python itself refuses to print the number


class _Refused(Exception):
    """A value no JSON document can carry; its message completes "<argument>: ..."."""

    def __init__(self, message: str, kind: str = "Value") -> None:
        super().__init__(message)
        self.kind = kind


def _plain(value: Any, depth: int = 0) -> Any:
    """What JSON can carry: UUIDs and dates as strings, mappings and sequences as dicts and lists."""
    kind = type(value)
    if value is None or kind is str or kind is bool:
        return value
    if kind is int:
        if value.bit_length() > _MAX_INT_BITS:
            raise _Refused("is too large a number to send")
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _Refused("NaN and infinity are not JSON numbers")
        return value
    if depth > _MAX_DEPTH:
        raise _Refused(f"is nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, str):  # a StrEnum, say: sent as its plain text
        return "".join([value])
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):  # IntEnum and friends: sent as the plain number
        return _plain(int(value) if isinstance(value, int) else float(value), depth)
    uuid = sys.modules.get("uuid")  # a UUID exists only once uuid is loaded; importing it costs start-up
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise _Refused(_NAIVE)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(kind, "__attrs_attrs__") and callable(getattr(value, "to_dict", None)):
        # a generated model (raia_agent_api.models): sent as the JSON its own to_dict writes
        return _plain(value.to_dict(), depth + 1)
    if isinstance(value, Mapping):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, depth + 1) for item in value]
    raise _Refused(f"a {type(value).__name__} cannot be sent as JSON", "Type")


_NAIVE = (
    "is a naive datetime; the API needs a time zone: give it tzinfo, "
    "e.g. datetime(2026, 1, 1, tzinfo=timezone.utc) or .astimezone()"
)
_DATE_TIME = '"date-time"'


def _nullable_required(op: Operation[Any]) -> frozenset[str]:
    """Python names of the body arguments that may be null: None is sent for them (NOT_GIVEN omits one)."""
    found: frozenset[str] | None = op.cache.get("nullable")
    if found is None:
        found = op.cache["nullable"] = frozenset(p.python for p in op.params if p.send_null)
    return found


class Prepared:
    """A request ready to send: where, with what query, headers and body bytes (and the body they encode).

    Only `prepare` makes one, after the spec accepted every argument; it names the operation it was
    checked for, so that a client given it (the bulk import's rows) sends it unchecked only for that one.
    """

    __slots__ = ("body", "content", "headers", "op", "path", "query")

    def __init__(
        self,
        op: Operation[Any],
        path: str,
        query: dict[str, Any] | None,
        headers: dict[str, str] | None,
        content: bytes | None,
        body: Any = None,
    ) -> None:
        self.op, self.path, self.query, self.headers = op, path, query, headers
        self.content, self.body = content, body


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_query_value(item) for item in value]
    return value


def prepare(
    op: Operation[Any], args: Mapping[str, Any], extra_body: Mapping[str, Any] | None = None
) -> Prepared:
    """Raise TypeError/ValueError naming the Python argument when the spec refuses it.

    `extra_body` fields are added to a JSON object body after the documented arguments are checked.
    """
    body: Any = {} if op.body_schema is not None else None
    params: dict[str, Any] = {}
    nullable = _nullable_required(op)
    for param in op.params:
        value = args.get(param.python)
        if isinstance(value, NotGiven):
            continue  # left out: an optional field that could be null says so with NOT_GIVEN
        if value is None:
            if param.python not in nullable or param.python not in args:
                continue  # optional arguments are omitted rather than sent as null
        elif type(value) is str and param.location == "body":
            pass  # the common case, already plain
        else:
            try:
                value = _plain(value)
            except _Refused as exc:
                _refuse(op, [Problem(param.name, str(exc), exc.kind)])
            if param.location != "body" and not _sendable(value):
                _refuse(op, [Problem(param.name, _UNSENDABLE, "Value")])
        if param.location != "body":
            params[param.name] = value
        elif param.name:
            body[param.name] = value
        else:
            body = value
    problems: list[Problem] = []
    check = validator(op.cache, "params", op.params_schema)
    if check is not None and not check.is_valid(params):
        problems += check.problems(params)
    check = validator(op.cache, "body", op.body_schema)
    if check is not None and (body or op.body_required) and not check.is_valid(body):
        problems += check.problems(body)
    if problems:
        _refuse(op, problems)
    if extra_body is not None:
        body = _merge_body(op, body, extra_body)
    content = None if body is None or (not body and not op.body_required) else _encode(op, body)
    path, query, headers = op.path, None, None
    for param in op.params:
        if param.location == "body" or param.name not in params:
            continue
        value = params[param.name]
        if param.location == "path":
            segment = quote(str(_query_value(value)), safe="")
            if not segment:
                _refuse(
                    op, [Problem(param.name, "must not be empty: it is a segment of the URL path", "Value")]
                )
            # "." and ".." would be resolved away by URL normalisation and reach another endpoint
            segment = segment.replace(".", "%2E") if segment in {".", ".."} else segment
            path = path.replace("{" + param.name + "}", segment)
        elif param.location == "query":
            query = query or {}
            query[param.name] = _query_value(value)
        else:
            text = str(_query_value(value))
            if any(not (0x20 <= ord(ch) < 0x7F) for ch in text):
                _refuse(op, [Problem(param.name, "must be printable ASCII to travel in a header", "Header")])
            headers = headers or {}
            headers[param.name] = text
    return Prepared(op, path, query, headers, content, body)


_UNSENDABLE = (
    f"must be text UTF-8 can encode, at most {8 * 1024} characters, to travel in the URL or a header"
)


def _sendable(value: Any) -> bool:
    if isinstance(value, list):
        return all(_sendable(item) for item in value)
    if not isinstance(value, str):
        return True
    return len(value) <= 8 * 1024 and not _unencodable(value)


def _encode(op: Operation[Any], body: Any) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except UnicodeEncodeError:
        field = _find(body, lambda v: isinstance(v, str) and _unencodable(v))
        _refuse(op, [Problem(field, "contains a lone surrogate, which UTF-8 cannot encode", "Encoding")])
    except ValueError:
        field = _find(body, lambda v: (isinstance(v, float) and v != v) or v in (float("inf"), float("-inf")))
        _refuse(op, [Problem(field, "NaN and infinity are not JSON numbers", "Encoding")])
    except RecursionError:
        _refuse(op, [Problem("", "is nested too deeply to encode", "Encoding")])
    raise AssertionError("unreachable")  # pragma: no cover


def _unencodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


def _find(node: Any, bad: Any, where: str = "") -> str:
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return where if bad(node) else ""
    for key, value in items:
        found = _find(value, bad, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return ""


def _refuse(op: Operation[Any], problems: list[Problem]) -> None:
    python = {param.name: param.python for param in op.params if param.name}
    lines = []
    for problem in problems:
        head, _, rest = problem.field.partition(".")
        field = python.get(head, head) + (f".{rest}" if rest else "")
        if problem.kind == "Required":
            lines.append(f"{field} is required")
        elif field:
            quoted = f'"{problem.field}"'
            message = problem.message.replace(quoted, field)
            if message.endswith(f"is not a {_DATE_TIME}"):
                message += " (an RFC 3339 date-time with a time zone, e.g. 2026-01-01T00:00:00Z)"
            lines.append(f"{field}: {message}")
        elif whole := next((p.python for p in op.params if p.location == "body" and not p.name), None):
            lines.append(f"{whole}: {problem.message}")  # the whole body is one argument: name it
        else:
            lines.append(problem.message)
    message = f"invalid arguments for {op.name}: " + "; ".join(lines)
    if all(problem.kind == "Type" for problem in problems):
        raise TypeError(message)
    raise ValueError(message)


def _merge_body(op: Operation[Any], body: Any, extra: Mapping[str, Any]) -> Any:
    if not isinstance(extra, Mapping):
        raise TypeError(
            f"invalid arguments for {op.name}: extra_body must be a mapping of field names to values"
        )
    if not any(param.location == "body" and param.name for param in op.params) or not isinstance(body, dict):
        raise TypeError(
            f"invalid arguments for {op.name}: extra_body needs a JSON object body, which it has not"
        )
    merged = dict(body)
    for name, value in extra.items():
        if not isinstance(name, str):
            raise TypeError(f"invalid arguments for {op.name}: extra_body: {name!r} is not a str field name")
        try:
            merged[name] = _plain(value)
        except _Refused as exc:
            message = f"invalid arguments for {op.name}: extra_body[{name!r}]: {exc}"
            raise (TypeError if exc.kind == "Type" else ValueError)(message) from None
    return merged


def extra_query(op: Operation[Any], query: Mapping[str, Any]) -> dict[str, Any]:
    """A call's extra_query, checked like documented query arguments: text, numbers, booleans or lists."""
    if not isinstance(query, Mapping):
        raise TypeError(f"invalid arguments for {op.name}: extra_query must be a mapping of names to values")
    checked: dict[str, Any] = {}
    for name, value in query.items():
        where = f"invalid arguments for {op.name}: extra_query[{name!r}]"
        if not isinstance(name, str) or not name or not _sendable(name):
            raise TypeError(f"{where}: the name must be a non-empty str")
        items = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(item, _SCALARS) for item in items):
            raise TypeError(f"{where}: must be a str, int, float or bool, or a list of them")
        try:
            plain = [_query_value(_plain(item)) for item in items]
        except _Refused as exc:
            raise ValueError(f"{where}: {exc}") from None
        if not _sendable(plain):
            raise ValueError(f"{where}: {_UNSENDABLE}")
        checked[name] = plain if isinstance(value, list | tuple) else plain[0]
    return checked
