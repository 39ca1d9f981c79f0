"""`raia-agent feedback send`: one feedback, printed as stored. Its options follow the request schema."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ._common import CLIError, client_options, connection_options, fail, setup_logging, take_connection
from ._fields import OPERATION, Field, bound, fields
from ._params import Option, options, print_result

__all__ = ["Option", "command", "options"]


def command(spec_fields: Sequence[Field] | None = None) -> click.Command:
    """Build `send` from the request schema: one --kebab-case option per property."""
    spec_options = options(fields() if spec_fields is None else spec_fields)
    by_dest = {option.dest: option.field.python_name for option in spec_options}

    def send(
        as_json: bool, secret_key_file: Path | None, base_url: str | None, debug: bool, **given: Any
    ) -> None:
        setup_logging(debug)
        connection = take_connection(given)
        values = {by_dest[dest]: value for dest, value in given.items()}
        from .._client import Raia
        from .._exceptions import RaiaError

        try:
            from raia_agent_api.resources._operations import OPERATIONS

            spec_options = client_options(secret_key_file, connection, OPERATIONS[OPERATION])
            with Raia(base_url=base_url, **spec_options) as client:
                stored = bound(client)(**values)
        except (CLIError, RaiaError, ValueError, TypeError, OSError) as exc:
            fail(exc, debug)
        print_result(stored.to_dict(), as_json)

    for option in reversed(spec_options):
        send = option.decorator()(send)
    send = click.option("--json", "as_json", is_flag=True, help="Print the stored feedback as JSON.")(send)
    send = connection_options(send)
    return click.command("send", help="Create or update one feedback and print it.")(send)
