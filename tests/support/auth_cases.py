"""Credentials and servers from the spec, run by tests/client/test_credentials.py with `raia_agent_api` generated
from the frozen tests/specs/vendor_auth/ (key or bearer at top level, a `security: []` health check, a
query key, a basic scheme, a region server variable). Not collected on its own (no test_ prefix).

Expectations come from the generated CREDENTIALS and each operation's `security`, so the cases say
"the first alternative the client holds", not today's header names.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from raia_agent_api.resources._operations import CREDENTIALS, OPEN_OPERATIONS, OPERATIONS, SERVER_VARIABLES

from raia_agent import AsyncRaia, AuthenticationError, PermissionDeniedError, Raia, RaiaError
from raia_agent.testing import LocalServer, local_server
from raia_agent.testing._routes import Validator
from raia_runtime import Operation
from tests.support.bodies import success_body
from tests.support.server_helpers import MESSAGE_ID, USER_ID

FLAVOURS = ["sync", "async", "raw"]
ARGS: dict[str, dict[str, Any]] = {
    "feedback.create_or_update": {
        "conversation_message_id": MESSAGE_ID,
        "user_id": USER_ID,
        "vote_type": "up",
        "question": "q",
    }
}
BY_SCHEME = {c.scheme: c for c in CREDENTIALS}
TOKEN = "tok-3f9c"
USER = "ops"


@pytest.fixture(autouse=True)
def _no_credentials_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each case gives its credentials itself: none leak in from the environment."""
    for cred in CREDENTIALS:
        for option in (cred.option, cred.user_option):
            if option:
                monkeypatch.delenv(f"RAIA_AGENT_{option.upper()}", raising=False)
    for variable in SERVER_VARIABLES:
        monkeypatch.delenv(f"RAIA_AGENT_{variable.option.upper()}", raising=False)
    monkeypatch.delenv("RAIA_AGENT_BASE_URL", raising=False)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


def options_for(scheme: str, value: str) -> dict[str, str]:
    """The client options that hold `scheme`'s credential (a basic scheme's user name too)."""
    cred = BY_SCHEME[scheme]
    return {cred.option: value, **({cred.user_option: USER} if cred.user_option else {})}


