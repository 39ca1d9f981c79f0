"""The operations' fields (arguments) as the command line sees them.

The one module of the CLI that reads the generated operation descriptions and the client's spec
helpers, so that moving them means editing this file only. The options of `feedback send`, the
columns `feedback import` accepts and the generated command tree all come from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from raia_agent_api._facts import CLI_OPERATION

from raia_spec import Reader, is_file, single_allof

if TYPE_CHECKING:
    from .._validation import Prepared

# The operation `send` and `import` call ("resource.method"), as spec/generator.yaml's cli.upsert
# (or its one server.upsert_keys route) chose it; "" when the spec has none, and then no such commands.
OPERATION = CLI_OPERATION or ""
JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")
FILE_SCHEMA = {"type": "string", "format": "binary", "description": "The path of the file to send."}


def operations() -> Mapping[str, Any]:
    """Every generated operation description, by "resource.method"; each loads on first lookup, so
    listing the commands reads names only."""
    from raia_agent_api.resources._operations import OPERATIONS

    return OPERATIONS


def _operation(name: str = OPERATION) -> Any:
    return operations()[name]


def resource() -> str:
    """The resource whose command group holds `send` and `import` ("" when there are none)."""
    return OPERATION.partition(".")[0]


def bound(client: Any) -> Any:
    """The client's method for OPERATION (`client.<resource>.<method>`), found by its name."""
    name, _, method = OPERATION.partition(".")
    return getattr(getattr(client, name), method)


def upsert_key(operation: str = OPERATION) -> tuple[str, ...]:
    """The request fields the API upserts on (rows sharing their values are one document), as
    spec/generator.yaml's server.upsert_keys gives them for the operation's route; () if none."""
    from raia_agent_api._facts import UPSERT_KEYS

    if not operation:
        return ()
    op = _operation(operation)
    return tuple(UPSERT_KEYS.get(f"{op.method} {op.path}", ()))


UPSERT_KEY = upsert_key()


def request_schema() -> dict[str, Any]:
    """The JSON Schema of the create-or-update request body, its properties' $refs resolved."""
    return _object_schema(_operation().body_schema)


def _object_schema(schema: dict[str, Any] | None) -> dict[str, Any]:
    reader = Reader(schema or {})
    out = dict(reader.resolve(schema or {}))
    out["properties"] = {k: _followed(v, reader) for k, v in (out.get("properties") or {}).items()}
    return out


