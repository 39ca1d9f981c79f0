"""Client options from the spec: one per credential a security scheme asks for, one per server variable.

The naming rule (CONTRIBUTING, "Names"): a scheme's name in snake_case, without the words that
only say "this is auth" (auth, authentication, authorization, scheme, security), ending in a word
that names a credential (key, token, secret, password), else the scheme's own (key for an apiKey,
token for bearer, password for basic); its last two words are the option. So `Agent-Secret-Key`
-> `secret_key`, `BearerAuth` -> `bearer_token`, `BasicAuth` -> `basic_password` plus
`basic_username`, `X-API-Key` -> `api_key`. Where two schemes would share an option, or one would
take a name the client already has, the colliding ones keep all their words. A server variable is
an option under its own name in snake_case (`region`), or `server_<name>` where that is taken.
The client reads each option from RAIA_AGENT_<OPTION> when it is not given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from raia_spec import Scheme, default_server_url, security_schemes, server_url
from tools.codegen.naming import pynames, snake_case
from tools.codegen.surface.annotations import literal

# What Raia's constructor and with_options already take, and what every client object has.
TAKEN = frozenset(
    {"base_url", "timeout", "max_retries", "http_client", "default_headers", "strict_responses", "self"}
)
_GENERIC = frozenset({"auth", "authentication", "authorization", "scheme", "security"})
_CREDENTIAL_WORDS = frozenset({"key", "token", "secret", "password"})
_OWN_WORD = {"header": "key", "query": "key", "bearer": "token", "basic": "password"}


class OptionError(Exception):
    """Two options would share a name; the message names the schemes or variables."""


@dataclass(frozen=True)
class Credential:
    scheme: Scheme
    option: str
    user_option: str = ""
    """basic only: the option holding the user name (the password is `option`)."""


@dataclass(frozen=True)
class Variable:
    name: str
    option: str
    default: str
    enum: tuple[str, ...]


def _words(scheme: Scheme) -> list[str]:
    words = [w for w in snake_case(scheme.name).split("_") if w not in _GENERIC] or [scheme.kind]
    if words[-1] not in _CREDENTIAL_WORDS:
        words.append(_OWN_WORD[scheme.kind])
    return words


def _user(words: list[str]) -> str:
    return "_".join([*words[:-1], "username"])


def credentials(spec: dict[str, Any]) -> list[Credential]:
    """Each scheme a client can send, with its option name(s), in the spec's order."""
    schemes = security_schemes(spec)
    words = {scheme.name: _words(scheme) for scheme in schemes}

    def names(scheme: Scheme, full: bool) -> list[str]:
        kept = words[scheme.name] if full else words[scheme.name][-2:]
        return ["_".join(kept), *([_user(kept)] if scheme.kind == "basic" else [])]

    short = {scheme.name: names(scheme, False) for scheme in schemes}
    counts: dict[str, int] = {}
    for found in short.values():
        for name in found:
            counts[name] = counts.get(name, 0) + 1
    chosen = {
        scheme.name: names(scheme, any(counts[n] > 1 or n in TAKEN for n in short[scheme.name]))
        for scheme in schemes
    }
    owner: dict[str, str] = {}
    for scheme in schemes:
        for name in chosen[scheme.name]:
            if name in owner or name in TAKEN or not pynames.usable(name):
                other = f"scheme {owner[name]!r}" if name in owner else "the client"
                raise OptionError(
                    f"security scheme {scheme.name!r} and {other} would both be the option {name!r}"
                )
            owner[name] = scheme.name
    return [Credential(scheme, *chosen[scheme.name]) for scheme in schemes]


def variables(spec: dict[str, Any], taken: set[str]) -> list[Variable]:
    """The first server's variables as options, each with its default and its enum (empty: any value)."""
    _, declared = server_url(spec)
    found = []
    for name, variable in declared.items():
        if not isinstance(variable, dict) or not isinstance(variable.get("default"), str):
            raise OptionError(f"server variable {name!r} has no default string")
        enum = variable.get("enum")
        values = tuple(str(value) for value in enum) if isinstance(enum, list) else ()
        option = snake_case(name)
        if option in taken or option in TAKEN:
            option = f"server_{option}"
        if option in taken or option in TAKEN or not pynames.usable(option):
            raise OptionError(f"server variable {name!r} gives no free option name ({option!r} is taken)")
        taken.add(option)
        found.append(Variable(name, option, variable["default"], values))
    return found


def lines(spec: dict[str, Any], open_operations: list[str]) -> list[str]:
    """The module-level constants of resources/_operations.py that describe credentials and servers."""
    creds = credentials(spec)
    taken = {name for c in creds for name in (c.option, c.user_option) if name}
    server_vars = variables(spec, taken)
    template, _ = server_url(spec)
    out = [
        f"BASE_URL = {literal(default_server_url(spec))}",
        '"""The spec\'s first server with each variable at its default, base path included."""',
        f"SERVER_URL = {literal(template)}",
        '"""The first server\'s URL template: each `{variable}` is set by a client option (SERVER_VARIABLES)."""',
        "SERVER_VARIABLES: tuple[ServerVariable, ...] = (",
        *(
            f"    ServerVariable({literal(v.name)}, {v.option!r}, {literal(v.default)}, {literal(v.enum)}),"
            for v in server_vars
        ),
        ")",
        "CREDENTIALS: tuple[Credential, ...] = (",
        *(
            f"    Credential({literal(c.scheme.name)}, {c.option!r}, {c.scheme.kind!r}, "
            f"{literal(c.scheme.param)}, {c.user_option!r}),"
            for c in creds
        ),
        ")",
        '"""Each security scheme the client can send, with the option(s) holding its credential."""',
        f"AUTH_HEADERS: tuple[str, ...] = {literal(auth_headers(creds))}",
        '"""Headers that carry a credential: never logged, never taken from extra_headers or default_headers."""',
        f"OPEN_OPERATIONS: tuple[str, ...] = {literal(tuple(open_operations))}",
        '"""Operations that need no credential: a client without any may still call these."""',
        "",
        "",
        "class ClientOptions(TypedDict, total=False):",
        '    """Raia\'s and AsyncRaia\'s keyword options from the spec (secret_key, if the spec has it, is their',
        '    first parameter): credentials, each also read from RAIA_AGENT_<OPTION>, and server variables."""',
        "",
    ]
    fields = [f"    {c.option}: str | None" for c in creds if c.option != "secret_key"]
    fields += [f"    {c.user_option}: str | None" for c in creds if c.user_option]
    for v in server_vars:
        kind = f"Literal[{', '.join(literal(value) for value in v.enum)}]" if v.enum else "str"
        fields.append(f"    {v.option}: {kind} | None")
    return [*out, *(fields or ["    pass"]), ""]


def auth_headers(creds: list[Credential]) -> tuple[str, ...]:
    """The header names credentials travel in, sorted, each once."""
    return tuple(sorted({c.scheme.param for c in creds if c.scheme.kind != "query"}))
