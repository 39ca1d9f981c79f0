"""Python source for the generated resources; ruff formats it afterwards."""

from __future__ import annotations

import builtins
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from tools.codegen.surface.annotations import docstring, literal
from tools.codegen.surface.operations import (
    OPERATIONS_MODULE,
    descriptions_module,
    headers_class,
    ops_module,
    shared_module,
)
from tools.codegen.surface.params import PARAMS, params_module

if TYPE_CHECKING:
    from tools.codegen.surface.model import Argument, OperationSpec, Surface

_OPTIONS = "timeout: TimeoutTypes | NotGiven = NOT_GIVEN, max_retries: int | None = None"
_EXTRAS = "extra_headers: Headers | None = None, extra_query: Query | None = None"
_EXTRA_BODY = "extra_body: Body | None = None"


def _object_body(op: OperationSpec) -> bool:
    """Whether the body is a JSON object whose fields are arguments: only then can extra_body add fields."""
    return any(a.location == "body" and a.name for a in op.arguments)


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _paged_method(op: OperationSpec, is_async: bool, shadowed: set[str]) -> list[str]:
    """A list operation that pages: the first page (sync), or an AsyncPaginator to await or iterate."""
    args = ", ".join(f"{a.python!r}: {a.python}" for a in op.arguments)
    options = "{'timeout': timeout, 'max_retries': max_retries, 'extra_headers': extra_headers, "
    options += "'extra_query': extra_query}"
    kind = "AsyncPaginator" if is_async else "SyncPage"
    return [
        f"    def {op.method_name}({_qualified(_signature(op), shadowed)}) -> {kind}[{_qualified(op.page_item, shadowed)}]:",
        f"        {_doc(op)}",
        f"        return {kind}(self._client, _ops.{op.constant}, {{{args}}}, {options})",
        "",
    ]


def _signature(op: OperationSpec, unused: frozenset[str] = frozenset()) -> str:
    """The method's parameters; those in `unused` typed `None` (the overload for calls without them)."""

    def one(argument: Argument) -> str:
        omitted = omits_by_marker(argument)
        if argument.python in unused:
            return (
                f"{argument.python}: NotGiven = NOT_GIVEN" if omitted else f"{argument.python}: None = None"
            )
        if argument.required:
            # a declared default is the value sent when the caller gives none
            default = f" = {argument.default}" if argument.default is not None else ""
            return f"{argument.python}: {argument.annotation}{default}"
        annotation = (
            argument.annotation if argument.annotation.endswith("| None") else f"{argument.annotation} | None"
        )
        if omitted:  # None is sent as null; NOT_GIVEN leaves the field out
            return f"{argument.python}: {annotation} | NotGiven = NOT_GIVEN"
        return f"{argument.python}: {annotation} = None"

    extras = [_EXTRAS, _EXTRA_BODY] if _object_body(op) else [_EXTRAS]
    positional = _path_arguments(op)
    rest = [a for a in op.arguments if a not in positional]
    return ", ".join(["self", *map(one, positional), "*", *map(one, rest), _OPTIONS, *extras])


def omits_by_marker(argument: Argument) -> bool:
    """An optional body field that may be null: None sends null, so leaving it out takes NOT_GIVEN."""
    return argument.send_null and not argument.required


def _path_arguments(op: OperationSpec) -> list[Argument]:
    """Path parameters, positional-or-keyword in the path's order (`retrieve(id)`); the rest is keyword-only."""
    in_path = [a for a in op.arguments if a.location == "path"]
    return sorted(in_path, key=lambda a: op.path.find("{" + a.name + "}"))


def _deprecation(op: OperationSpec, argument: Argument | None = None) -> str:
    where = f"client.{op.resource}.{op.method_name}"
    if argument is None:
        return f"{where} is deprecated by the API"
    return f"{where}: the argument {argument.python} is deprecated by the API"


def _default_note(argument: Argument) -> str:
    notes = []
    if argument.default is not None:
        sent = "sent when not given" if argument.required else "the server's when left out"
        notes.append(f"Default: {argument.default} ({sent}).")
    if omits_by_marker(argument):
        notes.append("None sends null; leave it out to omit the field.")
    return "".join(f" {note}" for note in notes)


