"""The typed surface of the corrected spec: every operation's arguments, replies, pagination, media and
security, as the writer (writer.py) turns them into resources/ and the operation descriptions."""

from __future__ import annotations

from typing import Any

from raia_runtime import paging
from raia_spec import (
    FORMS,
    JsonSchemas,
    UnsupportedMedia,
    default_server_url,
    file_fields,
    operations,
    request_media,
    resolve,
    security_headers,
    security_requirements,
    security_schemes,
    unsent,
    without,
)
from tools.codegen import media_types
from tools.codegen.guard import shown
from tools.codegen.naming import Naming, primary_tag, pynames, route, snake_case
from tools.codegen.naming import rules as naming_rules
from tools.codegen.surface import auth
from tools.codegen.surface import response_headers as headers
from tools.codegen.surface.annotations import Annotations, default_literal, is_deprecated, takes_null
from tools.codegen.surface.model import Argument, Form, OperationSpec, Surface, SurfaceError

# RFC 9110's idempotent methods; a POST or PATCH is retried only when listed in retry_safe.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_FILE = (
    "FileTypes"  # raia_runtime's alias: bytes, a binary file, a path or a (filename, content[, type]) tuple
)


# Component schemas copied into the operation descriptions, over all operations: each operation
# embeds what its schemas reach, so a spec well under the guard's size can fan references out to
# gigabytes of generated code. The real spec copies a few dozen.
MAX_EMBEDDED = 50_000


def python_name(name: str) -> str:
    """A parameter's or body field's argument: snake_case (a keyword gets `_`), and `_` appended when
    it would take a call option's name (`timeout`, `extra_headers`...) or `self`."""
    return naming_rules.unshadowed(snake_case(name), naming_rules.TAKEN_BY_ARGUMENTS)


def _arguments(
    path: str, item: dict[str, Any], op: dict[str, Any], spec: dict[str, Any], types: Annotations
) -> tuple[list[Argument], dict[str, Any] | None, dict[str, Any] | None, bool, Form | None]:
    schemas = JsonSchemas(spec, direction="request")
    arguments: list[Argument] = []
    properties: dict[str, Any] = {}
    required: list[str] = []
    declared = [resolve(spec, p) for p in [*(item.get("parameters") or []), *(op.get("parameters") or [])]]
    by_key = {(p["in"], p["name"]): p for p in declared}  # an operation's parameter overrides its path's
    credentials = {
        ("query", s.param) if s.kind == "query" else ("header", s.param.lower())
        for s in security_schemes(spec)
    }
    for (location, name), param in by_key.items():
        if (location, name.lower() if location == "header" else name) in credentials:
            continue  # a credential: the client sends it (and redacts it); never a method argument
        if location not in {"path", "query", "header"}:
            if param.get("required"):
                raise SurfaceError(f"required {location} parameter {name!r} is not supported")
            continue  # an optional cookie the client never sends
        schema = param.get("schema") or {}
        is_required = bool(param.get("required")) or location == "path"
        description = param.get("description") or schema.get("description") or ""
        arguments.append(
            Argument(
                python_name(name),
                name,
                location,
                types.param(schema),
                is_required,
                description,
                is_deprecated(param) or is_deprecated(schema),
                default=default_literal(resolve(spec, schema)),
            )
        )
        properties[name] = schema
        if is_required:
            required.append(name)
    # one document, so that a parameter's $ref finds its target in the root's $defs
    params_schema = (
        schemas.convert({"type": "object", "properties": properties, "required": required})
        if properties
        else None
    )
    body = resolve(spec, op.get("requestBody") or {})
    chosen = request_media(body.get("content") or {})
    if chosen is None:
        return arguments, params_schema, None, False, None
    media, content = chosen
    schema = content.get("schema") or {}
    target = resolve(spec, schema)
    files = file_fields(media, target, lambda node: resolve(spec, node)) if media in FORMS else ()
    body_required = bool(body.get("required"))
    if target.get("type") == "object" and target.get("properties"):
        needed = set(target.get("required") or [])
        for name, prop in target["properties"].items():
            if unsent(spec, prop, "request"):
                continue  # readOnly: the server assigns it (an id, a creation time), never an argument
            description = prop.get("description") or resolve(spec, prop).get("description") or ""
            is_required = name in needed and body_required
            deprecated = is_deprecated(prop) or is_deprecated(resolve(spec, prop))
            default = default_literal(prop) or default_literal(resolve(spec, prop))
            annotation = _FILE if name in files else types.param(prop)
            arguments.append(
                Argument(
                    python_name(name),
                    name,
                    "body",
                    annotation,
                    is_required,
                    description,
                    deprecated,
                    default=default,
                )
            )
        if files:
            types.imports.add(f"from raia_runtime import {_FILE}")
    else:
        arguments.append(
            Argument("body", "", "body", types.param(schema), body_required, "The request body.")
        )
    # a form's files are read and checked by the client, not by the JSON Schema check of its other fields
    body_schema = schemas.convert(without(target, files) if media in FORMS else schema)
    # worked out here, from the schema the client checks against, so that a call resolves nothing
    converted = resolve(body_schema, body_schema)
    nullable = {
        name for name, prop in (converted.get("properties") or {}).items() if takes_null(body_schema, prop)
    }
    for argument in arguments:
        argument.send_null = argument.location == "body" and argument.name in nullable
    needed_files = tuple(a.name for a in arguments if a.location == "body" and a.name in files and a.required)
    form = (media, files, needed_files) if media in FORMS else None
    return arguments, params_schema, body_schema, body_required, form


