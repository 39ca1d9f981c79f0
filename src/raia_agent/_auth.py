"""The spec's credentials and server variables as client options, and what each operation sends.

The options and their names come from the generated package (CREDENTIALS, SERVER_VARIABLES; see
tools/codegen/surface/auth.py for the naming rule); each is read from RAIA_AGENT_<OPTION> when not given.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from raia_agent_api.resources._operations import (
    CREDENTIALS,
    OPEN_OPERATIONS,
    SERVER_URL,
    SERVER_VARIABLES,
)

from raia_runtime import Credential, Operation

from ._exceptions import RaiaError

ENV_PREFIX: Final = "RAIA_AGENT_"
# A variable with no enum goes into the URL as it is: only characters that cannot end the host,
# start a path, a query or userinfo (RFC 3986's unreserved set).
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]{1,253}")


def env_var(option: str) -> str:
    """The environment variable an option is read from when it is not given (`bearer_token` ->
    RAIA_AGENT_BEARER_TOKEN)."""
    return ENV_PREFIX + option.upper()


def option_names() -> list[str]:
    """Every option the spec gives the client: credentials (user names included), then server variables."""
    names = [name for c in CREDENTIALS for name in (c.option, c.user_option) if name]
    return [*names, *(v.option for v in SERVER_VARIABLES)]


def credential_options() -> list[str]:
    return [name for c in CREDENTIALS for name in (c.option, c.user_option) if name]


def check_unknown(given: Mapping[str, object]) -> None:
    unknown = sorted(set(given) - set(option_names()))
    if unknown:
        known = ", ".join(option_names()) or "none"
        raise TypeError(f"unknown client option(s) {', '.join(map(repr, unknown))}; this API's are: {known}")


def check_credential(option: str, value: object) -> str:
    """A credential as sendable. The message names the option and never echoes the value."""
    if not isinstance(value, str):
        raise TypeError(f"{option} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(
            f"{option} is empty: {_how([c for c in CREDENTIALS if option in (c.option, c.user_option)])}"
        )
    # Printable ASCII only: CR/LF would split a header, and the value is never echoed back.
    if any(not (0x20 <= ord(ch) < 0x7F) for ch in value) or value != value.strip():
        raise ValueError(
            f"{option} contains characters not allowed in an HTTP header "
            "(control characters, line breaks, non-ASCII or surrounding spaces); check how it was loaded"
        )
    return value


def credentials(given: Mapping[str, str | None]) -> dict[str, str]:
    """Each credential option's value: given, else from its environment variable; unset ones left out."""
    found = {}
    for option in credential_options():
        value = given.get(option)
        if value is None:
            value = os.environ.get(env_var(option)) or None
        if value is not None:
            found[option] = check_credential(option, value)
    for cred in CREDENTIALS:
        if cred.user_option and ":" in found.get(cred.user_option, ""):
            # RFC 7617: the first colon ends the user name, so the server would read another one
            raise ValueError(f"{cred.user_option} must not contain ':' (basic auth cannot carry it)")
    if not found and not OPEN_OPERATIONS and CREDENTIALS:
        raise ValueError(f"no credentials: {_how(CREDENTIALS)}")
    return found


def _how(creds: tuple[Credential, ...] | list[Credential]) -> str:
    """How to give each of `creds`: "pass secret_key=... or set RAIA_AGENT_SECRET_KEY", joined by "or"."""
    parts = []
    for cred in creds:
        options = [cred.option, *([cred.user_option] if cred.user_option else [])]
        given = " and ".join(f"{o}=..." for o in options)
        env = " and ".join(env_var(o) for o in options)
        parts.append(f"pass {given} or set the {env} environment variable{'s' if len(options) > 1 else ''}")
    return "; or ".join(parts)


def server_values(given: Mapping[str, object]) -> dict[str, str]:
    """Each server variable's value: given, else its environment variable, else the spec's default."""
    values = {}
    for variable in SERVER_VARIABLES:
        value = given.get(variable.option)
        if value is None:
            value = os.environ.get(env_var(variable.option)) or variable.default
        if not isinstance(value, str):
            raise TypeError(f"{variable.option} must be a str, not {type(value).__name__}")
        if variable.enum and value not in variable.enum:
            allowed = ", ".join(map(repr, variable.enum))
            raise ValueError(f"{variable.option} must be one of {allowed}, not {value[:40]!r}")
        if not variable.enum and not _UNRESERVED.fullmatch(value):
            raise ValueError(
                f"{variable.option} may hold only letters, digits and . _ ~ -, not {value[:40]!r}"
            )
        values[variable.option] = value
    return values


def server_url(values: Mapping[str, str]) -> str:
    url = SERVER_URL
    for variable in SERVER_VARIABLES:
        url = url.replace("{" + variable.name + "}", values[variable.option])
    return url


def secrets(values: Mapping[str, str]) -> list[str]:
    """Every text that is a secret as sent: each value but user names, and each basic pair encoded."""
    users = {c.user_option for c in CREDENTIALS if c.user_option}
    found = [value for option, value in values.items() if option not in users]
    for cred in CREDENTIALS:
        if cred.kind == "basic" and cred.option in values:
            found.append(_basic(values.get(cred.user_option, ""), values[cred.option]))
    return found


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _held(cred: Credential, values: Mapping[str, str]) -> bool:
    return cred.option in values and (not cred.user_option or cred.user_option in values)


def _send(creds: list[Credential], values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    headers, query = {}, {}
    for cred in creds:
        value = values[cred.option]
        if cred.kind == "header":
            headers[cred.param] = value
        elif cred.kind == "query":
            query[cred.param] = value
        elif cred.kind == "bearer":
            headers["Authorization"] = f"Bearer {value}"
        else:
            headers["Authorization"] = f"Basic {_basic(values[cred.user_option], value)}"
    return headers, query


def for_operation(op: Operation[Any], values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, query) carrying the credentials `op` needs: those of its first alternative this
    client holds, in the spec's order; nothing for an operation that needs none.

    A RaiaError naming the missing options when the client holds no alternative, before any request.
    """
    by_scheme = {cred.scheme: cred for cred in CREDENTIALS}
    if op.security is None:  # a description not generated from a spec: every credential held
        return _send([c for c in CREDENTIALS if _held(c, values)], values)
    if not op.security:
        return {}, {}
    for alternative in op.security:
        creds = [by_scheme.get(name) for name in alternative]
        known = [c for c in creds if c is not None]
        if len(known) == len(creds) and all(_held(c, values) for c in known):
            return _send(known, values)
    raise RaiaError(f"{op.name} needs credentials this client does not have: {_missing(op, by_scheme)}")


def _missing(op: Operation[Any], by_scheme: Mapping[str, Credential]) -> str:
    def one(alternative: tuple[str, ...]) -> Iterator[str]:
        for name in alternative:
            cred = by_scheme.get(name)
            if cred is None:
                yield f"the scheme {name!r:.60} (which this client cannot send)"
            else:
                yield _how([cred])

    return "; or ".join(" and ".join(one(alternative)) for alternative in op.security or ())
