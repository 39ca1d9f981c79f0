"""`raia-agent feedback send`: one feedback, printed as stored. Its options follow the request schema."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import CLIError, connection_options, fail, printable, secret_key, setup_logging
from ._spec import Field, fields

# Short spellings kept for people and scripts that already use them; an alias whose
# property left the spec, or that a property's own option now takes, is simply not offered.
ALIASES = {"voteType": ["--vote"]}
# The command's own options and their parameter names: a property that would take one
# gets `--body-` in front (`json` -> `--body-json`) instead of vanishing or clashing.
OWN_OPTIONS = {"--json", "--help", "--secret-key-file", "--base-url", "--debug"}
OWN_NAMES = {"as_json", "json", "help", "secret_key_file", "base_url", "debug"}


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


@dataclass(frozen=True)
class Option:
    """A property's option: its spellings, and the parameter click passes it as."""

    field: Field
    names: tuple[str, ...]
    dest: str

    def decorator(self) -> Callable[[Any], Any]:
        return click.option(
            *self.names,
            self.dest,
            required=self.field.required,
            default=None,
            type=_param_type(self.field),
            help=self.field.description or None,
        )


def options(spec_fields: Sequence[Field]) -> list[Option]:
    """One option per property, none taking a spelling of the command's own or another's."""
    taken_names = set(OWN_NAMES)
    taken_options = set(OWN_OPTIONS)
    chosen: list[tuple[Field, str, str]] = []
    for field in spec_fields:
        dest = field.python_name
        while dest in taken_names or _flag(dest) in taken_options:
            dest = "body_" + dest
        taken_names.add(dest)
        taken_options.add(_flag(dest))
        chosen.append((field, _flag(dest), dest))
    out = []
    for field, flag, dest in chosen:
        aliases = [alias for alias in ALIASES.get(field.json_name, []) if alias not in taken_options]
        taken_options.update(aliases)
        out.append(Option(field, (flag, *aliases), dest))
    return out


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def command(spec_fields: Sequence[Field] | None = None) -> click.Command:
    """Build `send` from the request schema: one --kebab-case option per property."""
    spec_options = options(fields() if spec_fields is None else spec_fields)
    by_dest = {option.dest: option.field.python_name for option in spec_options}

    def send(
        as_json: bool, secret_key_file: Path | None, base_url: str | None, debug: bool, **given: Any
    ) -> None:
        setup_logging(debug)
        values = {by_dest[dest]: value for dest, value in given.items()}
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

    for option in reversed(spec_options):
        send = option.decorator()(send)
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