def _pagination(
    op: dict[str, Any],
    spec: dict[str, Any],
    arguments: list[Argument],
    types: Annotations,
    declared: dict[str, Any] | None,
    method: str,
) -> tuple[dict[str, str | None] | None, str, tuple[tuple[str, str, bool], ...]]:
    """The operation's pagination (by the rule, or as declared), its item's type, and the success
    Reply's `fields` (set when the page's schema is written inline, so the page stays a dict)."""
    responses = {str(k): v for k, v in (op.get("responses") or {}).items()}
    success = next((responses[k] for k in sorted(responses) if k.isdigit() and k.startswith("2")), None)
    content = (resolve(spec, success or {}).get("content") or {}).get("application/json") or {}
    body = resolve(spec, content.get("schema") or {}) if content else None
    query = {a.name: a.python for a in arguments if a.location == "query"}
    found = (
        paging.declared(declared, "pagination")
        if declared is not None
        else paging.recognise(method, query, body, lambda p: resolve(spec, p))
    )
    if found is None:
        return None, "Any", ()
    properties = (body or {}).get("properties") or {}
    for key in ("items", "field"):
        if found[key] not in properties:
            raise SurfaceError(f"pagination: the success body has no property {found[key]!r}")
    for key in ("param", "limit"):
        if found[key] is not None and found[key] not in query:
            raise SurfaceError(f"pagination: no query parameter {found[key]!r}")
    for key in ("items", "field"):
        if not pynames.usable(pynames.attribute_name(str(found[key]))):
            raise SurfaceError(f"pagination: property {found[key]!r} gives no usable Python name")
    _, model, many = types.reply(properties[found["items"]])
    python = {
        "style": found["style"],
        "items": pynames.attribute_name(str(found["items"])),
        "field": pynames.attribute_name(str(found["field"])),
        "param": query[str(found["param"])],
        "page": "model",
    }
    fields: tuple[tuple[str, str, bool], ...] = ()
    if types.reply(content.get("schema"))[1] is None:
        # No model of its own: the page is parsed as a dict, read by its JSON names.
        python.update(items=str(found["items"]), field=str(found["field"]), page="dict")
        fields = ((str(found["items"]), model, many),) if model else ()
    return python, f"_models.{model}" if model else "Any", fields


