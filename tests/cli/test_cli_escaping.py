"""Issue 15 item 6: text from arguments, files and servers reaches the terminal as text, never as
rich markup or control sequences."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from raia_agent._cli._fields import Field
from raia_agent._cli._params import options
from raia_agent.testing import LocalServer
from tests.support.cli_helpers import csv_text, raw_http_server, rows, run_inline, write_jsonl

OSC_TITLE = "\x1b]0;owned\x07"
OSC_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
CSI_CLEAR = "\x1b[2J"
HOSTILE = f"{OSC_TITLE}{OSC_CLIPBOARD}{CSI_CLEAR}\x9b31m\u202e"


def send_args(**extra: str) -> list[str]:
    args = ["feedback", "send", "--conversation-message-id", str(uuid.uuid4()), "--user-id", str(uuid.uuid4()),
            "--vote", "up", "--question", "Q"]  # fmt: skip
    for name, value in extra.items():
        args += [f"--{name}", value]
    return args


def assert_no_controls(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x07\x9b\u202e"), repr(text)


@pytest.mark.parametrize("question", ["What does [/x] mean?", "[link=https://example.invalid]click[/link]",
                                      "[bold red]loud[/]"])  # fmt: skip
def test_markup_in_a_question_is_stored_and_printed_as_typed(server: LocalServer, question: str) -> None:
    """send --question with rich markup in it stores it and prints it literally, exit 0."""
    result = run_inline(server, *send_args(question=question))
    assert result.returncode == 0, result.stderr
    assert question in result.stdout
    assert "Traceback" not in result.stderr


def test_control_sequences_in_a_stored_value_are_escaped_in_the_table(server: LocalServer) -> None:
    """ESC/OSC/CSI/C1 and bidi controls in a value the server echoes are shown as escapes, not obeyed."""
    result = run_inline(server, *send_args(comment=HOSTILE))
    assert result.returncode == 0, result.stderr
    assert_no_controls(result.stdout)
    assert "\\x1b]52;c;cm0gLXJmIH4=\\x07" in result.stdout
    as_json = run_inline(server, *send_args(comment=HOSTILE), "--json")
    assert_no_controls(as_json.stdout)
    assert json.loads(as_json.stdout)["comment"] == HOSTILE


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"], ids=["LRM", "RLM", "ALM"])
def test_implicit_bidi_marks_in_a_stored_value_are_escaped_in_the_table(
    server: LocalServer, mark: str
) -> None:
    """The left-to-right, right-to-left and Arabic letter marks reorder what a terminal shows: printed as escapes."""
    result = run_inline(server, *send_args(comment=f"price 100{mark} USD"))
    assert result.returncode == 0, result.stderr
    assert mark not in result.stdout
    assert f"price 100\\u{ord(mark):04x} USD" in result.stdout


def test_a_server_message_is_one_escaped_error_line(tmp_path: Path) -> None:
    """A 400 whose message holds control sequences and newlines is printed as one line with them escaped."""
    body = json.dumps({"statusCode": 400, "message": f"bad{HOSTILE}\nsecond line", "error": "Bad Request"})
    response = (
        f"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {len(body.encode())}"
        f"\r\n\r\n{body}"
    ).encode()
    with raw_http_server(response) as url:
        result = run_inline(
            None, *send_args(), env={"RAIA_AGENT_SECRET_KEY": "sk-x", "RAIA_AGENT_BASE_URL": url}
        )
    assert result.returncode == 4, result.stderr
    assert_no_controls(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "\\x1b]0;owned\\x07" in result.stderr


def test_a_usage_error_quoting_the_argument_is_escaped(server: LocalServer) -> None:
    """click's own usage error, which quotes the bad argument, is printed with its controls escaped."""
    result = run_inline(server, *send_args(vote=HOSTILE))
    assert result.returncode == 2
    assert "is not one of" in result.stderr
    assert_no_controls(result.stderr)


def test_import_output_escapes_column_names_and_paths(server: LocalServer, tmp_path: Path) -> None:
    """An unknown column named with control sequences, and a file name holding them, are printed escaped."""
    records = [{**row, f"x{OSC_TITLE}": "1"} for row in rows(3)]
    path = tmp_path / f"in{CSI_CLEAR}.csv"
    path.write_text(csv_text(records))
    result = run_inline(server, "feedback", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "ignored column(s) not in the API: x\\x1b]0;owned\\x07" in result.stdout
    assert_no_controls(result.stdout + result.stderr)


def test_rejects_naming_markup_and_controls_are_escaped(server: LocalServer, tmp_path: Path) -> None:
    """Rejected rows whose reasons quote hostile values print nothing raw on the terminal."""
    bad = [{**row, "voteType": f"[red]{OSC_CLIPBOARD}"} for row in rows(2)]
    path = write_jsonl(tmp_path / "in.jsonl", bad)
    result = run_inline(server, "feedback", "import", str(path))
    assert result.returncode == 1
    assert_no_controls(result.stdout + result.stderr)


def test_a_spec_description_with_control_sequences_is_escaped_in_help() -> None:
    """A vendor's field description holding OSC 52 and a bidi override shows in --help as escapes."""
    described = Field(
        "zzProbeField", "zz_probe_field", {"type": "string", "description": f"evil {HOSTILE}"}, required=False
    )
    (option,) = options([described])
    command = click.command("probe")(option.decorator()(lambda **given: None))
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0, result.output
    assert_no_controls(result.output)
    assert "\\x1b]52;c;cm0gLXJmIH4=\\x07" in result.output
