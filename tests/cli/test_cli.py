"""The raia-agent command line against the local server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from raia_agent._cli import INSTALL_HINT, _fields
from raia_agent._cli._send import command as send_command
from raia_agent.testing import LocalServer
from tests.support.cli_helpers import (
    RAIA_AGENT,
    env_for,
    hide_modules_env,
    invoke,
    rows,
    run_inline,
)

SEND = ["feedback", "send", "--conversation-message-id", str(uuid.uuid4()), "--user-id", str(uuid.uuid4()),
        "--vote", "up", "--question", "Is it on?"]  # fmt: skip


# send ----------------------------------------------------------------------------------------


def test_send_prints_the_stored_feedback(server: LocalServer) -> None:
    """send prints the stored feedback as a table, or JSON with --json; exit 0."""
    table = invoke(server, *SEND)
    assert table.exit_code == 0, table.output
    assert "voteType" in table.output
    assert "Is it on?" in table.output
    as_json = invoke(server, *SEND, "--json", "--comment", "yes")
    assert as_json.exit_code == 0
    body = json.loads(as_json.stdout)
    assert body["comment"] == "yes"
    assert body["createdAt"] != body["updatedAt"], "the second send updated the same feedback"


def test_send_reads_the_key_from_a_file(server: LocalServer, tmp_path: Path) -> None:
    """--secret-key-file supplies the key."""
    key_file = tmp_path / "key"
    key_file.write_text(server.secret_key + "\n")
    result = invoke(None, *SEND, "--secret-key-file", str(key_file), "--base-url", server.base_url)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("setup", "args", "code", "message"),
    [
        ("none", ["--user-id", "not-a-uuid"], 2, "user_id"),
        ("wrong-key", [], 3, "INVALID_CREDENTIALS"),
        ("500", [], 4, "Internal Server Error"),
        ("502", [], 4, "502 Bad Gateway"),
        ("closed-port", [], 5, "Connection error"),
        ("no-key", [], 2, "RAIA_AGENT_SECRET_KEY"),
    ],
)
def test_send_exit_codes(server: LocalServer, setup: str, args: list[str], code: int, message: str) -> None:
    """Each error class has its exit code and one clear line on stderr, without a traceback."""
    env = env_for(server)
    if setup == "wrong-key":
        env["RAIA_AGENT_SECRET_KEY"] = "wrong"
    elif setup in {"500", "502"}:
        server.fail_next(setup, times=10)  # type: ignore[arg-type]
    elif setup == "closed-port":
        with __import__("socket").socket() as probe:
            probe.bind(("127.0.0.1", 0))
            env["RAIA_AGENT_BASE_URL"] = f"http://127.0.0.1:{probe.getsockname()[1]}"
    elif setup == "no-key":
        env["RAIA_AGENT_SECRET_KEY"] = ""
    result = run_inline(None, *SEND, *args, env=env)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert server.secret_key not in result.stderr + result.stdout


def test_send_debug_shows_the_traceback(server: LocalServer) -> None:
    """--debug adds the traceback."""
    result = invoke(server, *SEND, "--user-id", "bad", "--debug")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr


def test_send_options_follow_the_request_schema() -> None:
    """One --kebab-case option per request property, required as the spec says, with its description
    and, for an enum, its values; --vote stays an alias of --vote-type."""
    help_text = " ".join(invoke(None, "feedback", "send", "--help").stdout.split())
    schema = _fields.request_schema()
    for name, prop in schema["properties"].items():
        option = "--" + _fields.python_name(name).replace("_", "-")
        assert option in help_text
        assert " ".join(prop["description"].split()) in help_text
        for value in prop.get("enum", []):
            assert value in help_text
    required = [o for o in send_command().params if getattr(o, "required", False)]
    assert {p.name for p in required} == {_fields.python_name(n) for n in schema["required"]}
    assert "--vote-type, --vote" in help_text


def test_a_new_optional_field_and_enum_value_reach_send_without_an_edit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A spec with an extra optional property and an extra vote value shows both in send --help and accepts them."""
    schema: dict[str, Any] = json.loads(json.dumps(_fields.request_schema()))
    # A name no spec would define, so that a vendor adding a real field cannot collide with it.
    schema["properties"]["zz_probe_stars"] = {"type": "integer", "description": "Stars from one to five."}
    schema["properties"]["voteType"]["enum"].append("neutral")
    monkeypatch.setattr(_fields, "request_schema", lambda: schema)
    command = send_command()

    help_text = CliRunner().invoke(command, ["--help"]).stdout
    assert "--zz-probe-stars INTEGER" in help_text
    assert "Stars from one to five." in help_text
    assert "neutral" in help_text
    parsed = command.make_context("send", [*SEND[2:], "--vote", "neutral", "--zz-probe-stars", "4"])
    assert parsed.params["vote_type"] == "neutral"
    assert parsed.params["zz_probe_stars"] == 4
    with pytest.raises(click.BadParameter, match="not a valid integer"):
        command.make_context("send", [*SEND[2:], "--zz-probe-stars", "four"])


