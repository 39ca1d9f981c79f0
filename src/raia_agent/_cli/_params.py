"""Click options from an operation's arguments: one `--kebab-case` option each, typed by its schema."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from raia_agent_api._facts import CLI_ALIASES

from ._common import connection_flags, printable
from ._fields import Field
from ._text_to_json import DuplicateKey, no_duplicates, read_integer, read_number

# Short spellings kept for people and scripts that already use them (spec/generator.yaml's
# cli.aliases); an alias that a property's own option now takes is simply not offered.
ALIASES = CLI_ALIASES
# The commands' own options and their parameter names: an argument that would take one
# gets `--body-` in front (`json` -> `--body-json`) instead of vanishing or clashing.
OWN_OPTIONS = {"--json", "--help", "--secret-key-file", "--base-url", "--debug"}
OWN_NAMES = {"as_json", "json", "help", "secret_key_file", "base_url", "debug"}


if TYPE_CHECKING:
    _ParamType = click.ParamType[Any]
else:  # click before 8.2 has no generic ParamType
    _ParamType = click.ParamType


class JSONValue(_ParamType):
    """Objects and arrays (and values of several types) are given as JSON text."""

    name = "json"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value, object_pairs_hook=no_duplicates)
        except DuplicateKey as exc:
            self.fail(f"the JSON names the key {exc} twice", param, ctx)
        except ValueError as exc:
            self.fail(f"not valid JSON: {exc}", param, ctx)
        except RecursionError:
            self.fail("not valid JSON: nested too deeply", param, ctx)


class Number(_ParamType):
    """An integer or number option read as JSON spells it (click.INT and FLOAT take "1_000", "nan"
    and digits of any script), the same rule as a CSV cell."""

    def __init__(self, *, integer: bool) -> None:
        self.integer = integer
        self.name = "integer" if integer else "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return read_integer(value.strip()) if self.integer else read_number(value.strip())
        except ValueError as exc:
            # click's own wording for the common case; the finer reason ("not a finite number") as is
            reason = str(exc) if "finite" in str(exc) else f"is not a valid {self.name}"
            self.fail(f"{value!r} {reason}.", param, ctx)


def param_type(field: Field) -> click.ParamType[Any]:
    if field.is_file:  # click refuses a missing path or a directory before any request
        return click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
    if field.choices:
        return click.Choice(field.choices)
    types = field.types
    if types <= {"string"}:
        return click.STRING
    if types <= {"integer"}:
        return Number(integer=True)
    if types <= {"number", "integer"}:
        return Number(integer=False)
    if types <= {"boolean"}:
        return click.BOOL
    return JSONValue()


@dataclass(frozen=True)
class Option:
    """An argument's option: its spellings, and the parameter click passes it as."""

    field: Field
    names: tuple[str, ...]
    dest: str

    def decorator(self) -> Callable[[Any], Any]:
        help_text = self.field.description or None
        if self.field.location == "header":
            help_text = f"Header {self.field.json_name}." + (f" {help_text}" if help_text else "")
        if help_text:
            help_text = printable(help_text)  # the vendor's text: no ESC or bidi control reaches --help
        return click.option(
            *self.names,
            self.dest,
            required=self.field.required,
            default=None,
            type=param_type(self.field),
            help=help_text,
        )


def options(spec_fields: Sequence[Field]) -> list[Option]:
    """One option per argument, none taking a spelling of the command's own or another's."""
    flags, names = connection_flags()
    taken_names = OWN_NAMES | names
    taken_options = OWN_OPTIONS | flags
    chosen: list[tuple[Field, str, str]] = []
    for field in spec_fields:
        dest = field.python_name
        while dest in taken_names or flag(dest) in taken_options:
            dest = "body_" + dest
        taken_names.add(dest)
        taken_options.add(flag(dest))
        chosen.append((field, flag(dest), dest))
    out = []
    for field, name, dest in chosen:
        aliases = [alias for alias in ALIASES.get(field.json_name, []) if alias not in taken_options]
        taken_options.update(aliases)
        out.append(Option(field, (name, *aliases), dest))
    return out


def flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def print_result(value: Any, as_json: bool) -> None:
    """A response: an object as a two-column table (or JSON), anything else as JSON. Every key and
    value is the server's text: shown as plain text, never as markup, its controls escaped."""
    if as_json or not isinstance(value, dict):
        if value is not None:
            click.echo(json.dumps(value, indent=2))  # ASCII: every control character is escaped
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None)
    for key, item in value.items():
        shown = "" if item is None else item if isinstance(item, str) else json.dumps(item)
        table.add_row(Text(printable(str(key), lines=False), style="bold"), Text(printable(shown)))
    Console().print(table)