def every_option(value: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for cred in CREDENTIALS:
        found |= options_for(cred.scheme, value)
    return found


def call(client: Raia | AsyncRaia, name: str, flavour: str) -> Any:
    """OPERATIONS[name] through `client`: its parsed result, or the RawResponse for "raw"."""
    resource, method = name.split(".")
    target = getattr(client, resource)
    if flavour.endswith("raw"):
        target = target.with_raw_response
    result = getattr(target, method)(**ARGS.get(name, {}))
    if isinstance(client, AsyncRaia):

        async def run() -> Any:
            async with client:
                return await result

        return asyncio.run(run())
    return result


def make(flavour: str, **options: Any) -> Raia | AsyncRaia:
    cls = AsyncRaia if flavour == "async" else Raia
    client: Raia | AsyncRaia = cls(**options)
    return client


def credential_parts(request: httpx.Request) -> dict[str, str]:
    """What of `request` carries a credential: its credential headers and credential query parameters."""
    names = {c.param.lower() for c in CREDENTIALS if c.kind != "query"}
    found = {k.lower(): v for k, v in request.headers.items() if k.lower() in names}
    found |= {f"?{k}": v for k, v in request.url.params.items() if k in {c.param for c in CREDENTIALS}}
    return found


def expected_parts(op: Operation[Any], held: set[str], value: str) -> dict[str, str]:
    """What the first alternative of `op` whose schemes are all held sends; {} when it needs none."""
    for alternative in op.security or ():
        if set(alternative) <= held:
            parts: dict[str, str] = {}
            for scheme in alternative:
                cred = BY_SCHEME[scheme]
                if cred.kind == "header":
                    parts[cred.param.lower()] = value
                elif cred.kind == "query":
                    parts[f"?{cred.param}"] = value
                elif cred.kind == "bearer":
                    parts["authorization"] = f"Bearer {value}"
                else:
                    parts["authorization"] = "Basic " + base64.b64encode(f"{USER}:{value}".encode()).decode()
            return parts
    return {}


def mock(seen: list[httpx.Request], flavour: str) -> httpx.Client | httpx.AsyncClient:
    """An httpx client answering each operation's documented success body, recording each request."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        op = next(o for o in OPERATIONS.values() if o.method == request.method and o.path == request.url.path)
        return httpx.Response(op.success, json=success_body(op, **({"conversationMessageId": MESSAGE_ID, "userId": USER_ID, "voteType": "up", "question": "q"} if op.params else {})))  # fmt: skip

    transport = httpx.MockTransport(answer)
    return httpx.AsyncClient(transport=transport) if flavour == "async" else httpx.Client(transport=transport)


HELD = [[c.scheme] for c in CREDENTIALS] + [[c.scheme for c in CREDENTIALS]]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("name", list(OPERATIONS))
@pytest.mark.parametrize("held", HELD, ids="+".join)
def test_each_call_sends_exactly_the_first_alternative_the_client_holds(
    name: str, held: list[str], flavour: str
) -> None:
    """Over MockTransport: the headers and query carry exactly what the operation's first held
    alternative asks for, nothing for `security: []`, and a call the client holds nothing for
    raises before any request, naming the options to give."""
    op = OPERATIONS[name]
    options: dict[str, str] = {}
    for scheme in held:
        options |= options_for(scheme, TOKEN)
    seen: list[httpx.Request] = []
    client = make(flavour, base_url="https://api.example.test", http_client=mock(seen, flavour), **options)
    expected = expected_parts(op, set(held), TOKEN)
    if op.security and not expected:
        with pytest.raises(RaiaError) as caught:
            call(client, name, flavour)
        assert not seen
        for alternative in op.security:
            assert any(BY_SCHEME[s].option in str(caught.value) for s in alternative), str(caught.value)
        assert TOKEN not in str(caught.value)
        return
    call(client, name, flavour)
    assert len(seen) == 1
    assert credential_parts(seen[0]) == expected


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_client_without_credentials_calls_what_needs_none(server: LocalServer, flavour: str) -> None:
    """With no credential at all the client is built, and the operations needing none answer."""
    assert OPEN_OPERATIONS
    for name in OPEN_OPERATIONS:
        result = call(make(flavour, base_url=server.base_url), name, flavour)
        assert result is not None


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("name", list(OPERATIONS))
@pytest.mark.parametrize("scheme", list(BY_SCHEME))
def test_every_operation_answers_the_right_credential_of_each_scheme(
    server: LocalServer, name: str, scheme: str, flavour: str
) -> None:
    """Against local_server(): a client holding one scheme's right credential is served where that
    scheme (or nothing) is an alternative, and told which options are missing elsewhere."""
    op = OPERATIONS[name]
    client = make(flavour, base_url=server.base_url, **options_for(scheme, server.secret_key))
    if op.security and [scheme] not in [list(alt) for alt in op.security]:
        with pytest.raises(RaiaError, match="needs credentials"):
            call(client, name, flavour)
        return
    result = call(client, name, flavour)
    if flavour == "raw":
        assert result.status_code == op.success


def _refusals() -> Iterator[tuple[str, str, str]]:
    for name, op in OPERATIONS.items():
        for alternative in op.security or ():
            for scheme in alternative:
                for how in ("missing", "wrong"):
                    yield name, scheme, how


@pytest.mark.parametrize(("name", "scheme", "how"), list(_refusals()))
def test_the_server_refuses_a_missing_or_wrong_credential_with_the_documented_status(
    server: LocalServer, name: str, scheme: str, how: str
) -> None:
    """No credential gets the documented 401 (else 403); a wrong one the documented 403 (else 401);
    the body is the documented one, and the wrong value is never echoed."""
    op = OPERATIONS[name]
    statuses = set(op.replies)
    if how == "missing":
        wanted = 401 if 401 in statuses else 403
        options: dict[str, str] = {}
    else:
        wanted = 403 if 403 in statuses or 401 not in statuses else 401
        options = options_for(scheme, "wrong-" + TOKEN)
    # A client refuses to call without credentials: its request is built with all, then stripped.
    held = every_option(server.secret_key) if how == "missing" else options
    sender = Raia(base_url=server.base_url, max_retries=0, **held)
    request = sender._build(sender._http, op, dict(ARGS.get(name, {})), sender._options)
    if how == "missing":
        for cred in CREDENTIALS:
            if cred.kind == "query":
                request.url = request.url.copy_remove_param(cred.param)
            else:
                request.headers.pop(cred.param, None)
    # The pool may be httpx2's (its extra installed): copy the request into httpx's own type.
    plain = httpx.Request(
        request.method, str(request.url), headers=request.headers.raw, content=request.read()
    )
    with httpx.Client() as http:
        response = http.send(plain)
    assert response.status_code == wanted, response.text
    assert "wrong-" not in response.text
    reply = op.replies.get(wanted)
    if reply is not None and reply.schema is not None:
        assert Validator(reply.schema).is_valid(response.json()), response.text
    if how == "wrong":
        with pytest.raises(AuthenticationError if wanted == 401 else PermissionDeniedError):
            call(sender, name, "sync")


def test_a_malformed_basic_credential_is_refused() -> None:
    """Basic credentials that are not base64, or lack the colon, are refused, not read as no credential."""
    basic = [c for c in CREDENTIALS if c.kind == "basic"]
    name = next(
        n
        for n, op in OPERATIONS.items()
        if op.security and any(c.scheme in alt for alt in op.security for c in basic)
    )
    op = OPERATIONS[name]
    with local_server() as running, httpx.Client(base_url=running.base_url) as http:
        for value in ("Basic %%%", "Basic " + base64.b64encode(running.secret_key.encode()).decode()):
            response = http.request(op.method, op.path, headers={"Authorization": value})
            assert response.status_code in (401, 403), value


def test_region_picks_the_server_and_is_checked_against_the_enum() -> None:
    """A server variable is an option: its default gives the spec's default URL, another value the
    other host, a value outside the enum a ValueError naming the option; base_url still wins."""
    variable = SERVER_VARIABLES[0]
    default = Raia(secret_key="k")
    other = next(value for value in variable.enum if value != variable.default)
    moved = Raia(secret_key="k", **{variable.option: other})
    assert variable.default in default.base_url and other in moved.base_url
    assert default.base_url != moved.base_url
    assert default.with_options(**{variable.option: other}).base_url == moved.base_url
    assert (
        Raia(secret_key="k", base_url="http://127.0.0.1:9", **{variable.option: other}).base_url
        == "http://127.0.0.1:9"
    )
    with pytest.raises(ValueError, match=variable.option):
        Raia(secret_key="k", **{variable.option: "nowhere"})


def test_region_and_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """RAIA_AGENT_<OPTION> supplies each credential and server variable left out."""
    variable = SERVER_VARIABLES[0]
    other = next(value for value in variable.enum if value != variable.default)
    bearer = next(c for c in CREDENTIALS if c.kind == "bearer")
    monkeypatch.setenv(f"RAIA_AGENT_{variable.option.upper()}", other)
    monkeypatch.setenv(f"RAIA_AGENT_{bearer.option.upper()}", TOKEN)
    client = Raia()
    assert other in client.base_url
    assert client._options.credentials == {bearer.option: TOKEN}


def test_no_credential_reaches_a_repr_an_error_or_a_log(caplog: pytest.LogCaptureFixture) -> None:
    """Key, token, basic password and query key: absent from repr, refused-value errors and debug logs."""
    secrets = {c.option: f"s3cret-{c.option}" for c in CREDENTIALS}
    options = {**secrets, **{c.user_option: USER for c in CREDENTIALS if c.user_option}}
    seen: list[httpx.Request] = []
    client = Raia(base_url="https://api.example.test", http_client=mock(seen, "sync"), **options)
    logger = logging.getLogger("raia_agent")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        for name in OPERATIONS:
            call(client, name, "sync")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    text = stream.getvalue() + repr(client) + repr(client._options)
    assert "api.example.test" in text
    encoded = [base64.b64encode(f"{USER}:{v}".encode()).decode() for v in secrets.values()]
    for value in [*secrets.values(), *encoded]:
        assert value not in text
    for cred in CREDENTIALS:
        with pytest.raises(ValueError, match=cred.option) as caught:
            Raia(**{cred.option: "bad\nvalue"})
        assert "bad" not in str(caught.value)


def test_an_unknown_option_is_a_type_error_naming_it() -> None:
    """A misspelt option fails at construction, listing the options this API has."""
    with pytest.raises(TypeError, match="bearer_tokn"):
        Raia(secret_key="k", **{"bearer_tokn": "t"})  # type: ignore[arg-type]


def _cli(*args: str, env: dict[str, str] | None = None) -> Any:
    from click.testing import CliRunner

    from raia_agent._cli import main

    return CliRunner().invoke(main, list(args), env={"RAIA_AGENT_SECRET_KEY": "", **(env or {})})


def _command(name: str) -> list[str]:
    resource, method = name.split(".")
    return [resource, method.replace("_", "-")]


def _cli_args(name: str) -> list[str]:
    flags = {
        "conversation_message_id": MESSAGE_ID, "user_id": USER_ID, "vote_type": "up", "question": "q",
    }  # fmt: skip
    return [f"--{k.replace('_', '-')}={flags[k]}" for k in ARGS.get(name, {})]


def _flags_for(scheme: str, folder: Any, value: str) -> list[str]:
    """The command line giving `scheme`'s credential: a --<option>-file (never the value itself)."""
    cred = BY_SCHEME[scheme]
    path = folder / f"{cred.option}.txt"
    path.write_text(value + "\n", encoding="utf-8")
    flag = "--secret-key-file" if cred.option == "secret_key" else f"--{cred.option.replace('_', '-')}-file"
    users = [f"--{cred.user_option.replace('_', '-')}", USER] if cred.user_option else []
    return [flag, str(path), *users]


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_the_cli_reaches_each_operation_with_each_credential_from_a_file(
    server: LocalServer, name: str, tmp_path: Any
) -> None:
    """Each operation's command answers with the credential of each of its alternatives given as a
    file; the secret is never on the command line nor in the output; an operation needing none
    answers with none, and one needing some says which flags and variables to set, exit 2."""
    op = OPERATIONS[name]
    base = ["--base-url", server.base_url]
    if not op.security:
        result = _cli(*_command(name), *base, "--json")
        assert result.exit_code == 0, result.output
        return
    for alternative in op.security:
        flags = [f for scheme in alternative for f in _flags_for(scheme, tmp_path, server.secret_key)]
        assert server.secret_key not in flags
        result = _cli(*_command(name), *_cli_args(name), *flags, *base, "--json")
        assert result.exit_code == 0, result.output
        assert server.secret_key not in result.output
    refused = _cli(*_command(name), *_cli_args(name), *base)
    assert refused.exit_code == 2, refused.output
    for alternative in op.security:
        for scheme in alternative:
            assert f"RAIA_AGENT_{BY_SCHEME[scheme].option.upper()}" in refused.output


def test_the_cli_takes_a_region_from_the_enum_only() -> None:
    """--region offers the spec's values (click refuses another, exit 2, before any request)."""
    variable = SERVER_VARIABLES[0]
    open_op = next(iter(OPEN_OPERATIONS))
    result = _cli(*_command(open_op), f"--{variable.option}", "nowhere")
    assert result.exit_code == 2
    assert all(value in result.output for value in variable.enum)


DOCUMENTED = [name for name, op in OPERATIONS.items() if op.headers]


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("name", DOCUMENTED)
def test_documented_response_headers_are_typed_on_the_raw_response(name: str, flavour: str) -> None:
    """Over MockTransport: each documented header reads as its type (an integer as int); a value not
    of that type, or an absent header, reads None while `.headers` keeps the text as sent."""
    op = OPERATIONS[name]
    samples = {"integer": ("42", 42), "number": ("1.5", 1.5), "boolean": ("true", True), "string": ("x", "x")}
    for sent, wanted in [
        ({h.name: samples[h.kind][0] for h in op.headers}, {h.python: samples[h.kind][1] for h in op.headers}),
        ({h.name: "not-a-value" for h in op.headers if h.kind != "string"}, {h.python: None for h in op.headers if h.kind != "string"}),
        ({}, {h.python: None for h in op.headers}),
    ]:  # fmt: skip

        def answer(request: httpx.Request, sent: dict[str, str] = sent) -> httpx.Response:
            return httpx.Response(op.success, json=success_body(op, **_echo(op)), headers=sent)

        transport = httpx.MockTransport(answer)
        http = (
            httpx.AsyncClient(transport=transport)
            if flavour == "async"
            else httpx.Client(transport=transport)
        )
        client = make(flavour, base_url="https://api.example.test", http_client=http, **every_option(TOKEN))
        raw = call(client, name, "raw" if flavour == "sync" else flavour + "-raw")
        assert {k: getattr(raw.typed_headers, k) for k in wanted} == wanted
        for header_name, text in sent.items():
            assert raw.headers[header_name] == text


def _echo(op: Operation[Any]) -> dict[str, Any]:
    return (
        {"conversationMessageId": MESSAGE_ID, "userId": USER_ID, "voteType": "up", "question": "q"}
        if op.params
        else {}
    )


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("name", DOCUMENTED)
def test_the_local_server_sends_each_documented_header_typed(
    server: LocalServer, name: str, flavour: str
) -> None:
    """local_server() answers each documented header with a value of its type."""
    op = OPERATIONS[name]
    client = make(flavour, base_url=server.base_url, **every_option(server.secret_key))
    raw = call(client, name, "raw" if flavour == "sync" else flavour + "-raw")
    types = {"integer": int, "number": float, "boolean": bool, "string": str}
    for header in op.headers:
        assert isinstance(getattr(raw.typed_headers, header.python), types[header.kind]), header
