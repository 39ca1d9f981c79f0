"""Python source for the operation descriptions: resources/_operations.py (what every operation
shares, and the generated index of where each is described) and one resources/_ops_<resource>.py per
resource, so that a process loads only the descriptions of the resources it calls. Ruff formats it."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from tools.codegen.surface.annotations import docstring, literal

if TYPE_CHECKING:
    from tools.codegen.surface.model import OperationSpec, Surface

# The statuses raia_agent's exceptions tell apart (its _exceptions._BY_STATUS, and >= 500 together);
# tests/client/test_client_errors_typed.py keeps the two lists equal.
ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)


def _error_models(surface: Surface) -> list[str]:
    """Type aliases naming the models the spec documents for each error status, for `.error`'s type."""
    found: dict[str, set[str]] = {str(status): set() for status in ERROR_STATUSES}
    found["5xx"] = set()
    for op in surface.operations:
        for status, (_, model, many) in op.replies.items():
            key = "5xx" if status >= 500 else str(status)
            if model is not None and key in found:
                found[key].add(f"list[_models.{model}]" if many else f"_models.{model}")
    lines = [
        "# What each error status's body parses into (None: no model documented), for `.error`'s type.",
        "if TYPE_CHECKING:",
    ]
    for key, names in found.items():
        lines.append(f"    Error{key}: TypeAlias = {' | '.join(sorted(names)) or 'None'}")
    return [*lines, ""]


OPERATIONS_MODULE = "_operations"
"""resources/_operations.py: what every operation shares, and the index of where each one is described."""


def ops_module(resource: str) -> str:
    """The module describing one resource's operations (loaded when the resource is first used)."""
    return f"_ops_{resource}"


def shared_module(surface: Surface, resources: dict[str, list[OperationSpec]]) -> str:
    lines = [
        '"""What every operation shares, and the index of where each one is described.',
        "",
        "Each resource's descriptions live in `_ops_<resource>.py`, imported on the first lookup of one of",
        "them, so a process pays only for the resources it calls. `OPERATIONS` is the one way to look an",
        'operation up by its client path, "resource.method"."""',
        "",
        "from __future__ import annotations",
        "",
        f"from typing import TYPE_CHECKING, Any, {'Literal, ' if any('Literal[' in line for line in surface.options) else ''}TypeAlias, TypedDict",
        "",
        "from raia_runtime import Credential, Operation, OperationIndex, ServerVariable",
        "",
        "if TYPE_CHECKING:",
        "    from .. import models as _models" if surface.annotations.models else "    pass",
        "",
        *surface.options,
        *_error_models(surface),
        "OPERATIONS = OperationIndex(",
        '    __name__.rpartition(".")[0],',
        "    {",
    ]
    for resource, ops in resources.items():
        lines += [
            f"        {f'{op.resource}.{op.method_name}'!r}: ({ops_module(resource)!r}, {op.constant!r}),"
            for op in ops
        ]
    lines += [
        "    },",
        ")",
        '"""Every operation by its client path, "resource.method"; a description loads on first lookup."""',
        "",
        "",
        "def __getattr__(name: str) -> Operation[Any]:",
        '    """An operation\'s constant (`FEEDBACK_CREATE_OR_UPDATE`), looked up through the index."""',
        "    return OPERATIONS.by_constant(name)",
        "",
    ]
    return "\n".join(lines)