def _doc(op: OperationSpec, raw: bool = False) -> str:
    args = [
        f"    {a.python}: {'(deprecated) ' if a.deprecated else ''}"
        f"{' '.join(a.description.split()) or '(no description in the spec)'}"
        f"{_default_note(a)}"
        for a in op.arguments
    ]
    args.append("    timeout, max_retries: override the client's for this call.")
    args.append(
        f"    extra_headers, extra_query{', extra_body' if _object_body(op) else ''}: sent besides the "
        "documented arguments (for what the spec does not document yet)."
    )
    where = f"`{op.http_method} {op.path}`; answers {op.success}."
    summary = op.summary or op.description or where
    description = op.description if op.description != summary else ""
    location = where if where != summary else ""
    warned = "Deprecated: the spec marks this operation deprecated; calling it warns (DeprecationWarning)."
    paged = (
        f"Returns a page ({op.pagination['style']} style): iterate it for every item across pages, fetched "
        "as needed with the same arguments; `.items`, `.has_next_page()`, `.next_page()`, `.iter_pages()`."
        if op.pagination is not None and not raw
        else ""
    )
    return docstring(
        summary,
        warned if op.deprecated else "",
        description,
        location,
        paged,
        "Args:\n" + "\n".join(args),
        indent="        ",
    )


def _deprecated_parts(
    op: OperationSpec, define: str, returns: str, shadowed: set[str]
) -> tuple[list[str], list[str]]:
    """(decorated overloads or decorator before the method, warnings at the top of its body).

    PEP 702's decorator marks the operation for type checkers; a deprecated optional argument gets
    two overloads, calls leaving it out and the deprecated rest, so only calls passing it are flagged.
    stacklevel=2 names the caller's line, so Python's default filter shows each call site once.
    """
    lines: list[str] = []
    warns: list[str] = []
    if op.deprecated:
        warns.append(f"        warnings.warn({literal(_deprecation(op))}, DeprecationWarning, stacklevel=2)")
    optional = frozenset(a.python for a in op.arguments if a.deprecated and not a.required)
    if optional:
        lines += ["    @overload"]
        lines += [f"    @deprecated({literal(_deprecation(op))})"] if op.deprecated else []
        lines += [
            f"{define}({_qualified(_signature(op, optional), shadowed)}) -> {_qualified(returns, shadowed)}: ...",
            "",
        ]
        names = ", ".join(sorted(optional))
        which = f"the argument {names} is" if len(optional) == 1 else f"the arguments {names} are"
        message = f"client.{op.resource}.{op.method_name}: {which} deprecated by the API"
        lines += ["    @overload", f"    @deprecated({literal(message)})"]
        lines += [
            f"{define}({_qualified(_signature(op), shadowed)}) -> {_qualified(returns, shadowed)}: ...",
            "",
        ]
    elif op.deprecated:
        lines.append(f"    @deprecated({literal(_deprecation(op))})")
    for argument in op.arguments:
        if argument.deprecated:
            given = "not isinstance({}, NotGiven)" if omits_by_marker(argument) else "{} is not None"
            warns += [
                f"        if {given.format(argument.python)}:",
                f"            warnings.warn({literal(_deprecation(op, argument))}, DeprecationWarning, stacklevel=2)",
            ]
    return lines, warns


def _qualified(annotation: str, shadowed: set[str]) -> str:
    """ANNOTATION with each builtin a method of its class shadows (`def list`) spelt `builtins.list`."""
    for name in shadowed:
        annotation = re.sub(rf"(?<![\w.]){name}\b(?!\s*[:=])", f"builtins.{name}", annotation)
    return annotation


def _kind(op: OperationSpec) -> str:
    return op.media.get(op.success, ("", "json"))[1]


def _returns(op: OperationSpec, is_async: bool) -> str:
    """What the ordinary call returns: the Operation's type, or for events a stream of them."""
    if _kind(op) == "events":
        return f"{'AsyncStream' if is_async else 'Stream'}[{op.returns}]"
    return op.returns