def build(spec: dict[str, Any], naming: Naming, pagination: dict[str, Any] | None = None) -> Surface:
    types = Annotations(spec, naming)
    schemas = JsonSchemas(spec, direction="response")
    specs: list[OperationSpec] = []
    notes: list[str] = []
    embedded = 0
    for path, http_method, op in operations(spec):
        item = resolve(spec, spec["paths"][path])
        resource = naming.resource_name(primary_tag(op))
        method = naming.operation_method(path, http_method, op)
        where = f"{http_method} {path} (client.{resource}.{method})"
        try:
            arguments, params_schema, body_schema, body_required, form = _arguments(
                path, item, op, spec, types
            )
            replies, success, returns = _replies(op, spec, types, schemas)
            media, returns, event = media_types.replies(op, spec, success, returns)
            declared = (pagination or {}).get(route(http_method, path))
            paged, page_item, page_fields = _pagination(op, spec, arguments, types, declared, http_method)
            security = tuple(map(tuple, security_requirements(spec, op) or ()))
            response_headers = headers.documented(op, spec, success)
            reached = [params_schema, body_schema, *(schema for schema, _, _ in replies.values())]
            embedded += sum(len(schema.get("$defs") or ()) for schema in reached if isinstance(schema, dict))
            if embedded > MAX_EMBEDDED:
                raise SurfaceError(
                    f"with it the operations embed over {MAX_EMBEDDED:,} component schemas "
                    "(references fan out too widely to generate)"
                )
        except (SurfaceError, UnsupportedMedia) as exc:
            raise SurfaceError(f"{where}: {exc}") from None
        except Exception as exc:  # one line naming the operation, not a traceback
            raise SurfaceError(f"{where}: {type(exc).__name__}: {exc}") from None
        seen: dict[str, Argument] = {}
        for argument in arguments:
            if not pynames.usable(argument.python):  # the rules make identifiers; this proves it
                raise SurfaceError(
                    f"{where}: {argument.location} {argument.name!r} gives no usable Python name"
                )
            if argument.python in seen:
                other = seen[argument.python]
                raise SurfaceError(
                    f"{where}: {other.location} {other.name!r} and {argument.location} {argument.name!r} "
                    f"would both be the argument {argument.python!r}"
                )
            seen[argument.python] = argument
            if argument.name and snake_case(argument.name) in naming_rules.TAKEN_BY_ARGUMENTS:
                kind = "body field" if argument.location == "body" else f"{argument.location} parameter"
                what = f"{where}: {kind} {shown(argument.name)} is the argument"
                notes.append(
                    naming_rules.shadow_note(what, snake_case(argument.name), naming_rules.TAKEN_BY_ARGUMENTS)
                )
        specs.append(
            OperationSpec(
                resource=resource,
                method_name=method,
                constant=f"{resource}_{method}".upper(),
                http_method=http_method,
                path=path,
                summary=str(op.get("summary") or ""),
                description=str(op.get("description") or ""),
                arguments=arguments,
                params_schema=params_schema,
                body_schema=body_schema,
                body_required=body_required,
                success=success,
                returns=returns,
                replies=replies,
                idempotent=http_method in IDEMPOTENT_METHODS or route(http_method, path) in naming.retry_safe,
                deprecated=is_deprecated(op),
                pagination=paged,
                page_item=page_item,
                body_media=form,
                page_fields=page_fields,
                media=media,
                event=event,
                security=security,
                response_headers=response_headers,
            )
        )
    unknown = sorted(set(pagination or {}) - {route(op.http_method, op.path) for op in specs})
    if unknown:
        raise SurfaceError(f"pagination: {', '.join(unknown)} matches no operation of the spec")
    open_operations = [f"{op.resource}.{op.method_name}" for op in specs if not op.security]
    try:
        options = auth.lines(spec, open_operations)
    except auth.OptionError as exc:
        raise SurfaceError(str(exc)) from None
    return Surface(default_server_url(spec), security_headers(spec), specs, types, notes, options)


Replies = dict[int, tuple[dict[str, Any] | None, str | None, bool]]


def _replies(
    op: dict[str, Any], spec: dict[str, Any], types: Annotations, schemas: JsonSchemas
) -> tuple[Replies, int, str]:
    """Documented replies by status, the success status, and the success reply's annotation.

    `2XX` stands for a 200 when no exact 2xx status is documented; `default` says nothing
    about success, so it is left to the error path.
    """
    responses = {str(k).upper(): v for k, v in (op.get("responses") or {}).items()}
    if "2XX" in responses and not any(k.isdigit() and k.startswith("2") for k in responses):
        responses["200"] = responses["2XX"]
    replies: Replies = {}
    reply_schemas: dict[int, dict[str, Any] | None] = {}
    for status, reply in responses.items():
        if not status.isdigit():
            continue
        _, _, schema = media_types.reply_kind(resolve(spec, reply).get("content") or {}, spec)
        _, model, many = types.reply(schema)
        replies[int(status)] = (None if schema is None else schemas.convert(schema), model, many)
        reply_schemas[int(status)] = schema
    successes = sorted(status for status in replies if 200 <= status < 300)
    if not successes:
        return replies, 200, "Any"
    returns, _, _ = types.reply(reply_schemas[successes[0]])
    return replies, successes[0], returns