def descriptions_module(ops: list[OperationSpec], surface: Surface) -> str:
    # A schema several operations share (the same error body, an entity read and written) is written
    # once, as a module constant: the module is parsed, formatted, compiled and run in a fraction.
    # The client treats schemas as read-only (lenient parsing copies before it changes one).
    texts = [literal(op.params_schema) for op in ops] + [literal(op.body_schema) for op in ops]
    texts += [literal(schema) for op in ops for schema, _, _ in op.replies.values()]
    counts = Counter(texts)
    shared = {
        text: f"_SCHEMA_{n}"
        for n, text in enumerate(dict.fromkeys(t for t in texts if counts[t] > 1 and len(t) > 40), 1)
    }

    def schema(value: object) -> str:
        text = literal(value)
        return shared.get(text, text)

    lines = [
        f'"""The operations of `client.{ops[0].resource}`, described for the client\'s generic request path."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any",
        "",
        "from dataclasses import dataclass" if any(op.response_headers for op in ops) else "",
        "",
        "from raia_runtime import Operation, Pagination, Param, Reply, RequestMedia, ResponseHeader",
        "",
        "if TYPE_CHECKING:",
        "    from .. import models as _models" if surface.annotations.models else "    pass",
        "    from raia_runtime import BinaryResponse, ServerSentEvent",
        "",
        *(f"{name}: dict[str, Any] = {text}" for text, name in shared.items()),
        *([""] if shared else []),
    ]
    for op in ops:
        lines += _headers_class(op)
        params = "".join(
            f"Param({a.python!r}, {literal(a.name)}, {a.location!r}{', send_null=True' if a.send_null else ''}),"
            for a in op.arguments
        )
        replies = ", ".join(
            f"{status}: Reply({schema(body)}, {model!r}{', many=True' if many else ''}{_media(op, status)}{_fields(op, status)})"
            for status, (body, model, many) in sorted(op.replies.items())
        )
        lines += [
            f"{op.constant}: Operation[{op.returns}] = Operation(",
            f"    name={f'{op.resource}.{op.method_name}'!r},",
            f"    method={op.http_method!r},",
            f"    path={literal(op.path)},",
            f"    params=({params}),",
            f"    params_schema={schema(op.params_schema)},",
            f"    body_schema={schema(op.body_schema)},",
            f"    body_required={op.body_required!r},",
            f"    success={op.success!r},",
            f"    replies={{{replies}}},",
            f"    idempotent={op.idempotent!r},",
            *_pagination_line(op),
            *_media_line(op),
            f"    security={literal(op.security)},",
            *_headers_line(op),
            ")",
            "",
        ]
    return "\n".join(lines)


def _fields(op: OperationSpec, status: int) -> str:
    """The success Reply's `fields` argument, for a page whose schema is inline ("" otherwise)."""
    if status != op.success or not op.page_fields:
        return ""
    fields = ", ".join(f"({literal(name)}, {model!r}, {many!r})" for name, model, many in op.page_fields)
    return f", fields=({fields},)"


def _media(op: OperationSpec, status: int) -> str:
    """Reply's media and kind, when not JSON (the media type is the spec's text: a literal)."""
    media, kind = op.media.get(status, ("application/json", "json"))
    if kind == "json" and media == "application/json":
        return ""
    return f", media={literal(media)}, kind={kind!r}"


_PYTHON_TYPES = {"integer": "int", "number": "float", "boolean": "bool", "string": "str"}


def headers_class(op: OperationSpec) -> str:
    """The class of an operation's documented response headers (`HealthCheckHeaders`)."""
    return "".join(part.capitalize() for part in f"{op.resource}_{op.method_name}".split("_")) + "Headers"


def _headers_class(op: OperationSpec) -> list[str]:
    if not op.response_headers:
        return []
    return [
        "@dataclass(frozen=True)",
        f"class {headers_class(op)}:",
        "    "
        + docstring(
            f"The headers `{op.http_method} {op.path}` documents on its {op.success} response, typed;"
            " each None when absent or not of its documented type.",
            indent="    ",
        ),
        "",
        *(f"    {python}: {_PYTHON_TYPES[kind]} | None = None" for _, python, kind in op.response_headers),
        "",
        "",
    ]


def _headers_line(op: OperationSpec) -> list[str]:
    if not op.response_headers:
        return []
    items = "".join(f"ResponseHeader({literal(n)}, {p!r}, {k!r})," for n, p, k in op.response_headers)
    return [f"    headers=({items}),"]


def _pagination_line(op: OperationSpec) -> list[str]:
    if op.pagination is None:
        return []
    items, field = op.pagination["items"], op.pagination["field"]
    if op.pagination.get("page") == "dict":
        # An inline page schema has no model: the page is a dict, read by its JSON names, which
        # are the spec's text and so only ever escaped literals here.
        read_items, read_field = f"page.get({literal(items)})", f"page.get({literal(field)})"
    else:
        # Attribute names were proven identifiers (tools/codegen/surface/build.py); the spec's text is never code here.
        read_items, read_field = f"page.{items}", f"page.{field}"
    return [
        f"    pagination=Pagination(style={literal(op.pagination['style'])}, param={literal(op.pagination['param'])},"
        f" items=lambda page: {read_items}, field=lambda page: {read_field}),"
    ]


def _media_line(op: OperationSpec) -> list[str]:
    if op.body_media is None:
        return []  # JSON: the description's default
    media, files, required = op.body_media
    return [f"    body_media=RequestMedia({literal(media)}, {literal(files)}, {literal(required)}),"]