def _method(op: OperationSpec, is_async: bool, raw: bool | str, shadowed: set[str]) -> list[str]:
    """raw: False for the parsed call, True for with_raw_response, "stream" for with_streaming_response."""
    if op.pagination is not None and not raw:
        return _paged_method(op, is_async, shadowed)
    plain = _returns(op, is_async)
    target = "_events" if _kind(op) == "events" else "_request"
    typed = raw is True and bool(op.response_headers)
    if raw == "stream":
        manager = (
            "AbstractAsyncContextManager[AsyncStreamedResponse"
            if is_async
            else "AbstractContextManager[StreamedResponse"
        )
        returns = f"{manager}[{plain}]]"
        target = "_stream"
    elif typed:
        returns = f"RawResponseWithHeaders[{plain}, _ops.{headers_class(op)}]"
    else:
        returns = f"RawResponse[{plain}]" if raw else plain
    args = ", ".join(f"{a.python!r}: {a.python}" for a in op.arguments)
    extras = "extra_headers=extra_headers, extra_query=extra_query"
    extras += ", extra_body=extra_body" if _object_body(op) else ""
    call = (
        f"self._client.{target}(_ops.{op.constant}, {{{args}}}, "
        f"timeout=timeout, max_retries=max_retries, {extras})"
    )
    if is_async and raw != "stream":
        call = f"(await {call})"
    if typed:
        call = f"RawResponseWithHeaders.of({call}, _ops.{op.constant}.headers, _ops.{headers_class(op)})"
    define = f"    {'async ' if is_async and raw != 'stream' else ''}def {op.method_name}"
    lines, warns = _deprecated_parts(op, define, returns, shadowed)
    return [
        *lines,
        f"{define}({_qualified(_signature(op), shadowed)}) -> {_qualified(returns, shadowed)}:",
        f"        {_doc(op, bool(raw))}",
        *warns,
        f"        return {call}{'' if raw else '.parsed'}",
        "",
    ]


def _resource_module(resource: str, ops: list[OperationSpec], surface: Surface) -> str:
    imports = {"from typing import Any"} | surface.annotations.imports
    # A method named like a builtin (`list`) hides it from the annotations in its class body.
    shadowed = {op.method_name for op in ops} & set(vars(builtins))
    imports |= {"import builtins"} if shadowed else set()
    models = sorted(surface.annotations.models)
    lines = [
        f'"""`client.{resource}`: {", ".join(op.method_name for op in ops)}."""',
        "",
        "from __future__ import annotations",
        "",
        "import warnings",
        *sorted(imports),
        "from typing import TYPE_CHECKING, overload",
        "",
        "from raia_runtime import (NOT_GIVEN, AsyncClient, Body, Headers, NotGiven, Query, RawResponse,"
        " RawResponseWithHeaders, SyncClient, TimeoutTypes, deprecated)",
        *(["from raia_runtime import AsyncPaginator, SyncPage"] if any(op.pagination for op in ops) else []),
        f"from . import {ops_module(resource)} as _ops",
        "",
        "if TYPE_CHECKING:",
        "    from contextlib import AbstractAsyncContextManager, AbstractContextManager",
        "",
        "    from .. import models as _models" if models or surface.annotations.typed else "    pass",
        "    from raia_runtime import (AsyncStream, AsyncStreamedResponse, BinaryResponse, ServerSentEvent, Stream,"
        " StreamedResponse)",
        *([f"    from . import {PARAMS} as _params"] if surface.annotations.typed else []),
        "",
        "__all__ = [",
    ]
    name = pascal(resource)
    classes: list[tuple[str, str, bool, bool | str, str | None]] = [
        (f"{name}ResourceWithRawResponse", "SyncClient", False, True, None),
        (f"Async{name}ResourceWithRawResponse", "AsyncClient", True, True, None),
        (f"{name}ResourceWithStreamingResponse", "SyncClient", False, "stream", None),
        (f"Async{name}ResourceWithStreamingResponse", "AsyncClient", True, "stream", None),
        (f"{name}Resource", "SyncClient", False, False, f"{name}ResourceWith"),
        (f"Async{name}Resource", "AsyncClient", True, False, f"Async{name}ResourceWith"),
    ]
    lines += [f"    {cls!r}," for cls, *_ in sorted(classes)] + ["]", ""]
    for cls, client, is_async, raw, raw_cls in classes:
        flavour = "AsyncRaia" if is_async else "Raia"
        what, attribute = {
            True: ("returning a RawResponse", ".with_raw_response"),
            "stream": (
                "each a context manager whose response is read as the caller asks",
                ".with_streaming_response",
            ),
            False: ("returning the parsed model", ""),
        }[raw]
        lines += [
            "",
            f"class {cls}:",
            f'    """`{flavour}().{resource}{attribute}`: the calls, {what}."""',
            "",
            f"    def __init__(self, client: {client}) -> None:",
            "        self._client = client",
        ]
        if raw_cls:
            lines.append(f"        self.with_raw_response = {raw_cls}RawResponse(client)")
            lines.append(f"        self.with_streaming_response = {raw_cls}StreamingResponse(client)")
        lines.append("")
        for op in ops:
            lines += _method(op, is_async, raw, shadowed)
    return "\n".join(lines)


