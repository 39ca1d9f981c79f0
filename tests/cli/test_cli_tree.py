"""Issue 15 item 11: `raia-agent <resource> <method> --<argument>` for every generated operation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from raia_agent._cli import main
from raia_agent._cli._fields import Field, operation_fields, operations
from raia_agent._cli._ops import command_name, resources
from raia_agent._cli._params import param_type
from raia_agent.testing import LocalServer
from tests.support.cli_helpers import run
from tests.support.frozen import ROOT, frozen_generator, frozen_spec, generate_frozen


def test_every_operation_is_a_command_with_an_option_per_argument() -> None:
    """Each operation of the generated descriptions is `<resource> <method>`, with one option per
    path, query, header and body argument, required as the spec says, and --json."""
    assert operations(), "no operation found"
    for name in operations():
        resource, _, method = name.partition(".")
        group = main.get_command(click.Context(main), resource)
        assert isinstance(group, click.Group), resource
        command = group.get_command(click.Context(group), command_name(method))
        assert command is not None, name
        options = {opt: param for param in command.params for opt in param.opts}
        assert "--json" in options
        for field in operation_fields(name):
            flag = next(o for o in options if o.lstrip("-").replace("-", "_").endswith(field.python_name))
            assert options[flag].required == field.required, (name, field.python_name)
            if field.choices:
                assert isinstance(options[flag].type, click.Choice)


def test_the_resource_help_lists_generated_and_hand_written_commands() -> None:
    """`feedback --help` lists send and import and every generated method of the resource."""
    listing = CliRunner().invoke(main, ["feedback", "--help"]).stdout
    expected = {"send", "import", *resources()["feedback"]}
    assert expected <= set(listing.split())


def test_a_generated_command_calls_the_api_and_prints_the_response(server: LocalServer) -> None:
    """`feedback create-or-update` validates its options, calls the API, and prints the stored feedback."""
    message, user = str(uuid.uuid4()), str(uuid.uuid4())
    args = ["feedback", "create-or-update", "--conversation-message-id", message, "--user-id", user,
            "--vote-type", "down", "--question", "Generated?"]  # fmt: skip
    result = run(server, *args, "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["conversationMessageId"] == message and body["voteType"] == "down"
    assert server.store.count() == 1
    table = run(server, *args)
    assert table.returncode == 0 and "Generated?" in table.stdout
    wrong = run(server, *args[:-4], "--vote-type", "sideways", "--question", "Q")
    assert wrong.returncode == 2 and "is not one of" in wrong.stderr
    bad = run(server, *args[:3], "42", *args[4:])
    assert bad.returncode == 2 and "conversation_message_id" in bad.stderr
    assert server.requests_received == 2


@pytest.mark.parametrize("schema", [{"type": "integer"}, {"type": "number"}])
@pytest.mark.parametrize("text", ["1_000", "\uff13", "\u0663", "nan", "1e999", "0x10"])
def test_an_integer_or_number_option_refuses_what_json_would_not_read(
    schema: dict[str, Any], text: str
) -> None:
    """click's INT and FLOAT take "1_000", fullwidth digits and "nan"; a numeric option is read as a CSV cell is."""
    option_type = param_type(Field("zzProbeField", "zz_probe_field", schema, required=False))
    with pytest.raises(click.BadParameter):
        option_type.convert(text, None, None)


@pytest.mark.parametrize(
    ("schema", "text", "value"), [({"type": "integer"}, " 42 ", 42), ({"type": "number"}, "-2.5e3", -2500.0)]
)
def test_an_integer_or_number_option_reads_decimal_notation(
    schema: dict[str, Any], text: str, value: Any
) -> None:
    """Plain decimal and exponent notation still convert."""
    assert (
        param_type(Field("zzProbeField", "zz_probe_field", schema, required=False)).convert(text, None, None)
        == value
    )


def test_a_json_option_naming_a_key_twice_is_refused() -> None:
    """An object option given as JSON with a repeated key is a usage error, not "the last one wins"."""
    option_type = param_type(Field("zzProbeField", "zz_probe_field", {"type": "object"}, required=False))
    with pytest.raises(click.BadParameter, match=r"names the key .*source.* twice"):
        option_type.convert('{"source": "a", "source": "b"}', None, None)
    assert option_type.convert('{"source": "a"}', None, None) == {"source": "a"}


NO_UPSERT_HELP = """
import sys
from raia_agent._cli import main
sys.argv = ["raia-agent", *sys.argv[1:]]
main()
"""


def test_a_config_naming_no_upsert_route_has_no_send_or_import_but_every_operation(tmp_path: Path) -> None:
    """Without server.upsert_keys (nor cli.upsert) the resource offers its generated commands only."""
    config = frozen_generator()
    (config.get("server") or {}).pop("upsert_keys", None)
    (tmp_path / "generator.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    generated = generate_frozen(frozen_spec(), tmp_path / "out", generator=tmp_path / "generator.yaml")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated), str(ROOT / "src")])}
    shown = {}
    for args in (["feedback", "--help"], ["feedback", "import", "rows.jsonl"]):
        shown[args[1]] = subprocess.run(
            [sys.executable, "-c", NO_UPSERT_HELP, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    listed = shown["--help"].stdout.split("Commands:")[1].split()
    assert shown["--help"].returncode == 0 and "create-or-update" in listed, shown["--help"].stdout
    assert "send" not in listed and "import" not in listed, listed
    assert shown["import"].returncode == 2 and "No such command 'import'" in shown["import"].stderr