def test_help_imports_only_the_command_line(tmp_path: Path) -> None:
    """`raia-agent --help` and `feedback --help` load the operation descriptions the command tree is
    built from, but no server, model, validator, progress bar or hand-written subcommand module."""
    probe = (
        "import json, sys\n"
        "import raia_agent\n"
        "before = set(sys.modules)\n"
        "from raia_agent._cli import main\n"
        "for args in (['--help'], ['feedback', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps({'added': sorted(set(sys.modules) - before), 'all': sorted(sys.modules)}), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    added = loaded["added"]
    assert "Commands:" in result.stdout
    heavy = ("uvicorn", "starlette", "raia_agent.testing", "raia_agent_api.models", "jsonschema_rs")
    if "httpx._main" not in loaded["all"]:
        heavy += ("rich",)
    assert [m for m in added if m.split(".")[0] in heavy or m.startswith(heavy)] == []
    assert "raia_agent_api.resources._operations" in added, "the command tree comes from the spec"
    assert {"raia_agent._cli._import", "raia_agent._cli._send", "raia_agent._cli._serve"}.isdisjoint(added)
    if "httpx._main" not in loaded["all"]:  # httpx loads its own CLI, rich.progress included, when it can
        assert "rich.progress" not in loaded["all"]


def test_without_click_the_command_says_which_extra_to_install(tmp_path: Path) -> None:
    """With click missing, the console script exits non-zero with one line naming raia-agent[cli]."""
    env = hide_modules_env(tmp_path / "hide", "click")
    result = subprocess.run(
        [RAIA_AGENT, "--help"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode != 0
    assert result.stderr.strip() == INSTALL_HINT
    assert "pip install 'raia-agent[cli]'" in INSTALL_HINT
    assert result.stdout == ""
    in_python = subprocess.run(
        [sys.executable, "-c", "import raia_agent; print(raia_agent.Raia.__name__)"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert in_python.stdout.strip() == "Raia", "the client itself does not need click"


def test_without_the_server_packages_serve_fails_in_one_line_and_feedback_works(tmp_path: Path) -> None:
    """With uvicorn and starlette missing, `serve` is one error line (exit 1); the feedback commands still run."""
    env = hide_modules_env(tmp_path / "hide", "uvicorn", "starlette")
    serve = subprocess.run(
        [RAIA_AGENT, "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert serve.returncode == 1
    assert serve.stderr.startswith("Error: raia-agent serve: ")
    assert len(serve.stderr.strip().splitlines()) == 1, serve.stderr
    send_help = subprocess.run([RAIA_AGENT, "feedback", "send", "--help"], env=env, capture_output=True,
                               text=True, timeout=60, check=False)  # fmt: skip
    assert send_help.returncode == 0, send_help.stderr
    assert "--conversation-message-id" in send_help.stdout


def test_serve_command_runs_the_server(tmp_path: Path) -> None:
    """raia-agent serve answers on the given port until stopped."""
    import httpx

    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([RAIA_AGENT, "serve", "--port", str(port), "--secret-key", "local-key",
                             "--db", str(tmp_path / "db.sqlite3")], stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/external/conversation-message-feedbacks",
                                      json=rows(1)[0], headers={"Agent-Secret-Key": "local-key"})  # fmt: skip
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert response.status_code == 201
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
    assert (tmp_path / "db.sqlite3").exists()