def _followed(schema: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """A property's schema with $refs, and NestJS's `allOf: [X]` wrapper, followed; the property's own
    keywords win."""
    out = dict(reader.resolve(schema))
    while (wrapped := single_allof(out)) is not None:
        inner, own = wrapped
        out = {**reader.resolve(inner), **own}
    for key in ("anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            out[key] = [_followed(item, reader) for item in out[key] if isinstance(item, dict)]
    return out


def python_name(json_name: str) -> str:
    names = {param.name: param.python for param in _operation().params}
    return str(names.get(json_name, json_name))


def build_body(params: dict[str, Any], operation: str = OPERATION) -> tuple[dict[str, Any], Prepared]:
    """snake_case params to the request's wire names (body properties and other parameters),
    validated, with the request `prepare` encoded from them (sent as it is: nothing checks or
    encodes the row again); TypeError/ValueError naming the field."""
    from .._validation import prepare

    op = _operation(operation)
    prepared = prepare(op, params)
    # The body the bytes encode, as JSON would decode them (prepare made it of plain JSON values):
    # the row's digest and pair are taken from it, so they describe exactly what is sent.
    body: dict[str, Any] = prepared.body if prepared.content is not None else {}
    extra = {
        param.name: params[param.python]
        for param in op.params
        if param.location != "body" and params.get(param.python) is not None
    }
    return ({**body, **extra} if extra else body), prepared


MISSING: Any = object()


@cache
def _unset() -> type:
    from raia_agent_api.types import Unset  # with attrs: loaded once a reply is parsed, not for --help

    return Unset


def echoed(model: Any, json_name: str) -> Any:
    """What `model.to_dict()[json_name]` holds (MISSING where to_dict leaves it out), without
    building the dict: a documented field from its attribute (a UUID as its text, as to_dict writes
    it), another one from additional_properties; a reply that is no model (a dict) by its key."""
    if isinstance(model, dict):
        return model.get(json_name, MISSING)
    attribute = getattr(type(model), "_documented", {}).get(json_name)
    if attribute is None:
        extra = getattr(model, "additional_properties", None)
        return extra.get(json_name, MISSING) if isinstance(extra, dict) else MISSING
    value = getattr(model, attribute)
    kind = type(value)
    if kind is _unset():
        return MISSING
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value  # to_dict writes these as they are
    if kind is UUID:
        return str(value)
    return model.to_dict().get(json_name, MISSING)  # anything else (an enum, a date), as to_dict writes it


@dataclass(frozen=True)
class Field:
    """One argument of an operation: a body property or a path, query or header parameter."""

    json_name: str
    python_name: str
    schema: dict[str, Any]
    location: str = "body"
    _: KW_ONLY  # flags by name: Field(..., required=True), never a bare True
    required: bool
    sends_default: bool = False
    """Required, with a declared default: optional here, and the default is sent when it is not given."""

    @property
    def description(self) -> str:
        return str(self.schema.get("description", "")).strip()

    @property
    def choices(self) -> list[str] | None:
        values = self.schema.get("enum")
        if not values or not all(isinstance(value, str) for value in values if value is not None):
            return None
        return [str(value) for value in values if value is not None]

    @property
    def types(self) -> set[str]:
        """The JSON types a value may have, null left out."""
        return json_types(self.schema) - {"null"} or {"string"}

    @property
    def is_file(self) -> bool:
        """A file field of a form: the option takes a path, and the file's bytes are sent."""
        return is_file(self.schema)

    @property
    def nullable(self) -> bool:
        return "null" in json_types(self.schema)


def json_types(schema: dict[str, Any]) -> set[str]:
    """Every JSON type `schema` admits (its anyOf/oneOf branches included); empty when it says none."""
    declared = schema.get("type")
    found = {declared} if isinstance(declared, str) else {str(t) for t in declared or ()}
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key) or ():
            if isinstance(branch, dict):
                found |= json_types(branch)
    if not found and schema.get("enum"):
        found = {_type_of(value) for value in schema["enum"]}
    if not found and isinstance(schema.get("properties"), dict):
        found = {"object"}
    if schema.get("nullable") is True:
        found.add("null")
    return found & set(JSON_TYPES)


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "string"


def operation_fields(operation: str) -> list[Field]:
    """Every argument of an operation: path, query and header parameters, then body properties."""
    op = _operation(operation)
    params = _object_schema(op.params_schema)
    body = _object_schema(op.body_schema)
    form = op.body_media
    out = []
    for param in op.params:
        if form is not None and param.location == "body" and param.name in form.files:
            # the client reads the file; the body's JSON Schema leaves files out
            out.append(
                Field(param.name, param.python, dict(FILE_SCHEMA), required=param.name in form.required)
            )
            continue
        if param.location == "body":
            if not param.name:  # the whole body is one argument (a oneOf of objects: given as JSON)
                whole = op.body_schema or {}
                out.append(
                    Field("body", param.python, _followed(whole, Reader(whole)), required=op.body_required)
                )
                continue
            source, required = body, op.body_required and param.name in set(body.get("required", ()))
        else:
            source, required = params, param.name in set(params.get("required", ()))
        schema = dict(source["properties"].get(param.name, {}))
        defaulted = required and "default" in schema
        out.append(
            Field(
                param.name,
                param.python,
                schema,
                param.location,
                required=required and not defaulted,
                sends_default=defaulted,
            )
        )
    return out


def fields() -> list[Field]:
    """Every argument of create-or-update: its body properties in the spec's order, then any
    path, query or header parameter (an Idempotency-Key, say)."""
    schema = request_schema()
    required = set(schema.get("required", ()))
    body = [
        Field(name, python_name(name), dict(prop), required=name in required)
        for name, prop in schema.get("properties", {}).items()
    ]
    return body + [field for field in operation_fields(OPERATION) if field.location != "body"]


@cache
def accepted_names() -> dict[str, str]:
    """Every spelling a file may use for an argument (as on the wire, or snake_case) -> snake_case."""
    names: dict[str, str] = {}
    for field in fields():
        names[field.json_name] = field.python_name
        names[field.python_name] = field.python_name
    return names


@cache
def json_to_python() -> dict[str, str]:
    return {field.json_name: field.python_name for field in fields()}


@cache
def fields_by_python() -> dict[str, Field]:
    return {field.python_name: field for field in fields()}
