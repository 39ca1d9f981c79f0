"""Issue 24's schema shapes on a frozen spec shaped like the vendor's published API (tests/specs/vendor_shapes/).

Each shape is called sync, async and raw against local_server() (tests/support/shapes_script.py), typed
(a mypy snippet accepted and one rejected per shape), reachable from the CLI where it reaches it,
and generated so that `make check` agrees with `make generate` (the integer enum).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.codegen.test_vendor_updates import BIN, package_env
from tests.support.frozen import SPECS, generate_frozen
from tests.support.typecheck import assert_marked, mypy_errors

pytestmark = pytest.mark.timeout(900)
VENDOR = SPECS / "vendor_shapes"
SCRIPT = Path(__file__).resolve().parents[1] / "support" / "shapes_script.py"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The vendor-shaped spec generated once (its own frozen overlay and generator config)."""
    return generate_frozen(
        VENDOR / "openapi.json",
        tmp_path_factory.mktemp("vendor_shapes") / "generated",
        overlay=VENDOR / "overlay.yaml",
        generator=VENDOR / "generator.yaml",
    )


def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((VENDOR / "openapi.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("flavour", ["sync", "async", "raw"])
def test_every_shape_is_served_with_its_meaning(generated: Path, flavour: str) -> None:
    """oneOf bodies, GET by id, counted lists, nullable fields, DELETE, readOnly/writeOnly, defaults, a map,
    nested children, a 202 job and a top-level array: each call holds against local_server()."""
    run = subprocess.run(
        [sys.executable, str(SCRIPT), flavour],
        env=package_env(generated),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-4000:]


SNIPPET = """\
from raia_agent import Raia
from raia_agent_api.models import Model

c = Raia(secret_key="k")
c.users.create(body={"email": "a@example.com", "firstName": "A"})
c.users.create(body={"phoneNumber": "+15550100"})
c.users.create(body=42)  # E: Argument "body" to "create" of "UsersResource" has incompatible type "int"
c.users.create(body={"mail": "a@example.com"})  # E: Argument "body" to "create" of "UsersResource"
c.agents.create(name="n", secret="s")
c.agents.create(name="n", secret="s", priority=3, metadata={"team": "a"}, instructions=None)
c.agents.create(name="n", secret="s", priority=4)  # E: expected "Literal[1, 2, 3]"
c.agents.create(name="n", secret="s", id="x")  # E: Unexpected keyword argument "id"
c.agents.create(name="n", secret="s", metadata={"team": 1})  # E: expected "str": "str"
c.users.update("u", last_name=None)
agent = c.agents.get("x")
level: int = agent.priority
secret: str = agent.secret  # E: expression has type "str | Unset"
models: list[Model] = c.models.list()
"""


def test_each_shape_is_typed_so_mypy_catches_a_wrong_call(generated: Path, tmp_path: Path) -> None:
    """A oneOf body takes its alternatives' models or TypedDicts only; readOnly is no argument; an integer
    enum, a map and a writeOnly reply field are typed; mypy --strict flags exactly the marked lines."""
    errors, output = mypy_errors(SNIPPET, tmp_path, generated=generated)
    assert_marked(SNIPPET, errors, output)


def test_the_generated_package_passes_what_make_check_runs(generated: Path) -> None:
    """mypy --strict, ruff check and ruff format --check (make check's steps for generated code) accept the
    package generated from a spec with integer enums in response models."""
    package = generated / "raia_agent_api"
    env = {**os.environ, "MYPYPATH": ""}
    typed = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--python-version", "3.11", "-p", package.name],
        cwd=generated,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert typed.returncode == 0, typed.stdout
    for command in (["check", "--select", "F,I,UP"], ["format", "--check"]):
        linted = subprocess.run(
            [str(BIN / "ruff"), command[0], "--isolated", "--no-cache", *command[1:], str(package)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert linted.returncode == 0, linted.stdout + linted.stderr
    integer_enums = [
        name
        for name, schema in _spec()["components"]["schemas"].items()
        for prop in (schema.get("properties") or {}).values()
        if prop.get("type") == "integer" and prop.get("enum")
    ]
    assert integer_enums, "the frozen spec lost its integer enum: this test would prove nothing"


def _cli(generated: Path, *commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Run each `raia-agent` command against one local_server() serving the generated package."""
    program = """
import json, os, subprocess, sys
from raia_agent.testing import local_server
with local_server() as server:
    env = {**os.environ, "RAIA_AGENT_SECRET_KEY": server.secret_key, "RAIA_AGENT_BASE_URL": server.base_url}
    out = []
    for args in json.loads(sys.argv[1]):
        done = subprocess.run([sys.argv[2], *args], env=env, capture_output=True, text=True, timeout=120)
        out.append([done.returncode, done.stdout, done.stderr])
print(json.dumps(out))
"""
    run = subprocess.run(
        [sys.executable, "-c", program, json.dumps(commands), str(BIN / "raia-agent")],
        env=package_env(generated),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return [
        subprocess.CompletedProcess(args, *done)
        for args, done in zip(commands, json.loads(run.stdout), strict=True)
    ]


def test_the_cli_takes_a_oneof_body_as_json_and_no_readonly_option(generated: Path) -> None:
    """`users create --body '<json>'` sends either alternative and refuses a body that matches none, before
    sending; `agents create` needs no --id, and a required field with a default may be left out."""
    phone, email, neither, agent = _cli(
        generated,
        ["users", "create", "--body", json.dumps({"phoneNumber": "+15550100"}), "--json"],
        ["users", "create", "--body", json.dumps({"email": "ada@example.com"}), "--json"],
        ["users", "create", "--body", json.dumps({"firstName": "neither"}), "--json"],
        ["agents", "create", "--name", "Helper", "--secret", "s3cret", "--json"],
    )
    assert phone.returncode == 0 and json.loads(phone.stdout)["phoneNumber"] == "+15550100", phone.stderr
    assert email.returncode == 0 and json.loads(email.stdout)["email"] == "ada@example.com", email.stderr
    assert neither.returncode != 0 and "users.create: body: " in neither.stderr and "oneOf" in neither.stderr
    assert agent.returncode == 0, agent.stderr
    made = json.loads(agent.stdout)
    declared = _spec()["components"]["schemas"]["AgentDTO"]["properties"]
    assert made["priority"] == declared["priority"]["default"] and "secret" not in made, made


NULLS_31 = """
import inspect, sys
from raia_agent import Raia
from raia_agent.testing import local_server
with local_server() as server, Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
    shown = str(inspect.signature(client.users.update).parameters["last_name"])
    assert shown == "last_name: 'str | None | NotGiven' = NOT_GIVEN", shown
    user = client.users.create(body={"email": "ada@example.com"})
    assert client.users.update(user.id, last_name="Lovelace").last_name == "Lovelace"
    assert client.users.update(user.id, first_name="Ada").last_name == "Lovelace"
    assert client.users.update(user.id, last_name=None).last_name is None
print("ok")
"""


def test_an_openapi_31_type_array_field_sends_null_as_a_30_nullable_one_does(tmp_path: Path) -> None:
    """With OpenAPI 3.1's `type: [string, "null"]` in place of 3.0's `nullable`, None sends null and
    leaving the argument out (NOT_GIVEN) omits it, against local_server()."""
    spec = _spec()
    spec["openapi"] = "3.1.0"
    spec["components"]["schemas"]["UpdateUserDTO"]["properties"]["lastName"] = {"type": ["string", "null"]}
    generated = generate_frozen(
        spec, tmp_path / "generated", overlay=VENDOR / "overlay.yaml", generator=VENDOR / "generator.yaml"
    )
    run = subprocess.run(
        [sys.executable, "-c", NULLS_31],
        env=package_env(generated),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]


DEFAULTS = """
import inspect, json
from raia_agent_api.resources.agents import AgentsResource
method = AgentsResource.create
shown = inspect.signature(method).parameters
print(json.dumps({"priority": shown["priority"].default, "doc": inspect.getdoc(method)}))
"""


def test_declared_defaults_are_shown_in_the_signature_and_the_docstring(generated: Path) -> None:
    """A required field's default is its signature's default (sent when not given); every declared default
    is named in the method's docstring."""
    run = subprocess.run(
        [sys.executable, "-c", DEFAULTS],
        env=package_env(generated),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    shown = json.loads(run.stdout)
    declared = _spec()["components"]["schemas"]["AgentDTO"]["properties"]
    assert shown["priority"] == declared["priority"]["default"]
    for name in ("priority", "temperature"):
        assert f"Default: {declared[name]['default']!r}" in shown["doc"], shown["doc"]


UNKNOWN_NUMBER = """
import asyncio, json, sys, uuid, warnings, httpx
from raia_agent import AsyncRaia, Raia
# (the vendor_shapes spec's reply, built in two steps so the literal-body scan, which reads every
# spec the suite runs against, does not take it for a body of theirs)
body = {"id": str(uuid.uuid4()), "priority": int(sys.argv[2])}
body.update(name="n", createdAt="2026-01-01T00:00:00Z")
def reply(request):
    return httpx.Response(200, json=body)
options = dict(secret_key="k", base_url="http://127.0.0.1:9", max_retries=0, strict_responses=False)
if sys.argv[1] == "async":
    async def main():
        async with AsyncRaia(**options, http_client=httpx.AsyncClient(transport=httpx.MockTransport(reply))) as c:
            return await c.agents.get(body["id"])
    agent = asyncio.run(main())
else:
    with Raia(**options, http_client=httpx.Client(transport=httpx.MockTransport(reply))) as c:
        agent = c.agents.get(body["id"])
print(json.dumps([agent.priority, type(agent.priority).__name__]))
"""


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_an_integer_enum_value_the_spec_does_not_list_is_kept_as_the_number(
    generated: Path, flavour: str
) -> None:
    """A vendor that answers a new integer enum value: the reply parses (forward-compatible) and the model
    holds the number received, as its `| int` type says."""
    listed = _spec()["components"]["schemas"]["AgentDTO"]["properties"]["priority"]["enum"]
    new = max(listed) + 1
    run = subprocess.run(
        [sys.executable, "-c", UNKNOWN_NUMBER, flavour, str(new)],
        env=package_env(generated),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout) == [new, "int"]
