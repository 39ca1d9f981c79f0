"""Responses that are not JSON, over the frozen vendor-shaped spec tests/specs/vendor_media_out: generated
with no hand edit, called sync, async and raw, typed, served, on the command line and in `make diff`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from raia_spec import event_schema, media_of, operations
from tests.support.frozen import FROZEN_SPEC, ROOT, env, generate, write_spec
from tests.support.media_out import GENERATOR, OVERLAY, SPEC, SUITES, generated, run_suite
from tests.support.typecheck import assert_marked, mypy_errors


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory.mktemp("media_out"))


@pytest.mark.timeout(1800)  # a test module in a subprocess: minutes on a loaded machine, not a hang
@pytest.mark.parametrize("suite", SUITES, ids=[suite.stem for suite in SUITES])
def test_binary_text_and_event_replies_behave_against_the_server_and_a_vendor_like_transport(
    package: Path, suite: Path
) -> None:
    """media_out_suite.py (local_server(), the CLI) and media_out_vendor.py (a vendor-like transport, a
    stream's life) pass against the package generated from the frozen spec."""
    result = run_suite(package, suite)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


def _spec_with(media: str, status: str = "200") -> dict[str, Any]:
    """The frozen spec with the binary download's `status` reply documented as `media` only."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    op = operation_of_route(spec, "binary")
    op["responses"][status] = {"description": "x", "content": {media: {"schema": {"type": "string"}}}}
    return spec


def operation_of_route(spec: dict[str, Any], kind: str) -> dict[str, Any]:
    """The first operation of the raw spec whose success the media rule reads as `kind`."""
    for _, _, op in operations(spec):
        content = (op["responses"].get("200") or {}).get("content") or {}
        chosen = media_of(content, spec)
        if chosen is not None and chosen[1] == kind:
            return op
    raise LookupError(kind)


def test_a_success_the_client_cannot_return_fails_generation_in_one_line(tmp_path: Path) -> None:
    """An application/xml success stops generation with one line naming the route, the method and the status."""
    result = generate(_spec_with("application/xml"), tmp_path / "out", OVERLAY, generator=GENERATOR)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "application/xml" in line]
    assert len(lines) == 1, result.stderr
    assert "GET /external/agent-files/{fileId}/download" in lines[0] and "the 200 response" in lines[0]
    assert "client.agent_files.download" in lines[0]
    assert "object at 0x" not in result.stderr
    assert not (tmp_path / "out" / "raia_agent_api").exists()


def test_an_error_reply_of_any_media_type_still_generates(tmp_path: Path) -> None:
    """A 404 documented as application/xml is read as an error body: generation goes on."""
    result = generate(_spec_with("application/xml", "404"), tmp_path / "out", OVERLAY, generator=GENERATOR)
    assert result.returncode == 0, result.stderr


ACCEPTED = """\
from raia_agent import Raia, AsyncRaia
from raia_agent.streaming import AsyncStream, BinaryResponse, ServerSentEvent, Stream
from raia_agent_api.models import ReplyDeltaEvent


def use(client: Raia, file_id: str, conversation_id: str) -> None:
    data: bytes = client.agent_files.download(file_id).content
    summary: str = client.conversations.get_summary(conversation_id)
    stream: Stream[ServerSentEvent[ReplyDeltaEvent]] = client.conversations.stream_reply(conversation_id, message="hi")
    for event in stream:
        delta: str = event.json().delta
        name: str = event.event
    with client.agent_files.with_streaming_response.download(file_id) as response:
        for chunk in response.iter_bytes():
            size: int = len(chunk)
        whole: BinaryResponse = response.parse()
    raw: str = client.conversations.with_raw_response.get_summary(conversation_id).parse()


async def ause(client: AsyncRaia, conversation_id: str) -> None:
    stream: AsyncStream[ServerSentEvent[ReplyDeltaEvent]] = await client.conversations.stream_reply(conversation_id, message="hi")
    async for event in stream:
        delta: str = event.json().delta
    async with client.agent_files.with_streaming_response.download(conversation_id) as response:
        async for chunk in response.iter_bytes():
            size: int = len(chunk)
"""

REJECTED = """\
from raia_agent import Raia


def use(client: Raia, file_id: str, conversation_id: str) -> None:
    data: dict[str, str] = client.agent_files.download(file_id)  # E: Incompatible types in assignment
    summary: bytes = client.conversations.get_summary(conversation_id)  # E: Incompatible types in assignment
    for event in client.conversations.stream_reply(conversation_id, message="hi"):
        number: int = event.json().delta  # E: Incompatible types in assignment
    client.conversations.stream_reply(conversation_id)  # E: Missing named argument "message"
"""


@pytest.mark.parametrize("snippet", [ACCEPTED, REJECTED], ids=["accepted", "rejected"])
def test_binary_text_and_event_replies_are_typed(package: Path, tmp_path: Path, snippet: str) -> None:
    """mypy --strict accepts the documented uses and refuses a wrong type for each shape."""
    errors, output = mypy_errors(snippet, tmp_path, generated=package)
    assert_marked(snippet, errors, output)


@pytest.mark.timeout(1800)
def test_make_diff_names_the_new_calls_and_passes_when_every_body_can_be_returned() -> None:
    """Against the frozen base spec, the report names each new call as callers write it; not breaking."""
    result = diff_with(SPEC)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = result.stdout.split("<details>", 1)[0]
    for name in (
        "client.conversations.stream_reply()",
        "client.agent_files.download()",
        "client.conversations.get_summary()",
    ):
        assert f"`{name}`" in summary, summary
    assert "Verdict: not breaking" in result.stdout


@pytest.mark.timeout(1800)
def test_make_diff_fails_when_a_body_cannot_be_returned(tmp_path: Path) -> None:
    """A new operation whose success the client cannot return fails the report, naming it, instead of passing."""
    result = diff_with(write_spec(tmp_path / "xml.json", _spec_with("application/xml")))
    assert result.returncode == 2
    assert "does not generate" in result.stderr and "client.agent_files.download" in result.stderr
    assert "application/xml" in result.stderr


def diff_with(new: Path) -> subprocess.CompletedProcess[str]:
    """make diff OLD=<frozen base> NEW=<new>, with the media spec's overlay and generator config."""
    command = [sys.executable, "-m", "tools.apidiff", "--old", str(FROZEN_SPEC), "--new", str(new)]
    command += ["--overlay", str(OVERLAY), "--allow-breaking"]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env(new, OVERLAY, GENERATOR),
        capture_output=True,
        text=True,
        check=False,
        timeout=1500,
    )


