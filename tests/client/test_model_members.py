"""Properties named like the generated model's own members (`cls`, `to_dict`...) get a `_` suffix and work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.frozen import BODY, RESPONSE, frozen_spec, generate, write_spec
from tools.codegen.naming import pynames

MEMBERS = ["cls", "additional_properties", "to_dict", "to_json", "from_dict", "d", "src_dict", "field_dict"]


@pytest.mark.parametrize("name", MEMBERS)
def test_a_property_named_like_a_model_member_gets_a_suffix(name: str) -> None:
    """The attribute for a property named like a model member is the name with `_`, by the generator's own rule."""
    assert pynames.attribute_name(name) == f"{name}_"
    assert pynames.attribute_name("vote") == "vote"


@pytest.fixture(scope="module")
def member_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated package's parent, with MEMBERS as request and response properties."""
    tmp = tmp_path_factory.mktemp("members")
    doc = frozen_spec()
    for schema in (BODY, RESPONSE):
        properties = doc["components"]["schemas"][schema]["properties"]
        properties.update({name: {"type": "string", "nullable": True} for name in MEMBERS})
    result = generate(write_spec(tmp / "openapi.json", doc), tmp / "out")
    assert result.returncode == 0, result.stderr
    return tmp / "out"


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_member_named_properties_round_trip_against_the_local_server(
    member_client: Path, flavour: str
) -> None:
    """Sent as `cls=...`, answered by local_server() and parsed: each value is on `model.cls_`, and to_dict() keeps the wire names."""
    out = member_client
    call = "c.feedback.create_or_update(conversation_message_id=MID, user_id=UID, vote_type='up', question='q', **values)"
    probe = f"""
import asyncio, json
from raia_agent import AsyncRaia, Raia
from raia_agent_api._spec import corrected_spec
from raia_agent.testing import local_server
MID, UID = "0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"
values = {{name: "value of " + name for name in {MEMBERS!r}}}
with local_server(spec=corrected_spec()) as server:
    if {flavour!r} == "sync":
        with Raia(secret_key=server.secret_key, base_url=server.base_url) as c:
            model = {call}
    else:
        async def main():
            async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url) as c:
                return await {call}
        model = asyncio.run(main())
print(json.dumps([{{name: getattr(model, name + "_") for name in values}}, model.to_dict(), model.additional_properties]))
"""
    ran = subprocess.run([sys.executable, "-c", probe], env={"PYTHONPATH": str(out)}, capture_output=True, text=True, check=False, timeout=120)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    attributes, wire, extra = json.loads(ran.stdout)
    expected = {name: f"value of {name}" for name in MEMBERS}
    assert attributes == expected
    assert {name: wire[name] for name in MEMBERS} == expected
    assert extra == {}
