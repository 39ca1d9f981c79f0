"""Issue 25 item 10: a generated name never shadows or stops anything; one rule renames it, and says so.

The spec is the frozen base (tests/specs/openapi.frozen.json) with a list operation tagged `serve`
(raia-agent's server command) whose query parameters are named like every call option a method takes
(`extra_headers`, `timeout`...), and a GET by id of the upsert's resource whose method is `send` (the
hand-written command beside it). It is generated with the frozen overlay and generator config, then used
through both clients and the installed `raia-agent`, against the local server on the same package.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli_helpers import wait_for
from tests.support.frozen import generate
from tests.support.vendor_updates.updates import BASE, COLLECTION, CONTROLLER, get_by_id, list_with_query
from tools.codegen.naming import Naming, check, shadow_notes
from tools.codegen.naming import rules as naming_rules

ROOT = Path(__file__).resolve().parents[2]
RAIA_AGENT = str(Path(sys.executable).parent / "raia-agent")
KEY = "sk-shadow"
TAG = "serve"
OPTIONS = sorted(naming_rules.CALL_OPTIONS)


def shadowing_spec() -> dict[str, Any]:
    """The frozen base with a list operation tagged `serve`, taking a string query parameter per call option."""
    spec: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    list_with_query(spec)
    get_by_id(spec)
    spec["paths"][COLLECTION + "/{id}"]["get"]["operationId"] = CONTROLLER + "send"
    op = spec["paths"][COLLECTION]["get"]
    op["tags"] = [TAG]
    for name in OPTIONS:
        op["parameters"].append(
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        )
    return spec


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(package parent, generate.sh's stderr): generation of the shadowing spec must succeed."""
    out = tmp_path_factory.mktemp("shadow") / "generated"
    result = generate(shadowing_spec(), out)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def resource() -> str:
    return naming_rules.unshadowed(TAG, naming_rules.TAKEN_BY_RESOURCES)


def test_the_rule_is_one_trailing_underscore_for_every_taken_name() -> None:
    """Every CLI command, client attribute and call option gets `_`; any other name is left as it is."""
    for name in [*naming_rules.TAKEN_BY_RESOURCES]:
        assert naming_rules.unshadowed(name, naming_rules.TAKEN_BY_RESOURCES) == name + "_"
    for name in [*naming_rules.TAKEN_BY_ARGUMENTS]:
        assert naming_rules.unshadowed(name, naming_rules.TAKEN_BY_ARGUMENTS) == name + "_"
    assert naming_rules.unshadowed("feedback", naming_rules.TAKEN_BY_RESOURCES) == "feedback"
    assert naming_rules.unshadowed("limit", naming_rules.TAKEN_BY_ARGUMENTS) == "limit"


def test_the_built_in_command_list_is_the_cli_s_own() -> None:
    """tools/ keeps raia-agent's own top-level commands without importing the CLI; they match."""
    from raia_agent._cli._main import main

    assert set(main.lazy) == naming_rules.CLI_COMMANDS  # type: ignore[attr-defined]


def test_every_option_a_generated_method_takes_is_reserved() -> None:
    """tools/ keeps the call options without importing the client: each option of each live method is in it."""
    import inspect

    from raia_agent_api.resources._operations import OPERATIONS

    from raia_agent import Raia

    client = Raia(secret_key=KEY)
    taken: set[str] = set()
    for name, op in OPERATIONS.items():
        group, method = name.split(".")
        params = inspect.signature(getattr(getattr(client, group), method)).parameters
        taken |= set(params) - {param.python for param in op.params}
    assert taken and taken <= naming_rules.CALL_OPTIONS


def test_a_tag_named_like_a_command_is_renamed_and_reported_not_refused() -> None:
    """Naming the shadowing spec passes its checks; the tag's resource is `serve_`, and a note says why."""
    naming, _ = Naming.load(ROOT / "tests" / "specs" / "generator.frozen.yaml")
    spec = shadowing_spec()
    check(naming, spec)
    assert naming.resource_name(TAG) == TAG + "_"
    [note] = shadow_notes(naming, spec)
    assert (
        note == f"note: tag {TAG!r} is the resource {TAG}_: {TAG} is the built-in command `raia-agent {TAG}`"
    )


def test_generation_reports_every_rename_on_stderr(generation: tuple[Path, str]) -> None:
    """generate.sh succeeds and prints one note for the resource and one per renamed parameter."""
    _, stderr = generation
    notes = [line for line in stderr.splitlines() if line.startswith("note: ") and " is the " in line]
    assert any(f"tag {TAG!r} is the resource {resource()}" in note for note in notes), stderr
    for name in OPTIONS:
        assert any(f"query parameter {name!r} is the argument {name}_: " in note for note in notes), stderr
    assert any("is the command `raia-agent feedback send_`: send is the hand-written" in n for n in notes), (
        stderr
    )


