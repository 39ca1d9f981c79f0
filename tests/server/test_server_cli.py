"""`raia-agent serve`, run as a user runs it (issue 10, items 12 and 13)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from raia_agent.testing import FAULT_KINDS, local_server
from tests.support.server_helpers import request_body

RAIA_AGENT = str(Path(sys.executable).parent / "raia-agent")
PATH = "/external/conversation-message-feedbacks"
KEY = "sk-serve-test"


def env() -> dict[str, str]:
    return {**os.environ, "RAIA_AGENT_SECRET_KEY": KEY}


@pytest.fixture
def busy_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_serve_on_a_busy_port_exits_2_with_one_line_and_no_announcement(busy_port: int) -> None:
    """A port in use is found before anything is announced: one error line naming it, exit 2."""
    result = subprocess.run(
        [RAIA_AGENT, "serve", "--port", str(busy_port)],
        capture_output=True, text=True, timeout=60, env=env(), check=False,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f":{busy_port}" in lines[0] and "in use" in lines[0]
    assert "server on" not in result.stderr


def test_serve_applies_its_body_limit() -> None:
    """`serve --body-limit 1kb` answers a 2 KiB body with Express's 413; --port 0 announces the port it got."""
    with subprocess.Popen(
        [RAIA_AGENT, "serve", "--port", "0", "--body-limit", "1kb"],
        stderr=subprocess.PIPE, text=True, env=env(),
    ) as proc:  # fmt: skip
        try:
            assert proc.stderr is not None
            announced = re.search(r"http://127\.0\.0\.1:\d+", proc.stderr.readline())
            assert announced, "no address announced"
            headers = {"Agent-Secret-Key": KEY}
            small = httpx.post(announced.group() + PATH, json=request_body(), headers=headers, timeout=10)
            assert small.status_code == 201
            big = httpx.post(
                announced.group() + PATH, json=request_body(comment="x" * 2048), headers=headers, timeout=10
            )
            assert big.status_code == 413
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)


def test_serve_refuses_a_malformed_body_limit() -> None:
    """A --body-limit that is not a size is a usage error (exit 2) naming the option."""
    result = subprocess.run(
        [RAIA_AGENT, "serve", "--port", "0", "--body-limit", "lots"],
        capture_output=True, text=True, timeout=60, env=env(), check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--body-limit" in result.stderr


def test_serve_offers_every_fault_kind() -> None:
    """`serve --fail` lists the same kinds as raia_agent.testing (the command keeps its own copy)."""
    from raia_agent._cli._serve import FAULTS, serve

    fail = next(p for p in serve.params if p.name == "fault")
    assert tuple(fail.type.choices) == FAULTS == FAULT_KINDS  # type: ignore[attr-defined]


LOG_LINE = re.compile(r"(GET|POST) (\S+) (\d{3}|-) (\d+\.\d)ms (\S+)")


def test_serve_access_log_prints_one_line_per_request_and_never_a_key() -> None:
    """`serve --access-log`: method, path, status, ms and request id per request; no key, right or wrong."""
    wrong = "sk-wrong-canary-1234"
    with subprocess.Popen(
        [RAIA_AGENT, "serve", "--port", "0", "--access-log"],
        stderr=subprocess.PIPE, text=True, env=env(),
    ) as proc:  # fmt: skip
        try:
            assert proc.stderr is not None
            announced = re.search(r"http://127\.0\.0\.1:\d+", proc.stderr.readline())
            assert announced, "no address announced"
            base = announced.group()
            responses = [
                httpx.post(base + PATH, json=request_body(), headers={"Agent-Secret-Key": KEY}, timeout=10),
                httpx.post(base + PATH, json=request_body(), headers={"Agent-Secret-Key": wrong}, timeout=10),
                httpx.get(base + "/nowhere?key=" + KEY, headers={"Agent-Secret-Key": KEY}, timeout=10),
            ]
        finally:
            proc.send_signal(signal.SIGINT)
            _, rest = proc.communicate(timeout=30)
    lines = [line for line in rest.splitlines() if LOG_LINE.fullmatch(line)]
    expected = [
        ("POST", PATH, "201", responses[0].headers["x-request-id"]),
        ("POST", PATH, "403", responses[1].headers["x-request-id"]),
        ("GET", "/nowhere", "404", responses[2].headers["x-request-id"]),
    ]
    logged = [LOG_LINE.fullmatch(line).group(1, 2, 3, 5) for line in lines]  # type: ignore[union-attr]
    assert logged == expected, rest
    assert [r.status_code for r in responses] == [201, 403, 404]
    assert KEY not in rest and wrong not in rest


def test_serve_without_access_log_prints_no_request_lines() -> None:
    """Without --access-log, requests print nothing."""
    with subprocess.Popen(
        [RAIA_AGENT, "serve", "--port", "0"], stderr=subprocess.PIPE, text=True, env=env(),
    ) as proc:  # fmt: skip
        try:
            assert proc.stderr is not None
            announced = re.search(r"http://127\.0\.0\.1:\d+", proc.stderr.readline())
            assert announced, "no address announced"
            headers = {"Agent-Secret-Key": KEY}
            assert (
                httpx.post(announced.group() + PATH, json=request_body(), headers=headers).status_code == 201
            )
        finally:
            proc.send_signal(signal.SIGINT)
            _, rest = proc.communicate(timeout=30)
    assert not [line for line in rest.splitlines() if LOG_LINE.fullmatch(line)], rest


def test_the_servers_key_in_a_request_path_is_hidden_in_the_access_log() -> None:
    """A client that put the server's key in the path, as sent or percent-encoded, never gets it printed by the access log."""
    key = "sk-serve/path+key 1"
    lines: list[str] = []
    with local_server(secret_key=key, access_log=lines.append) as server:
        for spelled in (key.replace(" ", "%20"), quote(key, safe=""), quote(key, safe="").lower()):
            httpx.get(f"{server.base_url}/nowhere/{spelled}", timeout=10)
    assert len(lines) == 3, lines
    for line in lines:
        assert line.startswith("GET /nowhere/[REDACTED] 404 "), line
        assert "path+key" not in line and "path%2Bkey" not in line.lower()