@pytest.mark.parametrize(
    ("media", "schema", "kind"),
    [
        ("application/json", {}, "json"),
        ("application/problem+json", {}, "json"),
        ("text/event-stream", {"type": "string"}, "events"),
        ("application/octet-stream", {}, "binary"),
        ("application/pdf", {}, "binary"),
        ("image/png", {}, "binary"),
        ("application/x-custom", {"type": "string", "format": "binary"}, "binary"),
        ("text/plain; charset=utf-8", {"type": "string"}, "text"),
        ("text/csv", {"type": "string"}, "text"),
        ("application/xml", {"type": "string"}, None),
        ("*/*", {}, None),
    ],
)
def test_each_media_type_is_read_as_one_kind(media: str, schema: dict[str, Any], kind: str | None) -> None:
    """The one media rule: JSON, events, binary (by type or `format: binary`), text, or nothing the client returns."""
    chosen = media_of({media: {"schema": schema}}, {})
    assert (chosen[1] if chosen else None) == kind


def test_json_wins_when_a_reply_offers_it_beside_another_type() -> None:
    """A reply documenting JSON and PDF is read as JSON, whichever comes first."""
    chosen = media_of({"application/pdf": {}, "application/json": {"schema": {}}}, {})
    assert chosen is not None and chosen[:2] == ("application/json", "json")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"x-item-schema": {"$ref": "#/components/schemas/Delta"}}, {"$ref": "#/components/schemas/Delta"}),
        (
            {
                "itemSchema": {
                    "type": "object",
                    "properties": {"event": {}, "data": {"contentSchema": {"type": "integer"}}},
                }
            },
            {"type": "integer"},
        ),
        ({"itemSchema": {"type": "object", "properties": {"data": {"type": "string"}}}}, None),
        ({"schema": {"type": "string"}}, None),
    ],
    ids=["extension", "openapi-3.2-content-schema", "text-data", "none"],
)
def test_the_event_schema_comes_from_item_schema_or_its_extension(
    value: dict[str, Any], expected: Any
) -> None:
    """OpenAPI 3.2's itemSchema (an event whose data declares contentSchema) or x-item-schema types the data."""
    spec = {
        "components": {"schemas": {"Delta": {"type": "object", "properties": {"delta": {"type": "string"}}}}}
    }
    assert event_schema(value, spec) == expected
