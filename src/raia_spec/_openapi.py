"""What an OpenAPI document says beyond its schemas: its operations, credentials and servers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ._refs import Reader, is_ref, resolve

# The methods a path item may hold (OpenAPI 3.0 and 3.1), in the order the spec lists them.
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def path_items(doc: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, path item) in spec order, a `$ref`'d path item followed; what is not an object is skipped."""
    items = ((str(path), resolve(doc, item)) for path, item in (doc.get("paths") or {}).items())
    return [(path, item) for path, item in items if isinstance(item, dict)]


def operations(doc: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, METHOD in capitals, operation) for every operation, in spec order."""
    return [
        (path, method.upper(), item[method])
        for path, item in path_items(doc)
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
    ]


def _header_scheme(scheme: Any) -> str | None:
    """The header an apiKey-in-header security scheme names, else None."""
    if isinstance(scheme, dict) and scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        name = scheme.get("name")
        return name if isinstance(name, str) else None
    return None


def _schemes(doc: Mapping[str, Any]) -> dict[str, Any]:
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    reader = Reader(doc) if any(is_ref(s) for s in schemes.values()) else None
    return {str(k): reader.resolve(v) if reader else v for k, v in schemes.items()}


def security_headers(doc: Mapping[str, Any]) -> list[str]:
    """The header names of the spec's apiKey-in-header security schemes, sorted, each once."""
    return sorted({h for h in map(_header_scheme, _schemes(doc).values()) if h is not None})


SchemeKind = Literal["header", "query", "bearer", "basic"]


@dataclass(frozen=True)
class Scheme:
    """A security scheme a client can send: an apiKey in a header or the query, or http bearer or basic.

    `param` is the header or query parameter carrying the value (`Authorization` for http schemes).
    """

    name: str
    kind: SchemeKind
    param: str


def _scheme(name: str, scheme: Any) -> Scheme | None:
    if not isinstance(scheme, dict):
        return None
    kind, where, param = scheme.get("type"), scheme.get("in"), scheme.get("name")
    if kind == "apiKey" and isinstance(param, str) and param:
        if where == "header":
            return Scheme(name, "header", param)
        if where == "query":
            return Scheme(name, "query", param)
    http = str(scheme.get("scheme") or "").lower()  # RFC 7235: auth scheme names are case-insensitive
    if kind == "http" and http == "bearer":
        return Scheme(name, "bearer", "Authorization")
    if kind == "http" and http == "basic":
        return Scheme(name, "basic", "Authorization")
    return None  # oauth2, openIdConnect, a cookie, digest...: nothing this client can send


def security_schemes(doc: Mapping[str, Any]) -> list[Scheme]:
    """The declared schemes a client can send, in the spec's order."""
    found = (_scheme(name, scheme) for name, scheme in _schemes(doc).items())
    return [scheme for scheme in found if scheme is not None]


def security_requirements(doc: Mapping[str, Any], op: Mapping[str, Any]) -> list[list[str]] | None:
    """The scheme names one operation needs, one list per alternative, in spec order; None when it
    needs nothing (no requirement, or an alternative that is empty).

    An alternative naming a scheme no client can send (oauth2, a cookie) is kept: it can never be
    met, so it opens nothing. A requirement naming an undeclared scheme is a ValueError.
    """
    schemes = _schemes(doc)
    requirements = op.get("security", doc.get("security"))
    if not isinstance(requirements, list) or not requirements:
        return None
    alternatives: list[list[str]] = []
    for requirement in requirements:
        if not isinstance(requirement, dict):
            raise ValueError(f"a security requirement must be an object, not {type(requirement).__name__}")
        undeclared = sorted(str(name) for name in requirement if name not in schemes)
        if undeclared:
            raise ValueError(f"security requirement names undeclared scheme(s) {undeclared!r:.120}")
        if not requirement:
            return None
        alternatives.append([str(name) for name in requirement])
    return alternatives


def server_url(doc: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The first server's URL template (trailing slash dropped) and its variables (name -> object)."""
    servers = doc.get("servers")
    server = servers[0] if isinstance(servers, list) and servers and isinstance(servers[0], dict) else {}
    variables = server.get("variables")
    variables = variables if isinstance(variables, dict) else {}
    return str(server.get("url", "/")).rstrip("/"), {str(k): v for k, v in variables.items()}


def default_server_url(doc: Mapping[str, Any]) -> str:
    """The URL a client talks to by default: the first server's, each `{variable}` set to its default."""
    url, variables = server_url(doc)
    for name, variable in variables.items():
        default = variable.get("default") if isinstance(variable, dict) else None
        url = url.replace("{" + name + "}", str(default))
    return url


def security_alternatives(doc: Mapping[str, Any], op: Mapping[str, Any]) -> list[list[str]]:
    """The headers one operation needs, one list per alternative security requirement.

    Empty when no key is needed: no requirement, or an alternative without any apiKey header
    (`{}`, anonymous, or a scheme a header check cannot enforce) lets anyone in. A requirement
    naming a scheme components.securitySchemes does not declare is a ValueError.
    """
    schemes = _schemes(doc)
    alternatives = []
    for requirement in op.get("security", doc.get("security", [])) or []:
        # a name no scheme declares would otherwise count as "no header to check": anyone let in
        undeclared = sorted(str(name) for name in requirement if name not in schemes)
        if undeclared:
            raise ValueError(f"security requirement names undeclared scheme(s) {undeclared!r:.120}")
        headers = [h for h in (_header_scheme(schemes.get(name)) for name in requirement) if h is not None]
        if not headers:
            return []
        alternatives.append(headers)
    return alternatives


def single_allof(schema: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(the one subschema, the other keywords) of `allOf: [X]`, else None.

    NestJS writes a described `$ref` that way (`allOf: [{$ref}]` beside a description): the
    wrapper means its subschema, with the wrapper's own keywords on top.
    """
    parts = schema.get("allOf")
    if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict):
        return parts[0], {k: v for k, v in schema.items() if k != "allOf"}
    return None
