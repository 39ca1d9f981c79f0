"""The generated command tree: `raia-agent <resource> <method> --<argument> ...` for every operation.

Built at run time from the generated operation descriptions, as the client's resources are, so an
operation the spec adds is a command after `make generate` with no edit here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from . import _replies
from ._common import CLIError, client_options, connection_options, fail, setup_logging, take_connection
from ._fields import operation_fields, operations
from ._params import options, print_result


def command_name(python: str) -> str:
    return python.replace("_", "-")


def resources() -> dict[str, dict[str, str]]:
    """resource -> command name -> operation name ("feedback.create_or_update")."""
    tree: dict[str, dict[str, str]] = {}
    for name in operations():
        resource, _, method = name.partition(".")
        tree.setdefault(resource, {})[command_name(method)] = name
    return tree


def _plain(value: Any) -> Any:
    """A parsed response as JSON values (models by their to_dict, which keeps the wire names)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def build(operation: str) -> click.Command:
    """The command for one operation: its arguments as options, its response printed."""
    op = operations()[operation]
    spec_fields = operation_fields(operation)
    spec_options = options(spec_fields)
    by_dest = {option.dest: option.field.python_name for option in spec_options}
    # as the generated method's signature does: a required field's declared default when not given
    defaults = {field.python_name: field.schema["default"] for field in spec_fields if field.sends_default}

    replies = _replies.kind(op)

    def call(
        as_json: bool,
        secret_key_file: Path | None,
        base_url: str | None,
        debug: bool,
        output: Path | None = None,
        **given: Any,
    ) -> None:
        setup_logging(debug)
        connection = take_connection(given)
        args = {**defaults, **{by_dest[dest]: value for dest, value in given.items() if value is not None}}
        from raia_runtime import NOT_GIVEN

        from .._client import Raia
        from .._exceptions import RaiaError

        try:
            spec_options = client_options(secret_key_file, connection, op)
            if replies == "binary":
                _replies.check_output(output)
            with Raia(base_url=base_url, **spec_options) as client:
                if replies == "binary":
                    return _replies.download(client, op, args, output)
                if replies == "events":
                    return _replies.print_events(client, op, args, as_json)
                raw = client._request(op, args, timeout=NOT_GIVEN, max_retries=None)
        except (CLIError, RaiaError, ValueError, TypeError, OSError) as exc:
            fail(exc, debug)
        if replies == "text":
            return _replies.print_text(raw.parsed)
        print_result(_plain(raw.parsed), as_json)

    for option in reversed(spec_options):
        call = option.decorator()(call)
    call = click.option("--json", "as_json", is_flag=True, help="Print the response as JSON.")(call)
    call = connection_options(call)
    if replies == "binary":
        call = _replies.output_option(call)
    summary = f"{op.method} {op.path}"
    return click.command(command_name(operation.partition(".")[2]), help=summary, short_help=summary)(call)
