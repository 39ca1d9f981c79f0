"""Binary, text and event-stream replies through Raia and AsyncRaia, against local_server() and a vendor-like
MockTransport. Run by tests/client/test_media_out.py with `raia_agent_api` generated from
tests/specs/vendor_media_out (this module is not collected on its own)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from raia_agent import AsyncRaia, Raia
from raia_agent.streaming import AsyncStream, BinaryResponse, ServerSentEvent, Stream
from raia_agent.testing import local_server
from raia_agent.testing._answers import EVENTS
from tests.support.cli_helpers import RAIA_AGENT
from tests.support.media_out import arguments, method, operation_of

KEY = "sk-media-out-secret-0123456789"
BASE = "https://vendor.test"
FLAVOURS = ["sync", "async"]


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    with local_server() as running:
        yield running


def _models_of(op: Any) -> Any:
    from raia_agent_api import models

    return getattr(models, op.replies[op.success].model)


# ---- against local_server() -------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("raw", [False, True], ids=["parsed", "raw"])
async def test_a_binary_download_returns_its_bytes(server: Any, flavour: str, raw: bool) -> None:
    """A binary reply is a BinaryResponse holding every byte the server sent, sync, async and raw."""
    op = operation_of("binary")
    how = "with_raw_response" if raw else ""
    if flavour == "sync":
        with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
            result = method(client, op, how)(**arguments(op))
    else:
        async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url) as aclient:
            result = await method(aclient, op, how)(**arguments(op))
    binary = result.parse() if raw else result
    assert isinstance(binary, BinaryResponse)
    assert binary.content and binary.status_code == op.success and binary.request_id
    assert int(binary.headers["content-length"]) == len(binary.content)
    assert b"".join(binary.iter_bytes(7)) == binary.content


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("raw", [False, True], ids=["parsed", "raw"])
async def test_a_text_reply_returns_str(server: Any, flavour: str, raw: bool) -> None:
    """A text/plain reply is the decoded str, never None, sync, async and raw."""
    op = operation_of("text")
    how = "with_raw_response" if raw else ""
    if flavour == "sync":
        with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
            result = method(client, op, how)(**arguments(op))
    else:
        async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url) as aclient:
            result = await method(aclient, op, how)(**arguments(op))
    text = result.parse() if raw else result
    assert isinstance(text, str) and text
    if raw:
        assert text == result.http_response.content.decode(result.http_response.charset_encoding or "utf-8")


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("raw", [False, True], ids=["parsed", "raw"])
async def test_an_event_stream_yields_typed_events_one_by_one(server: Any, flavour: str, raw: bool) -> None:
    """An event stream yields each event (id, data, .json() built into the spec's model), sync, async and raw."""
    op = operation_of("events")
    model = _models_of(op)
    how = "with_raw_response" if raw else ""
    events: list[ServerSentEvent[Any]] = []
    request_id: str | None = None
    if flavour == "sync":
        with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
            result = method(client, op, how)(**arguments(op))
            stream = result.parse() if raw else result
            assert isinstance(stream, Stream)
            request_id = stream._request_id  # the local server names every response
            events = list(stream)
    else:
        async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url) as aclient:
            result = await method(aclient, op, how)(**arguments(op))
            astream = result.parse() if raw else result
            assert isinstance(astream, AsyncStream)
            request_id = astream._request_id
            events = [event async for event in astream]
    assert [event.id for event in events] == [str(n) for n in range(1, EVENTS + 1)]
    assert all(event.event == "message" and isinstance(event.json(), model) for event in events)
    assert isinstance(request_id, str) and request_id  # the stream carries its response's id, as a model does


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_with_streaming_response_writes_a_download_to_a_file(
    server: Any, flavour: str, tmp_path: Path
) -> None:
    """with_streaming_response streams a download into a file; the ordinary call returns the same bytes."""
    op = operation_of("binary")
    args = arguments(op)
    target = tmp_path / "download.bin"
    if flavour == "sync":
        with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
            with method(client, op, "with_streaming_response")(**args) as response:
                assert response.status_code == op.success
                response.write_to_file(target)
            whole = method(client, op)(**args).content
    else:
        async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url) as aclient:
            async with method(aclient, op, "with_streaming_response")(**args) as aresponse:
                await aresponse.write_to_file(target)
            whole = (await method(aclient, op)(**args)).content
    assert target.read_bytes() == whole