def _init_module(resources: dict[str, list[OperationSpec]]) -> str:
    lines = [
        '"""The API\'s resources, one client attribute per tag, mixed into Raia and AsyncRaia.',
        "",
        "A resource's module (and with it its operation descriptions) is imported when a client first",
        'reads the attribute, so a process pays only for the resources it uses."""',
        "",
        "from __future__ import annotations",
        "",
        # private: a tag named `cast` makes a submodule that would rebind a public name here
        "from typing import TYPE_CHECKING as _TYPE_CHECKING",
        "from typing import Any as _Any",
        "",
        "from raia_runtime import forget_resources as _forget",
        "from raia_runtime import load_resource as _load",
        "",
        "if _TYPE_CHECKING:",
    ]
    lines += [
        f"    from .{resource} import Async{pascal(resource)}Resource, {pascal(resource)}Resource"
        for resource in resources
    ] or ["    pass"]
    lines += ["", '__all__ = ["AsyncResources", "SyncResources"]', "", "_PACKAGE = __name__"]
    for flavour, prefix in (("Sync", ""), ("Async", "Async")):
        table = f"_{flavour.upper()}"
        lines += [f"{table}: dict[str, tuple[str, str]] = {{"]
        lines += [f"    {r!r}: ({r!r}, {f'{prefix}{pascal(r)}Resource'!r})," for r in resources]
        lines += [
            "}",
            '"""attribute -> (module, class): each resource\'s class, imported on first use."""',
            "",
        ]
    for flavour, prefix in (("Sync", ""), ("Async", "Async")):
        table = f"_{flavour.upper()}"
        lines += [
            "",
            f"class {flavour}Resources:",
            f'    """Resource attributes of {"AsyncRaia" if prefix else "Raia"}, each built on first use."""',
            "",
        ]
        lines += [f"    {r}: {prefix}{pascal(r)}Resource" for r in resources]
        lines += [
            "",
            "    def _init_resources(self) -> None:",
            f"        _forget(self, {table})",
            "",
            "    def __dir__(self) -> list[str]:  # the resources not built yet too (a REPL completes them)",
            f"        return sorted({{*super().__dir__(), *{table}}})",
            "",
            "    if not _TYPE_CHECKING:  # mypy sees the attributes above, not a catch-all",
            "",
            "        def __getattr__(self, name: str) -> _Any:",
            f"            return _load(self, name, {table}, _PACKAGE)",
            "",
        ]
    return "\n".join(lines)


def render(surface: Surface) -> dict[str, str]:
    resources: dict[str, list[OperationSpec]] = defaultdict(list)
    for op in surface.operations:
        resources[op.resource].append(op)
    if PARAMS in resources:
        raise ValueError(
            f"a resource may not be named {PARAMS!r}: resources/{PARAMS}.py holds the TypedDicts"
        )
    params = params_module(surface)  # first: its fields may need imports the resources share
    files = {
        f"{OPERATIONS_MODULE}.py": shared_module(surface, resources),
        "__init__.py": _init_module(dict(resources)),
        f"{PARAMS}.py": params,
    }
    for resource, ops in resources.items():
        for name, text in (
            (f"{resource}.py", _resource_module(resource, ops, surface)),
            (f"{ops_module(resource)}.py", descriptions_module(ops, surface)),
        ):
            if name in files:
                raise ValueError(
                    f"the resource {resource!r} would write resources/{name}, which another module writes"
                )
            files[name] = text
    return files
