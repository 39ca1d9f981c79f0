"""The headers an operation documents on its success response, for the typed view on its raw response."""

from __future__ import annotations

from typing import Any

from raia_spec import resolve
from tools.codegen.naming import pynames, snake_case

# What a header's text can be read as; any other schema is read as text.
_HEADER_KINDS = frozenset({"integer", "number", "boolean", "string"})
# A response's framing and connection headers are HTTP's, not the operation's.
_HTTP_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding", "connection"})


def documented(op: dict[str, Any], spec: dict[str, Any], success: int) -> tuple[tuple[str, str, str], ...]:
    """(name, attribute, JSON type) of each header the success response documents, in spec order."""
    responses = {str(k).upper(): v for k, v in (op.get("responses") or {}).items()}
    reply = resolve(spec, responses.get(str(success)) or responses.get("2XX") or {})
    found: dict[str, tuple[str, str, str]] = {}
    for name, header in (reply.get("headers") or {}).items():
        if str(name).lower() in _HTTP_HEADERS:
            continue
        schema = resolve(spec, resolve(spec, header).get("schema") or {})
        kind = schema.get("type")
        kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
        python = snake_case(str(name))
        if not pynames.usable(python) or python in found:
            raise ValueError(
                f"response header {str(name)!r:.80} gives no usable (or a repeated) attribute name"
            )
        found[python] = (str(name), python, kind if kind in _HEADER_KINDS else "string")
    return tuple(found.values())
