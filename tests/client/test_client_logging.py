"""Debug logging of every attempt, bodies only on request, and RAIA_AGENT_LOG values the client does not know."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from raia_agent import AsyncRaia, Raia, _logging
from raia_agent._logging import LEVELS
from raia_agent.testing import LocalServer
from tests.support.server_helpers import CREATE_ARGS

ARGS = CREATE_ARGS


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_retried_call_logs_the_request_line_of_every_attempt(
    flavour: str, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """At debug level, a call answered 500 then 201 logs two request lines and two response lines, without bodies."""
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
    assert all("[REDACTED]" in line and "body=" not in line and '"question"' not in line for line in requests)
    assert [line.split(" -> ")[1].split()[0] for line in responses] == ["500", "201"]
    order = [
        "request" if " headers=" in line else line.split(" -> ")[1].split()[0]
        for line in lines
        if url in line
    ]
    assert order == ["request", "500", "request", "201"]
    assert not any(server.secret_key in line for line in lines)


PRIVATE = "my private question 41c7"  # user text: in a debug line only when bodies were asked for


async def logged_lines(flavour: str, server: LocalServer, caplog: pytest.LogCaptureFixture) -> list[str]:
    with caplog.at_level(logging.DEBUG, logger="raia_agent"):
        if flavour == "sync":
            with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
                client.feedback.create_or_update(**{**ARGS, "question": PRIVATE})
        else:
            async with AsyncRaia(secret_key=server.secret_key, base_url=server.base_url) as aclient:
                await aclient.feedback.create_or_update(**{**ARGS, "question": PRIVATE})
    return [r.getMessage() for r in caplog.records if r.name == "raia_agent"]


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_debug_lines_leave_request_and_response_bodies_out_by_default(
    flavour: str, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Without RAIA_AGENT_LOG_BODIES the request and response lines carry no body: bodies are user text."""
    lines = await logged_lines(flavour, server, caplog)
    assert len(lines) == 2 and " headers=" in lines[0] and " -> 201 " in lines[1], lines
    assert not any("body=" in line or PRIVATE in line for line in lines), lines


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_debug_lines_carry_redacted_bodies_when_asked(
    flavour: str, server: LocalServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RAIA_AGENT_LOG_BODIES=1 adds the request's and the response's body to their lines, the key hidden."""
    monkeypatch.setattr(_logging, "log_bodies", _logging.log_bodies)  # restored after the test
    monkeypatch.setenv("RAIA_AGENT_LOG_BODIES", "1")
    _logging.configure_from_env()
    lines = await logged_lines(flavour, server, caplog)
    request, response = lines
    assert " body=" in request and PRIVATE in request.split(" body=", 1)[1], request
    # the response body is the stored feedback, which echoes the question back
    assert " body=" in response and PRIVATE in response.split(" body=", 1)[1], response
    assert not any(server.secret_key in line for line in lines)


@pytest.mark.parametrize("bodies", ["", "1"])
def test_the_environment_alone_turns_debug_lines_and_their_bodies_on(
    server: LocalServer, bodies: str
) -> None:
    """RAIA_AGENT_LOG=debug logs to stderr without bodies; RAIA_AGENT_LOG_BODIES=1 adds them; never the key."""
    code = (
        "from raia_agent import Raia\n"
        f"Raia().feedback.create_or_update(**{{**{dict(ARGS)!r}, 'question': {PRIVATE!r}}})\n"
    )
    env = {
        **os.environ,
        "RAIA_AGENT_LOG": "debug",
        "RAIA_AGENT_LOG_BODIES": bodies,
        "RAIA_AGENT_SECRET_KEY": server.secret_key,
        "RAIA_AGENT_BASE_URL": server.base_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0 and "-> 201" in result.stderr, result.stderr
    assert (PRIVATE in result.stderr) == bool(bodies), result.stderr
    assert server.secret_key not in result.stderr + result.stdout


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


def test_an_unknown_bodies_value_warns_once_and_leaves_bodies_out() -> None:
    """RAIA_AGENT_LOG_BODIES=maybe is not read as a yes: one warning names the variable and the accepted values."""
    script = "import raia_agent\nraia_agent.Raia(secret_key='sk-x').close()\nprint(raia_agent._logging.log_bodies)\n"
    env = {**os.environ, "RAIA_AGENT_LOG_BODIES": "maybe"}
    env.pop("PYTHONWARNINGS", None)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False, timeout=120
    )
    assert result.returncode == 0 and result.stdout == "False\n", result.stderr
    warnings = [line for line in result.stderr.splitlines() if "RAIA_AGENT_LOG_BODIES" in line]
    assert len(warnings) == 1 and "'maybe'" in warnings[0] and "1/true/yes" in warnings[0], result.stderr
