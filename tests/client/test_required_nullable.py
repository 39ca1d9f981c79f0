"""A body field the spec makes required and nullable goes out as null when given None; generation says which."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.frozen import BODY, ROOT, frozen_spec, generate_frozen

# One call with answer=None over a mock transport; prints the JSON body that would have been sent.
CALL = """
import asyncio, json, sys, httpx
from raia_agent import AsyncRaia, Raia, BadRequestError
sent = []
def reply(request):
    sent.append(json.loads(request.content))
    return httpx.Response(500, json={})
args = dict(conversation_message_id=sys.argv[2], user_id=sys.argv[2], vote_type="up", question="q", answer=None)
base = dict(secret_key="k", base_url="http://127.0.0.1:9", max_retries=0)
if sys.argv[1] == "async":
    async def main():
        async with AsyncRaia(**base, http_client=httpx.AsyncClient(transport=httpx.MockTransport(reply))) as c:
            try: await c.feedback.create_or_update(**args)
            except Exception: pass
    asyncio.run(main())
else:
    with Raia(**base, http_client=httpx.Client(transport=httpx.MockTransport(reply))) as c:
        try: c.feedback.create_or_update(**args)
        except Exception: pass
print(json.dumps(sent))
"""
MESSAGE = "0b9d5d6c-3f0e-4d3a-9c8e-2f6a1e4b7c10"


def sent_by(generated: Path, flavour: str) -> list[Any]:
    """The JSON bodies the call in CALL sent, run over the GENERATED package (sync or async)."""
    env = {"PYTHONPATH": f"{generated}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-c", CALL, flavour, MESSAGE], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]
    sent: list[Any] = json.loads(run.stdout)
    return sent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen spec with its request body's `answer` made required and nullable."""
    spec = frozen_spec()
    body = spec["components"]["schemas"][BODY]
    body["properties"]["answer"]["nullable"] = True
    body["required"] = [*body["required"], "answer"]
    return generate_frozen(spec, tmp_path_factory.mktemp("nullable") / "generated")


def test_generation_marks_the_required_nullable_field_and_no_other(generated: Path) -> None:
    """The description's Param for `answer` has send_null=True; the other body fields do not."""
    text = "".join(p.read_text() for p in (generated / "raia_agent_api" / "resources").glob("_ops_*.py"))
    assert text.count("send_null=True") == 1, text
    assert re.search(
        r"""Param\(\s*["']answer["'],\s*["']answer["'],\s*["']body["'],\s*send_null=True""", text
    )


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_none_for_a_required_nullable_field_is_sent_as_null(generated: Path, flavour: str) -> None:
    """`answer=None` reaches the wire as `"answer": null`, the other fields as given."""
    sent = sent_by(generated, flavour)
    assert len(sent) == 1 and "answer" in sent[0] and sent[0]["answer"] is None, sent
    assert sent[0]["conversationMessageId"] == MESSAGE and sent[0]["voteType"] == "up", sent


@pytest.fixture(scope="module", params=["ref", "allOf"])
def generated_through_a_reference(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The frozen spec with `answer` required and nullable through a component: `$ref`, or `allOf: [$ref]`."""
    spec = frozen_spec()
    spec["components"]["schemas"]["NullableText"] = {"type": "string", "nullable": True}
    body = spec["components"]["schemas"][BODY]
    ref = {"$ref": "#/components/schemas/NullableText"}
    body["properties"]["answer"] = ref if request.param == "ref" else {"allOf": [ref]}
    body["required"] = [*body["required"], "answer"]
    return generate_frozen(spec, tmp_path_factory.mktemp(f"nullable-{request.param}") / "generated")


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_none_for_a_field_nullable_through_a_reference_is_sent_as_null(
    generated_through_a_reference: Path, flavour: str
) -> None:
    """A required field whose component is nullable (by `$ref` or `allOf`) is marked and its None sent as null."""
    text = (generated_through_a_reference / "raia_agent_api" / "resources" / "_ops_feedback.py").read_text()
    assert text.count("send_null=True") == 1, text
    sent = sent_by(generated_through_a_reference, flavour)
    assert len(sent) == 1 and "answer" in sent[0] and sent[0]["answer"] is None, sent
