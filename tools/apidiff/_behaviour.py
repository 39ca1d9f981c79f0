"""Client behaviour: what changes for code using `Raia` while no Python symbol changes.

The wrapper takes its default base URL, auth header and each operation's method, path and
success status from the spec, so a spec update moves them silently; these rows say so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from raia_spec import JSON, UnsupportedMedia, request_media, resolve, security_headers
from raia_spec import operations as spec_operations
from tools.naming import Naming, primary_tag

from ._model import Change

Operation = tuple[str, str, str]  # method, path, success status


def base_url(doc: dict[str, Any]) -> tuple[str, str]:
    servers = doc.get("servers") or [{}]
    url = urlsplit(str(servers[0].get("url", "")))
    return url.netloc, url.path.rstrip("/")


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
