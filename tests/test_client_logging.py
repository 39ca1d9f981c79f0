"""Debug logging of every attempt, and RAIA_AGENT_LOG values the client does not know."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Any

import pytest

from raia_agent import AsyncRaia, Raia
from raia_agent._logging import LEVELS
from raia_agent.testing import LocalServer
from tests._server_helpers import MESSAGE_ID, USER_ID

ARGS: dict[str, Any] = {
    "conversation_message_id": MESSAGE_ID,
    "user_id": USER_ID,
    "vote_type": "up",
    "question": "Q",
}


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_retried_call_logs_the_request_line_of_every_attempt(
    flavour: str, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """At debug level, a call answered 500 then 201 logs two request lines and two response lines."""
    server.fail_next("500", times=1)
    with caplog.at_level(logging.DEBUG, logger="raia_agent"):
        if flavour == "sync":
            with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
                client.feedback.create_or_update(**ARGS)
        else:
            async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url) as aclient:
                await aclient.feedback.create_or_update(**ARGS)
    lines = [r.getMessage() for r in caplog.records if r.name == "raia_agent"]
    url = f"{server.base_url}/external/conversation-message-feedbacks"
    requests = [line for line in lines if line.startswith(f"POST {url} headers=")]
    responses = [line for line in lines if line.startswith(f"POST {url} -> ")]
    assert len(requests) == 2
    assert all('"question":"Q"' in line and "[REDACTED]" in line for line in requests)
    assert [line.split(" -> ")[1].split()[0] for line in responses] == ["500", "201"]
    order = [
        "request" if " headers=" in line else line.split(" -> ")[1].split()[0]
        for line in lines
        if url in line
    ]
    assert order == ["request", "500", "request", "201"]
    assert not any(server.secret_key in line for line in lines)


def run_with_log_level(value: str) -> subprocess.CompletedProcess[str]:
    script = (
        "import raia_agent\n"
        "for _ in range(3):\n"
        "    raia_agent.Raia(secret_key='sk-x').close()\n"
        "    raia_agent.AsyncRaia(secret_key='sk-x')\n"
        "print('ok')\n"
    )
    env = {**os.environ, "RAIA_AGENT_LOG": value}
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False, timeout=120
    )


@pytest.mark.parametrize("value", ["verbose", "trace", "1"])
def test_an_unknown_log_level_warns_once_naming_the_accepted_ones(value: str) -> None:
    """RAIA_AGENT_LOG=verbose (say) is not ignored silently: one warning line lists debug, info, warning, error."""
    result = run_with_log_level(value)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr
    warnings = [line for line in result.stderr.splitlines() if "RAIA_AGENT_LOG" in line]
    assert len(warnings) == 1, result.stderr
    assert f"RAIA_AGENT_LOG={value!r}" in warnings[0]
    assert all(level in warnings[0] for level in LEVELS)


@pytest.mark.parametrize("value", ["", "debug", "INFO", " Warning ", "error"])
def test_a_known_log_level_or_none_warns_nothing(value: str) -> None:
    """The accepted levels, in any case, and an empty value raise no warning."""
    result = run_with_log_level(value)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr
    assert "is not a level" not in result.stderr
