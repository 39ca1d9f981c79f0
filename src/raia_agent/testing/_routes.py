"""The spec as the server reads it at start-up: routes, parameters, auth headers and validators.

Nothing here names an operation: a regenerated package with new operations is served as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from raia_spec import (
    FORMS,
    HTTP_METHODS,
    JsonSchemas,
    Problem,
    Reader,
    Scheme,
    UnsupportedMedia,
    Validator,
    default_server_url,
    event_schema,
    file_fields,
    media_of,
    path_items,
    request_media,
    security_requirements,
    security_schemes,
    without,
)
from raia_spec import operations as spec_operations

__all__ = ["Form", "Operation", "Param", "Scheme", "Spec", "Validator", "load", "messages"]


def messages(problems: list[Problem], name: str = "") -> list[str]:
    """The server's 400 lines: each problem where jsonschema-rs reports it (under `name`), sorted."""
    found = []
    for problem in problems:
        where = ".".join([*([name] if name else []), *problem.at])
        named = not where or f'"{where.rsplit(".", 1)[-1]}"' in problem.message
        found.append(problem.message if named else f"{where}: {problem.message}")
    return sorted(found)


@dataclass(frozen=True)
class Form:
    media: str
    files: tuple[str, ...]
    required_files: tuple[str, ...]


@dataclass(frozen=True)
class Param:
    name: str
    location: str
    validator: Validator
    required: bool = field(kw_only=True)


