"""The command groups. Subcommands load when run, so `--help` imports only click and the client."""

from __future__ import annotations

import importlib
from typing import Any

import click

from .._version import __version__


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use; `--help` lists them from static text."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy  # name -> ("module:attribute", one-line help)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attribute = self.lazy[cmd_name][0].split(":")
            try:
                found = getattr(importlib.import_module(module, __package__), attribute)
            except ImportError as exc:
                # e.g. `serve` without the testing extra: one line, not a traceback
                raise click.ClickException(f"raia-agent {cmd_name}: {exc}") from None
            # A factory builds its command when needed (send reads the spec for its options).
            command = found if isinstance(found, click.Command) else found()
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
            else:
                rows.append((name, self.lazy[name][1]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy={"serve": ("._serve:serve", "Run the spec-faithful local API server until Ctrl-C.")},
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="raia-agent")
def main() -> None:
    """Command line for the raia AI Agent API."""


@main.group(
    cls=LazyGroup,
    lazy={
        "send": ("._send:command", "Create or update one feedback and print it."),
        "import": ("._import:import_", "Import feedbacks from a JSONL, CSV or TSV file; rerun to resume."),
    },
)
def feedback() -> None:
    """Send conversation-message feedback to the API."""
