"""Operation descriptions: everything a client needs to call one operation, generated per operation
into resources/_ops_<resource>.py, and the index that loads them (and the resources) on first use."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from importlib import import_module
from typing import Any, Generic, Literal, TypeVar

import httpx

T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Param:
    """One argument of an operation: its Python name, its name on the wire, and where it goes."""

    python: str
    name: str
    location: Literal["path", "query", "header", "body"]
    _: KW_ONLY
    send_null: bool = False
    """A body field the spec lets be null: None is sent as null, never left out (NOT_GIVEN leaves it out)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A documented response: its JSON Schema, and the generated model (in `.models`) it parses into."""

    schema: dict[str, Any] | None
    model: str | None = None
    _: KW_ONLY
    many: bool = False
    fields: tuple[tuple[str, str, bool], ...] = ()
    """For a body written inline (no model of its own), the properties that parse into models:
    (JSON name, model, whether a list of them). The body stays a dict; those values become models."""
    media: str = "application/json"
    """The media type the body is read as (tools/codegen/media_types.py's rule chose it among the documented)."""
    kind: Literal["json", "binary", "text", "events"] = "json"
    """json: the model; binary: a BinaryResponse; text: a str; events: a Stream whose events'
    `.json()` is checked against `schema` and built into `model`."""


@dataclass(frozen=True, slots=True)
class Pagination:
    """How a list operation pages (raia_runtime.paging's rule).

    `items` and `field` read the parsed page's array and its next cursor (or total);
    `param` is the argument that asks for a page (the cursor, or the offset).
    """

    style: Literal["cursor", "offset"]
    param: str
    items: Callable[[Any], object]
    field: Callable[[Any], object]


@dataclass(frozen=True, slots=True)
class Credential:
    """A security scheme the client can send, and the client option(s) holding its credential.

    `kind` says where it goes: `param` is the header ("header"), the query parameter ("query"),
    or Authorization ("bearer", "basic"). A basic scheme's user name is the option `user_option`.
    """

    scheme: str
    option: str
    kind: Literal["header", "query", "bearer", "basic"]
    param: str
    user_option: str = ""


@dataclass(frozen=True, slots=True)
class ServerVariable:
    """A `{variable}` of the spec's server URL, set by the client option `option`."""

    name: str
    option: str
    default: str
    enum: tuple[str, ...] = ()
    """The values the spec allows; empty when it allows any."""


@dataclass(frozen=True, slots=True)
class ResponseHeader:
    """A header the spec documents on a success response: its name, attribute, and JSON type."""

    name: str
    python: str
    kind: Literal["integer", "number", "boolean", "string"]

    def read(self, headers: httpx.Headers) -> object:
        """The value as its documented type; None when absent or not of that type (`.headers` keeps
        the text either way)."""
        text = headers.get(self.name)
        if text is None:
            return None
        text = text.strip()
        if self.kind == "string":
            return text
        if self.kind == "boolean":
            return {"true": True, "false": False}.get(text.lower())
        try:
            return int(text) if self.kind == "integer" else float(text)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Operation(Generic[T_co]):
    """Everything a client needs to call one operation; `cache` holds its compiled validators."""

    name: str
    method: str
    path: str
    params: tuple[Param, ...]
    params_schema: dict[str, Any] | None
    body_schema: dict[str, Any] | None
    _: KW_ONLY
    body_required: bool
    success: int
    replies: dict[int, Reply]
    idempotent: bool = True
    """Whether repeating the request is harmless, so any failed attempt may be retried."""
    pagination: Pagination | None = None
    """Set for a list operation whose calls return a page that iterates across pages."""
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    body_media: RequestMedia | None = None
    """Set when the request body is a form, not JSON (the spec offers no JSON for it)."""
    security: tuple[tuple[str, ...], ...] | None = None
    """The security schemes the call needs, one tuple per alternative (any one will do), in the spec's
    order; `()` when it needs none. None (a description not generated from a spec): every credential."""
    headers: tuple[ResponseHeader, ...] = ()
    """The headers the spec documents on the success response (their typed view: RawResponseWithHeaders)."""


class OperationIndex(Mapping[str, Operation[Any]]):
    """Every operation by its client path ("resource.method"), each description loaded on first lookup.

    A resource's descriptions live in their own module (resources/_ops_<resource>.py), so a process
    that calls one resource compiles and runs none of the others'. `where` is generated:
    "resource.method" -> (module in `package`, the description's constant there).
    """

    def __init__(self, package: str, where: dict[str, tuple[str, str]]) -> None:
        self._package = package
        self._where = where
        self._constants = {constant: name for name, (_, constant) in where.items()}

    def __getitem__(self, name: str) -> Operation[Any]:
        module, constant = self._where[name]
        found: Operation[Any] = getattr(import_module(f"{self._package}.{module}"), constant)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, name: object) -> bool:
        return name in self._where  # without loading the description

    def module_of(self, name: str) -> str:
        """The module (in the package) that describes the operation `name`."""
        return self._where[name][0]

    def by_constant(self, constant: str) -> Operation[Any]:
        """The description named `constant` (FEEDBACK_CREATE_OR_UPDATE), wherever it lives."""
        if constant not in self._constants:
            raise AttributeError(f"no operation constant {constant!r}")
        return self[self._constants[constant]]


def load_resource(client: object, name: str, classes: dict[str, tuple[str, str]], package: str) -> Any:
    """The resource attribute `name` of `client`, its module imported on first use and kept on the client.

    `classes` is generated: attribute -> (module in `package`, class). Called from `__getattr__`,
    so only for names the instance does not hold yet.
    """
    if name not in classes:
        raise AttributeError(f"{type(client).__name__!r} object has no attribute {name!r}")
    module, cls = classes[name]
    resource = getattr(import_module(f"{package}.{module}"), cls)(client)
    # setdefault: threads racing to a first use all get the resource the first of them stored
    held: Any = vars(client).setdefault(name, resource)
    return held


def forget_resources(client: object, classes: dict[str, tuple[str, str]]) -> None:
    """Drop the resources a client holds (a copy's are its original's): each is built again on first use."""
    for name in classes:
        vars(client).pop(name, None)


@dataclass(frozen=True, slots=True)
class RequestMedia:
    """How a body that is not JSON is sent: its media type, which of its fields (wire names) are files,
    and which of those a call must give (the body's JSON Schema check leaves files out)."""

    type: Literal["multipart/form-data", "application/x-www-form-urlencoded"]
    files: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
