"""Client behaviour: what changes for code using `Raia` while no Python symbol changes.

The wrapper takes its default base URL, auth header and each operation's method, path and
success status from the spec, so a spec update moves them silently; these rows say so. The
default base URL is the first server's with each variable at its default: a server variable
added with the same default URL moves nothing (it is a new option, `Raia(region=...)`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from raia_spec import (
    JSON,
    UnsupportedMedia,
    default_server_url,
    request_media,
    resolve,
    security_headers,
    server_url,
)
from raia_spec import operations as spec_operations
from tools.codegen.naming import Naming, primary_tag
from tools.codegen.surface import auth as surface_auth

from ._model import Change

Operation = tuple[str, str, str]  # method, path, success status


def base_url(doc: dict[str, Any]) -> tuple[str, str]:
    url = urlsplit(default_server_url(doc))
    return url.netloc, url.path.rstrip("/")


def judge_servers(old: dict[str, Any], new: dict[str, Any], changes: list[Change]) -> list[Change]:
    """The spec diff's rows about `servers`, judged by what a default client talks to: breaking when
    that URL changes, else info (a variable or another server is an option, not a move)."""
    moved = default_server_url(old) != default_server_url(new)
    url = default_server_url(new)
    return [
        replace(
            c,
            level="breaking" if moved else "info",
            message=c.message if moved else f"{c.message} (`Raia()` still talks to `{url}`)",
        )
        if c.view == "corrected" and (c.location == "servers" or c.location.startswith("servers/"))
        else c
        for c in changes
    ]


def _credential_options(doc: dict[str, Any]) -> set[str]:
    """The client options the spec's security schemes give (tools/codegen/surface/auth.py's rule)."""
    try:
        found = surface_auth.credentials(doc)
    except surface_auth.OptionError:
        return set()  # the new spec does not generate: the report's Python section says so
    return {name for c in found for name in (c.option, c.user_option) if name}


def _variables(doc: dict[str, Any]) -> dict[str, Any]:
    return server_url(doc)[1]


def success(responses: dict[str, Any]) -> str:
    codes = sorted(code for code in responses if str(code).startswith("2"))
    return str(codes[0]) if codes else "none documented"


def operations(doc: dict[str, Any]) -> dict[str, Operation]:
    out = {}
    for path, method, op in spec_operations(doc):
        key = op.get("operationId") or f"{method} {path}"
        out[key] = (method, path, success(op.get("responses") or {}))
    return out


def _added(doc: dict[str, Any], method: str, path: str, naming: Naming | None) -> tuple[str, str]:
    """What a caller writes for a new operation (`client.agent_files.upload()`), and its request body's
    media type when that is not JSON ("" otherwise)."""
    op = next(o for p, m, o in spec_operations(doc) if (m, p) == (method, path))
    where = ""
    if naming is not None:
        where = (
            f"client.{naming.resource_name(primary_tag(op))}.{naming.operation_method(path, method, op)}()"
        )
    try:
        chosen = request_media(resolve(doc, op.get("requestBody") or {}).get("content") or {})
    except UnsupportedMedia as exc:
        return where, f"; {exc}"
    return where, f", a {chosen[0]} body" if chosen is not None and chosen[0] != JSON else ""


def behaviour(old: dict[str, Any], new: dict[str, Any], naming: Naming | None = None) -> list[Change]:
    """Compare the corrected specs' client-visible settings; with `naming`, a new operation is named
    by what callers write."""
    rows: list[Change] = []
    (old_host, old_path), (new_host, new_path) = base_url(old), base_url(new)
    if old_host != new_host:
        rows.append(Change("warning", "default base URL", f"host `{old_host}` -> `{new_host}`: `Raia()` talks to another server", "base-url-host"))  # fmt: skip
    if old_path != new_path:
        rows.append(Change("warning", "default base URL", f"base path `{old_path or '/'}` -> `{new_path or '/'}`: every request path moves", "base-url-path"))  # fmt: skip
    before_vars, after_vars = _variables(old), _variables(new)
    for name in sorted(after_vars.keys() - before_vars.keys()):
        rows.append(Change("info", "server variable", f"`{name}` added: a client option (see `ClientOptions`), default `{str((after_vars[name] or {}).get('default'))[:60]}`", "server-variable-added"))  # fmt: skip
    for name in sorted(before_vars.keys() - after_vars.keys()):
        rows.append(Change("breaking", "server variable", f"`{name}` removed: a client passing it fails", "server-variable-removed"))  # fmt: skip
    before_options, after_options = _credential_options(old), _credential_options(new)
    for option in sorted(after_options - before_options):
        rows.append(Change("info", "credential", f"`{option}` added: a client option (and `RAIA_AGENT_{option.upper()}`)", "credential-option-added"))  # fmt: skip
    for option in sorted(before_options - after_options):
        rows.append(Change("breaking", "credential", f"`{option}` removed: a client passing it fails", "credential-option-removed"))  # fmt: skip
    old_auth, new_auth = security_headers(old), security_headers(new)
    if old_auth != new_auth:
        rows.append(Change("warning", "auth header", f"`{', '.join(old_auth) or 'none'}` -> `{', '.join(new_auth) or 'none'}`: the key is sent, and redacted, under the new name", "auth-header-name"))  # fmt: skip
    before, after = operations(old), operations(new)
    by_route = {(m, p): key for key, (m, p, _) in after.items()}
    for key in sorted(before.keys() - after.keys()):
        method, path, _ = before[key]
        moved = by_route.get((method, path))
        if moved and moved not in before:
            rows.append(
                Change(
                    "info", key, f"operationId `{key}` -> `{moved}` ({method} {path})", "operation-renamed"
                )
            )
            before[moved] = before.pop(key)
        else:
            rows.append(Change("breaking", key, f"operation {method} {path} removed", "operation-removed"))
    for key in sorted(before.keys() & after.keys()):
        (m0, p0, s0), (m1, p1, s1) = before[key], after[key]
        if (m0, p0) != (m1, p1):
            rows.append(Change("warning", key, f"`{m0} {p0}` -> `{m1} {p1}`", "operation-route"))
        if s0 != s1:
            rows.append(
                Change("warning", key, f"success status {s0} -> {s1} ({m1} {p1})", "operation-status")
            )
    for key in sorted(after.keys() - before.keys()):
        method, path, status = after[key]
        where, media = _added(new, method, path, naming)
        message = f"new operation {method} {path} -> {status}{media}"
        rows.append(Change("info", where or key, message, "operation-added"))
    return rows