# ---- the command line --------------------------------------------------------------------------


def _cli(server: Any, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The installed raia-agent script (its stdout a pipe), against the server."""
    env = {**os.environ, "RAIA_AGENT_SECRET_KEY": server.secret_key, "RAIA_AGENT_BASE_URL": server.base_url}
    return subprocess.run([RAIA_AGENT, *args], env=env, capture_output=True, check=False, timeout=120)


def _command(op: Any, args: dict[str, Any] | None = None) -> list[str]:
    """The command and options calling an operation with `args` (arguments(op) when not given)."""
    resource, _, name = op.name.partition(".")
    words = [resource, name.replace("_", "-")]
    for python, value in (args or arguments(op)).items():
        words += [f"--{python.replace('_', '-')}", value]
    return words


def test_the_cli_writes_a_binary_reply_to_output_or_to_a_pipe(server: Any, tmp_path: Path) -> None:
    """`--output PATH` gets the body's bytes; without it, piped stdout gets the same bytes; both are the client's."""
    op = operation_of("binary")
    args = arguments(op)
    command = _command(op, args)
    target = tmp_path / "file.bin"
    written = _cli(server, *command, "--output", str(target))
    assert written.returncode == 0, written.stderr
    assert written.stdout == b""
    piped = _cli(server, *command)
    assert piped.returncode == 0, piped.stderr
    assert target.read_bytes() == piped.stdout and piped.stdout
    with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
        assert method(client, op)(**args).content == piped.stdout


def test_the_cli_prints_a_text_reply_as_text(server: Any) -> None:
    """A text reply prints as the text itself, not JSON."""
    op = operation_of("text")
    args = arguments(op)
    result = _cli(server, *_command(op, args))
    assert result.returncode == 0, result.stderr
    with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
        assert result.stdout.decode() == method(client, op)(**args) + "\n"


def test_the_cli_prints_an_event_stream_event_by_event(server: Any) -> None:
    """Each event is a line: its data, or with --json the event (id, event, data) as JSON."""
    op = operation_of("events")
    plain = _cli(server, *_command(op))
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.decode().splitlines()
    assert len(lines) == EVENTS and all(json.loads(line) for line in lines)
    as_json = _cli(server, *_command(op), "--json")
    assert as_json.returncode == 0, as_json.stderr
    events = [json.loads(line) for line in as_json.stdout.decode().splitlines()]
    assert [event["id"] for event in events] == [str(n) for n in range(1, EVENTS + 1)]
    assert [event["data"] for event in events] == lines


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_with_streaming_response_parses_a_json_reply_into_its_model(server: Any, flavour: str) -> None:
    """Every operation has the streaming flavour: `.parse()` of a JSON reply is what the ordinary call returns."""
    op = operation_of("json")
    from raia_agent_api import models

    model = getattr(models, op.replies[op.success].model)
    args = arguments(op)
    if flavour == "sync":
        client = Raia(secret_key=server.secret_key, base_url=server.base_url)
        with client, method(client, op, "with_streaming_response")(**args) as response:
            status, parsed = response.status_code, response.parse()
    else:
        aclient = AsyncRaia(secret_key=server.secret_key, base_url=server.base_url)
        async with aclient, method(aclient, op, "with_streaming_response")(**args) as aresponse:
            status, parsed = aresponse.status_code, await aresponse.parse()
    assert status == op.success
    assert isinstance(parsed, model)
