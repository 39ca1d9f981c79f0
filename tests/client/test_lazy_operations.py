"""Operation descriptions load per resource: a call imports its resource's modules and models, no other's."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from raia_agent import AsyncRaia, PermissionDeniedError, Raia
from raia_agent.testing import LocalServer, local_server
from tests.support.frozen import frozen_spec, generate_frozen
from tests.support.server_helpers import MESSAGE_ID, USER_ID
from tools.synth_spec import synthesize

PACKAGE = "raia_agent_api"
WIDGET_ID = "5b0d7a0e-8f4e-4d0b-9a51-8a3a2b3a6c11"
# One call of client.widget_b_resources; then what the process loaded from the generated package.
CALL = """
import asyncio, json, sys
from raia_agent import AsyncRaia, Raia

async def call_async():
    async with AsyncRaia() as client:
        return await client.widget_b_resources.get_widget_b0(sys.argv[2])

if sys.argv[1] == "async":
    found = asyncio.run(call_async())
else:
    with Raia() as client:  # the key and URL from the environment: never on a command line
        found = client.widget_b_resources.get_widget_b0(sys.argv[2])
print(json.dumps([type(found).__name__, sorted(m for m in sys.modules if m.startswith("raia_agent_api"))]))
"""


@pytest.fixture(scope="module")
def three_resources(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The frozen spec plus six synthetic operations over three more tags, generated; its corrected spec."""
    out = generate_frozen(synthesize(frozen_spec(), 7, 3), tmp_path_factory.mktemp("lazy") / "gen")
    corrected: dict[str, Any] = runpy.run_path(str(out / PACKAGE / "_spec.py"))["corrected_spec"]()
    return out, corrected


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_call_imports_only_its_resources_description_module_and_the_models_it_parses_into(
    three_resources: tuple[Path, dict[str, Any]], flavour: str
) -> None:
    """client.widget_b_resources.get_widget_b0 loads widget_b's resource and _ops modules only, and its reply's models."""
    out, corrected = three_resources
    resources = sorted(path.stem for path in (out / PACKAGE / "resources").glob("_ops_*.py"))
    assert resources == ["_ops_feedback", *(f"_ops_widget_{x}_resources" for x in "abc")]
    with local_server(spec=corrected) as server:
        ran = subprocess.run(
            [sys.executable, "-c", CALL, flavour, WIDGET_ID],
            env={
                **os.environ,
                "PYTHONPATH": str(out),
                "RAIA_AGENT_SECRET_KEY": server.secret_key,
                "RAIA_AGENT_BASE_URL": server.base_url,
            },
            capture_output=True,
            text=True,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr
        assert server.requests_handled == 1
    parsed, loaded = json.loads(ran.stdout)
    assert parsed == "WidgetB0Response"
    resource_modules = {m for m in loaded if m.startswith(f"{PACKAGE}.resources.")}
    assert resource_modules == {
        f"{PACKAGE}.resources._operations",
        f"{PACKAGE}.resources._ops_widget_b_resources",
        f"{PACKAGE}.resources.widget_b_resources",
    }
    models = {m.removeprefix(f"{PACKAGE}.models.") for m in loaded if m.startswith(f"{PACKAGE}.models.")}
    assert "widget_b0_response" in models
    assert all(m.startswith("widget_b0_response") for m in models), models


def test_the_index_answers_names_without_loading_any_description(
    three_resources: tuple[Path, dict[str, Any]],
) -> None:
    """Listing OPERATIONS (as the CLI's command tree does) or a client's dir() loads no resource module;
    a lookup loads its own description module only."""
    out, _ = three_resources
    probe = """
import json, sys
from raia_agent_api.resources._operations import OPERATIONS
names = list(OPERATIONS)
from raia_agent import Raia
listed = [name for name in dir(Raia(secret_key="k", base_url="http://127.0.0.1:9")) if name.startswith("widget")]
before = sorted(m for m in sys.modules if m.startswith("raia_agent_api.resources."))
op = OPERATIONS["widget_c_resources.list_widget_c0"]
after = sorted(m for m in sys.modules if m.startswith("raia_agent_api.resources."))
print(json.dumps([names, listed, before, after, op.name, "widget_a_resources.nope" in OPERATIONS]))
"""
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(out)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    names, listed, before, after, name, missing = json.loads(ran.stdout)
    assert len(names) == 7 and "feedback.create_or_update" in names
    assert listed == [f"widget_{x}_resources" for x in "abc"]
    assert before == [f"{PACKAGE}.resources._operations"]
    assert after == [f"{PACKAGE}.resources._operations", f"{PACKAGE}.resources._ops_widget_c_resources"]
    assert name == "widget_c_resources.list_widget_c0"
    assert missing is False


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_copy_builds_its_own_resources_after_the_original_has_used_them(
    server: LocalServer, flavour: str
) -> None:
    """with_options after a call: the copy's resource sends the copy's key, not the original's."""
    args = {"conversation_message_id": MESSAGE_ID, "user_id": USER_ID, "vote_type": "up", "question": "Q"}
    if flavour == "sync":
        with Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as client:
            assert client.feedback.create_or_update(**args).question == "Q"
            wrong = client.with_options(secret_key="sk-wrong-0123456789")
            assert wrong.feedback is not client.feedback
            with pytest.raises(PermissionDeniedError):
                wrong.feedback.create_or_update(**args)
    else:
        async with AsyncRaia(
            secret_key=server.secret_key, base_url=server.base_url, max_retries=0
        ) as aclient:
            assert (await aclient.feedback.create_or_update(**args)).question == "Q"
            awrong = aclient.with_options(secret_key="sk-wrong-0123456789")
            assert awrong.feedback is not aclient.feedback
            with pytest.raises(PermissionDeniedError):
                await awrong.feedback.create_or_update(**args)
    assert server.requests_handled == 2