SNIPPET = """
import asyncio, json, sys
import httpx
from raia_agent import AsyncRaia, Raia
from raia_agent.testing import local_server

OPTIONS = json.loads(sys.argv[1])
seen = []
given = {f"{name}_": f"v-{name}" for name in OPTIONS}

with local_server() as server:
    hooks = {"request": [seen.append]}
    with Raia(secret_key=server.secret_key, base_url=server.base_url,
              http_client=httpx.Client(event_hooks=hooks)) as client:
        client.RESOURCE.list_feedbacks(**given, extra_headers={"X-Probe": "sync"}, timeout=30)

    async def record(request):
        seen.append(request)

    async def main():
        async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url,
                             http_client=httpx.AsyncClient(event_hooks={"request": [record]})) as client:
            await client.RESOURCE.list_feedbacks(**given, extra_headers={"X-Probe": "async"}, max_retries=0)

    asyncio.run(main())
print(json.dumps([{"query": dict(r.url.params), "probe": r.headers.get("x-probe")} for r in seen]))
"""


def test_renamed_arguments_reach_the_wire_beside_the_call_options(generation: tuple[Path, str]) -> None:
    """Raia and AsyncRaia: `extra_headers_="v"` is the query parameter extra_headers, while the call
    option extra_headers= still sends its header, against the local server."""
    out, _ = generation
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(out), str(ROOT / "src")])}
    result = subprocess.run(
        [sys.executable, "-c", SNIPPET.replace("RESOURCE", resource()), json.dumps(OPTIONS)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    requests = json.loads(result.stdout)
    assert [r["probe"] for r in requests] == ["sync", "async"]
    for request in requests:
        assert {name: request["query"].get(name) for name in OPTIONS} == {n: f"v-{n}" for n in OPTIONS}


@pytest.fixture(scope="module")
def cli_env(generation: tuple[Path, str]) -> Iterator[dict[str, str]]:
    """`raia-agent serve` on the generated package, and the environment of a CLI that calls it."""
    out, _ = generation
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(out), str(ROOT / "src")])}
    log = out.parent / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen([RAIA_AGENT, TAG, "--port", "0", "--secret-key", KEY], env=env, stderr=sink)
    try:
        wait_for(lambda: "Ctrl-C to stop" in log.read_text() or server.poll() is not None, "the server")
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", log.read_text())
        assert match, f"`raia-agent {TAG}` is no longer the server:\n{log.read_text()}"
        yield {**env, "RAIA_AGENT_SECRET_KEY": KEY, "RAIA_AGENT_BASE_URL": match.group(1)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RAIA_AGENT, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_renamed_resource_is_a_command_and_serve_stays_the_server(cli_env: dict[str, str]) -> None:
    """`raia-agent --help` lists both `serve` and `serve_`; `serve_ list-feedbacks` with every renamed
    option calls the API (the server above was started by `raia-agent serve`)."""
    listing = cli(cli_env, "--help")
    assert {TAG, resource()} <= set(listing.stdout.split()), listing.stdout
    options = [arg for name in OPTIONS for arg in (f"--{name.replace('_', '-')}-", f"v-{name}")]
    listed = cli(cli_env, resource(), "list-feedbacks", *options, "--json")
    assert listed.returncode == 0, listed.stderr
    assert "items" in json.loads(listed.stdout)


def test_a_generated_command_named_like_a_hand_written_one_is_offered_with_the_rule(
    cli_env: dict[str, str],
) -> None:
    """`feedback send` stays the hand-written upsert, and the generated GET by id named `send` is
    `feedback send_`: a feedback sent by the first is fetched by the second."""
    listing = cli(cli_env, "feedback", "--help")
    assert {"send", "send_", "import"} <= set(listing.stdout.split()), listing.stdout
    ids = ["--conversation-message-id", str(uuid.uuid4()), "--user-id", str(uuid.uuid4())]
    sent = cli(cli_env, "feedback", "send", *ids, "--vote", "up", "--question", "Q", "--json")
    assert sent.returncode == 0, sent.stderr
    feedback = json.loads(sent.stdout)["id"]
    found = cli(cli_env, "feedback", "send_", "--id", feedback, "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["id"] == feedback


def test_the_hand_written_command_list_is_the_cli_s_own() -> None:
    """tools/ keeps the upsert resource's hand-written commands without importing the CLI; they match."""
    from raia_agent._cli._main import UPSERT_COMMANDS

    assert set(UPSERT_COMMANDS) == naming_rules.CLI_RESOURCE_COMMANDS
