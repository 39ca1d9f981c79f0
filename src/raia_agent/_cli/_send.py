"""`raia-agent feedback send`: one feedback, printed as stored. Its options follow the request schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import CLIError, connection_options, fail, printable, secret_key, setup_logging
from ._spec import Field, fields

# Short spellings kept for people and scripts that already use them; an alias whose
# property left the spec is simply not offered.
ALIASES = {"voteType": ["--vote"]}
RESERVED = {"json", "secret_key_file", "base_url", "debug", "help"}


if TYPE_CHECKING:
    _ParamType = click.ParamType[Any]
else:  # click before 8.2 has no generic ParamType
    _ParamType = click.ParamType


class JSONValue(_ParamType):
    """Arrays and objects are given as JSON text."""

    name = "json"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as exc:
            self.fail(f"not valid JSON: {exc}", param, ctx)


def _param_type(field: Field) -> click.ParamType[Any]:
    if field.choices:
        return click.Choice(field.choices)
    types = field.types
    if types <= {"string"}:
        return click.STRING
    if types <= {"integer"}:
        return click.INT
    if types <= {"number", "integer"}:
        return click.FLOAT
    if types <= {"boolean"}:
        return click.BOOL
    return JSONValue()


def _option(field: Field) -> Callable[[Any], Any]:
    names = [field.option, *ALIASES.get(field.json_name, []), field.python_name]
    return click.option(
        *names,
        required=field.required,
        default=None,
        type=_param_type(field),
        help=field.description or None,
    )


def command() -> click.Command:
    """Build `send` from the request schema: one --kebab-case option per property."""
    spec_fields = [field for field in fields() if field.python_name not in RESERVED]

    def send(
        as_json: bool, secret_key_file: Path | None, base_url: str | None, debug: bool, **values: Any
    ) -> None:
        setup_logging(debug)
        from .._client import Raia
        from .._exceptions import RaiaError

        try:
            key = secret_key(secret_key_file)
            with Raia(secret_key=key, base_url=base_url) as client:
                stored = client.feedback.create_or_update(**values)
        except (CLIError, RaiaError, ValueError, TypeError, OSError) as exc:
            fail(exc, debug)
        body = stored.to_dict()
        if as_json:
            click.echo(printable(json.dumps(body, indent=2)))
            return
        _print_table(body)

    for field in reversed(spec_fields):
        send = _option(field)(send)
    send = click.option("--json", "as_json", is_flag=True, help="Print the stored feedback as JSON.")(send)
    send = connection_options(send)
    return click.command("send", help="Create or update one feedback and print it.")(send)


def _print_table(body: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False, box=None)
    for key, value in body.items():
        table.add_row(f"[bold]{key}[/bold]", "" if value is None else printable(str(value)))
    Console().print(table)
