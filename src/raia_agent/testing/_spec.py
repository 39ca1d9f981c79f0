"""The spec as the server reads it at start-up: routes, parameters, auth headers and validators.

Nothing here names an operation: a regenerated package with new operations is served as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema_rs

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def to_json_schema(node: Any) -> Any:
    """Spell OpenAPI 3.0's schema dialect as JSON Schema 2020-12; $refs stay (they resolve in the root)."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items() if key != "nullable"}
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        # 3.0 spells an exclusive bound as a flag on the plain one.
        if isinstance(out.get(bound), bool) and out.pop(bound) and limit in out:
            out[bound] = out.pop(limit)
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Validator:
    """A compiled schema (its $refs resolving against the spec's components) that lists every problem."""

    def __init__(self, schema: dict[str, Any], components: dict[str, Any]) -> None:
        self.schema = schema
        self.root = {**schema, "components": components}
        self._compiled = jsonschema_rs.Draft202012Validator(self.root, validate_formats=True)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._compiled.is_valid(instance))

    def resolve(self, schema: Any = None) -> dict[str, Any]:
        """`schema` (by default the validator's own) with its $ref chain followed, siblings kept."""
        schema = self.schema if schema is None else schema
        for _ in range(32):
            if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
                break
            target: Any = self.root
            for part in schema["$ref"].removeprefix("#/").split("/"):
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema if isinstance(schema, dict) else {}

    def problems(self, instance: Any, name: str = "") -> list[str]:
        found = []
        for error in self._compiled.iter_errors(instance):
            where = ".".join([*([name] if name else []), *(str(part) for part in error.instance_path)])
            named = not where or f'"{where.rsplit(".", 1)[-1]}"' in error.message
            found.append(error.message if named else f"{where}: {error.message}")
        return sorted(found)


@dataclass(frozen=True)
class Param:
    name: str
    location: str
    required: bool
    validator: Validator


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
    auth: list[list[str]]
    """Header names, one list per alternative security requirement; empty when no key is needed."""
    media_examples: dict[int, Any] = field(default_factory=dict)

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


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node, seen = target, seen + 1
    return node


def _pattern(template: str, base_path: str) -> tuple[re.Pattern[str], list[str]]:
    # Literal segments match literally; {name} matches one segment; Express also takes a trailing "/".
    # The spec's server base path (e.g. /v2) may come first or not, whichever base URL a test uses.
    parts = re.split(r"\{([^}/]+)\}", template.rstrip("/"))
    regex = "".join(re.escape(part) if i % 2 == 0 else "([^/]+)" for i, part in enumerate(parts))
    prefix = f"(?:{re.escape(base_path)})?" if base_path else ""
    return re.compile(prefix + regex + "/?"), parts[1::2]


def _base_path(spec: dict[str, Any]) -> str:
    servers = spec.get("servers") or [{}]
    return urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")


def _auth(spec: dict[str, Any], op: dict[str, Any]) -> list[list[str]]:
    schemes = spec.get("components", {}).get("securitySchemes", {})
    alternatives = []
    for requirement in op.get("security", spec.get("security", [])):
        headers = [
            scheme["name"]
            for scheme in (_resolve(spec, schemes.get(name, {})) for name in requirement)
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header"
        ]
        if not headers:
            return []  # an alternative the server does not enforce (or `{}`, anonymous) lets anyone in
        alternatives.append(headers)
    return alternatives


def _json_media(spec: dict[str, Any], holder: dict[str, Any]) -> dict[str, Any] | None:
    content = _resolve(spec, holder).get("content", {})
    media = next((m for t, m in content.items() if t.split(";")[0].strip().endswith("json")), None)
    return media if isinstance(media, dict) else None


def load(spec: dict[str, Any]) -> Spec:
    components = to_json_schema(spec.get("components", {}))
    base_path = _base_path(spec)
    operations = []
    for template, raw_item in spec.get("paths", {}).items():
        item = _resolve(spec, raw_item)
        for method in HTTP_METHODS:
            if method in item:
                operations.append(_operation(spec, components, (base_path, template), method, item))
    # Literal segments win over parameters, as a router tries its most specific route first.
    operations.sort(key=lambda op: (op.template.count("{"), -len(op.template)))
    auth_headers = sorted({name for op in operations for alt in op.auth for name in alt})
    return Spec(operations, auth_headers)


def _operation(
    spec: dict[str, Any],
    components: dict[str, Any],
    where: tuple[str, str],
    method: str,
    item: dict[str, Any],
) -> Operation:
    base_path, template = where
    raw = item[method]
    declared = {}
    for holder in (*item.get("parameters", []), *raw.get("parameters", [])):
        param = _resolve(spec, holder)
        declared[(param["name"], param["in"])] = param
    auth = _auth(spec, raw)
    # OpenAPI ignores Accept, Content-Type and Authorization declared as headers; an auth header
    # declared as one is checked by the guard alone, so its value never reaches a 400 message.
    unchecked = {"accept", "content-type", "authorization", *(n.lower() for alt in auth for n in alt)}
    params = [
        Param(
            name,
            location,
            bool(param.get("required")) or location == "path",
            Validator(to_json_schema(param.get("schema", {})), components),
        )
        for (name, location), param in declared.items()
        if location in ("path", "query") or (location == "header" and name.lower() not in unchecked)
    ]
    body = None
    if "requestBody" in raw and (media := _json_media(spec, raw["requestBody"])) is not None:
        body = Validator(to_json_schema(media.get("schema", {})), components)
    responses: dict[int, Validator | None] = {}
    examples = {}
    for status, response in raw.get("responses", {}).items():
        if not str(status).isdigit():
            continue
        media = _json_media(spec, response)
        responses[int(status)] = (
            Validator(to_json_schema(media.get("schema", {})), components) if media is not None else None
        )
        if media is not None and "example" in media:
            examples[int(status)] = media["example"]
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
    )