@dataclass
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    path_names: list[str]
    params: list[Param]
    body: Validator | None
    success: int
    responses: dict[int, Validator | None]
    auth: list[list[Scheme | None]]
    """The schemes, one list per alternative security requirement (None: one no client can send,
    so that alternative is never met); empty when no credential is needed."""
    media_examples: dict[int, Any] = field(default_factory=dict)
    form: Form | None = None
    """A form body (the operation offers no JSON): its media type, file fields and required files;
    `body` then checks the other fields."""
    media: dict[int, tuple[str, str, Validator | None, Any]] = field(default_factory=dict)
    """Replies that are not JSON: status -> (media type, kind, the text's or each event's data schema, its example)."""
    headers: dict[int, list[tuple[bytes, bytes]]] = field(default_factory=dict)
    """Each status's documented response headers, with a value their schema allows."""

    @property
    def success_schema(self) -> Validator | None:
        return self.responses.get(self.success)

    def match(self, method: str, raw_path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(raw_path) if method == self.method else None
        if found is None:
            return None
        return {
            name: unquote(value, errors="replace")
            for name, value in zip(self.path_names, found.groups(), strict=True)
        }


@dataclass
class Spec:
    operations: list[Operation]
    auth_headers: list[str]

    def route(self, method: str, raw_path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self.operations:
            params = op.match(method, raw_path)
            if params is not None:
                return op, params
        return None


def _pattern(template: str, base_path: str) -> tuple[re.Pattern[str], list[str]]:
    # Literal segments match literally; {name} matches one segment; Express also takes a trailing "/".
    # The spec's server base path (e.g. /v2) may come first or not, whichever base URL a test uses.
    parts = re.split(r"\{([^}/]+)\}", template.rstrip("/"))
    regex = "".join(re.escape(part) if i % 2 == 0 else "([^/]+)" for i, part in enumerate(parts))
    prefix = f"(?:{re.escape(base_path)})?" if base_path else ""
    return re.compile(prefix + regex + "/?"), parts[1::2]


def _base_path(spec: dict[str, Any]) -> str:
    return urlsplit(default_server_url(spec)).path.rstrip("/")


def _json_media(reader: Reader, holder: dict[str, Any]) -> dict[str, Any] | None:
    content = reader.resolve(holder).get("content", {})
    media = next((m for t, m in content.items() if t.split(";")[0].strip().endswith("json")), None)
    return media if isinstance(media, dict) else None


def load(spec: dict[str, Any]) -> Spec:
    base_path = _base_path(spec)
    read = _Read(
        spec,
        Reader(spec),
        JsonSchemas(spec, keep_examples=True, direction="request"),
        JsonSchemas(spec, keep_examples=True, direction="response"),
    )
    items = dict(path_items(spec))
    for path, item in items.items():  # raia_spec skips what is not an operation object: say so
        for method in HTTP_METHODS:
            if method in item and not isinstance(item[method], dict):
                raise ValueError(f"the spec's {method.upper()} {path!r:.120} cannot be served: not an object")
    operations = []
    for path, method, _ in spec_operations(spec):
        try:
            operations.append(_operation(read, (base_path, path), method.lower(), items[path]))
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
            # a spec given to local_server(spec=...) is the caller's: one line naming the route,
            # not the server's own traceback (RefError and jsonschema-rs's errors are ValueErrors)
            reason = (str(exc).splitlines() or [type(exc).__name__])[0]
            reason = reason if len(reason) <= 200 else reason[:199] + "…"
            raise ValueError(
                f"the spec's {method.upper()} {path!r:.120} cannot be served: {reason}"
            ) from None
    # Literal segments win over parameters, as a router tries its most specific route first.
    operations.sort(key=lambda op: (op.template.count("{"), -len(op.template)))
    auth_headers = sorted(
        {s.param for op in operations for alt in op.auth for s in alt if s is not None and s.kind == "header"}
    )
    return Spec(operations, auth_headers)


@dataclass(frozen=True)
class _Read:
    spec: dict[str, Any]
    reader: Reader
    schemas: JsonSchemas
    """Requests and parameters: a readOnly property is never required."""
    replies: JsonSchemas
    """Responses: a writeOnly property is never required."""

    def validator(self, schema: Any) -> Validator:
        return Validator(self.schemas.convert(schema or {}))

    def reply(self, schema: Any) -> Validator:
        return Validator(self.replies.convert(schema or {}))


def _operation(
    read: _Read,
    where: tuple[str, str],
    method: str,
    item: dict[str, Any],
) -> Operation:
    base_path, template = where
    raw = item[method]
    declared = {}
    for holder in (*item.get("parameters", []), *raw.get("parameters", [])):
        param = read.reader.resolve(holder)
        declared[(param["name"], param["in"])] = param
    schemes = {scheme.name: scheme for scheme in security_schemes(read.spec)}
    auth = [[schemes.get(name) for name in alt] for alt in security_requirements(read.spec, raw) or []]
    # OpenAPI ignores Accept, Content-Type and Authorization declared as headers; a credential
    # declared as a parameter is checked by the guard alone, so its value never reaches a 400 message.
    unchecked = {"accept", "content-type", "authorization"}
    unchecked |= {s.param.lower() for alt in auth for s in alt if s is not None and s.kind == "header"}
    credential_query = {s.param for alt in auth for s in alt if s is not None and s.kind == "query"}
    params = [
        Param(
            name,
            location,
            read.validator(param.get("schema")),
            required=bool(param.get("required")) or location == "path",
        )
        for (name, location), param in declared.items()
        if location == "path"
        or (location == "query" and name not in credential_query)
        or (location == "header" and name.lower() not in unchecked)
    ]
    body = form = None
    if "requestBody" in raw and (media := _json_media(read.reader, raw["requestBody"])) is not None:
        body = read.validator(media.get("schema"))
    elif "requestBody" in raw:
        body, form = _form(read, raw["requestBody"])
    responses: dict[int, Validator | None] = {}
    headers: dict[int, list[tuple[bytes, bytes]]] = {}
    examples = {}
    for status, response in raw.get("responses", {}).items():
        if not str(status).isdigit():
            continue
        headers[int(status)] = _headers(read, read.reader.resolve(response))
        media = _json_media(read.reader, response)
        responses[int(status)] = read.reply(media.get("schema")) if media is not None else None
        if media is not None and "example" in media:
            examples[int(status)] = media["example"]
    not_json = _not_json(read, raw)
    responses.update({status: None for status in not_json if status not in responses})
    success = min((s for s in responses if 200 <= s < 300), default=200)
    pattern, path_names = _pattern(template, base_path)
    return Operation(
        method=method.upper(),
        template=template,
        pattern=pattern,
        path_names=path_names,
        params=params,
        body=body,
        success=success,
        responses=responses,
        auth=auth,
        media_examples=examples,
        form=form,
        media=not_json,
        headers={status: found for status, found in headers.items() if found},
    )


def _form(read: _Read, holder: dict[str, Any]) -> tuple[Validator | None, Form | None]:
    """A form body's check of its fields other than files, and what the form is (raia_spec's rule)."""
    request = read.reader.resolve(holder)
    try:
        chosen = request_media(request.get("content") or {})
    except UnsupportedMedia:
        return None, None  # served unchecked, as before: the client cannot send it anyway
    if chosen is None or chosen[0] not in FORMS:
        return None, None
    schema = read.reader.resolve(chosen[1].get("schema") or {})
    files = file_fields(chosen[0], schema, read.reader.resolve)
    required = tuple(n for n in files if n in (schema.get("required") or ()) and request.get("required"))
    return read.validator(without(schema, files)), Form(chosen[0], files, required)


def _not_json(read: _Read, raw: dict[str, Any]) -> dict[int, tuple[str, str, Validator | None, Any]]:
    """The replies raia_spec's media rule reads as binary, text or events."""
    found: dict[int, tuple[str, str, Validator | None, Any]] = {}
    for status, response in raw.get("responses", {}).items():
        content = read.reader.resolve(response).get("content") or {}
        chosen = media_of(content, read.spec) if str(status).isdigit() else None
        if chosen is None or chosen[1] == "json":
            continue
        media, kind, value = chosen
        schema = event_schema(value, read.spec) if kind == "events" else value.get("schema")
        example = value.get("example", read.reader.resolve(value.get("schema") or {}).get("example"))
        found[int(status)] = (media, kind, None if schema is None else read.validator(schema), example)
    return found


# Framing is the server's to set, from the body it sends.
_FRAMING = frozenset({"content-type", "content-length", "transfer-encoding", "connection"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}")


def _headers(read: _Read, response: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """The response's documented headers, each with its example or a value its schema allows."""
    from ._instances import instance

    found = []
    for name, header in (response.get("headers") or {}).items():
        if not isinstance(name, str) or name.lower() in _FRAMING or not _TOKEN.fullmatch(name):
            continue
        header = read.reader.resolve(header)
        example = (header["example"],) if "example" in header else ()
        value = instance(read.validator(header.get("schema")), None, *example)
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if text.isascii() and text.isprintable():
            found.append((name.lower().encode(), text.encode()))
    return found
