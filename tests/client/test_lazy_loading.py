"""Loading follows use: a sync call loads no async machinery, and a call only its operation's models."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from raia_agent.testing import LocalServer

SYNC_CALL = """
import json, sys
import httpx
before = set(sys.modules)  # what the HTTP library loads by itself (httpx < 0.28 loads sniffio)
from raia_agent import Raia
with Raia() as client:  # the key and URL from the environment: never on a command line
    client.feedback.create_or_update(conversation_message_id="0f8fad5b-d9cb-469f-a165-70867728950e",
        user_id="7c9e6679-7425-40de-944b-e07fc1f90ae7", vote_type="up", question="Q")
print(json.dumps([sorted(sys.modules), sorted(before)]))
"""


# The default sync pool is httpx's, or httpx2's when that extra is installed. httpcore2 imports sniffio
# at its own import (a library's choice, not a path of ours), so only there is sniffio allowed.
POOLS = {
    "httpx": ("import sys; sys.modules['httpx2'] = None  # a plain install\n", set()),
    "httpx2": ("", {"sniffio"}),
}


@pytest.mark.parametrize("pool", sorted(POOLS))
def test_a_sync_call_loads_neither_asyncio_nor_sniffio_nor_the_generated_client(
    server: LocalServer, pool: str
) -> None:
    """Raia's whole path, import to response, stays clear of the async machinery and the attrs client."""
    prefix, allowed = POOLS[pool]
    result = subprocess.run(
        [sys.executable, "-c", prefix + SYNC_CALL],
        env={
            **os.environ,
            "RAIA_AGENT_SECRET_KEY": server.secret_key,
            "RAIA_AGENT_BASE_URL": server.base_url,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    modules, library = json.loads(result.stdout)
    loaded = set(modules) - set(library)
    assert server.store.count() >= 1
    assert ("httpcore2" in loaded) == (pool == "httpx2")  # the pool the call went through
    assert "raia_agent_api.models.feedback" in loaded
    # aiohttp is a required dependency, for AsyncRaia's pool only: a sync call never loads it
    assert (
        not ({"asyncio", "sniffio", "raia_agent_api.client", "httpx_aiohttp", "aiohttp"} - allowed) & loaded
    )


def test_a_call_imports_only_the_models_its_operation_parses_into(server: LocalServer) -> None:
    """The generated models load on first use: a 201 loads Feedback and its enum, not the error models."""
    result = subprocess.run(
        [sys.executable, "-c", SYNC_CALL],
        env={
            **os.environ,
            "RAIA_AGENT_SECRET_KEY": server.secret_key,
            "RAIA_AGENT_BASE_URL": server.base_url,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    models = {name for name in json.loads(result.stdout)[0] if name.startswith("raia_agent_api.models.")}
    assert models == {"raia_agent_api.models.feedback", "raia_agent_api.models.feedback_vote_type"}
