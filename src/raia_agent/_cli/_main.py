"""The command groups. Subcommands load when run, so `--help` imports only click and the client.

Besides `serve`, every resource of the API is a group, and every operation of it a command,
built from the generated operation descriptions (`_ops`); `feedback` keeps its hand-written
`send` and `import` beside them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from .._version import __version__
from ._common import EXIT_INTERRUPTED, SafeStream

# Hand-written commands of the resource whose upsert they call (see _fields.OPERATION); a generated
# command of the same name is offered with a trailing `_` (`send_`), the rule tools/codegen/naming/rules.py
# gives every generated name that would shadow one of ours, so neither hides the other.
UPSERT_COMMANDS = {
    "send": ("._send:command", "Create or update one document and print it."),
    "import": ("._import:import_", "Import a JSONL, CSV or TSV file of them; rerun to resume."),
}


def hand_written() -> dict[str, dict[str, tuple[str, str]]]:
    """resource -> its hand-written commands (none when the spec has no upsert for them)."""
    from raia_agent_api._facts import CLI_OPERATION  # small: --help stays cheap

    return {CLI_OPERATION.partition(".")[0]: UPSERT_COMMANDS} if CLI_OPERATION else {}


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


class ResourceGroup(LazyGroup):
    """One resource: its hand-written commands, then a command per generated operation."""

    def __init__(self, name: str, operations: dict[str, str]) -> None:
        commands = hand_written().get(name, {})
        extra = " Also `send` one document and `import` a file of them." if commands else ""
        super().__init__(name, lazy=commands, help=f"The {name} operations of the API.{extra}")
        self.operations = {cmd + "_" if cmd in self.lazy else cmd: op for cmd, op in operations.items()}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.operations})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.operations and cmd_name not in self.commands:
            from ._ops import build

            self.add_command(build(self.operations[cmd_name]), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for name in self.operations:
            self.get_command(ctx, name)  # their help line is the operation's method and path
        super().format_commands(ctx, formatter)


class RootGroup(LazyGroup):
    """`serve` and one group per resource of the spec; what click prints is made terminal-safe."""

    def _resources(self) -> dict[str, dict[str, str]]:
        from ._ops import resources

        found = resources()
        for name in hand_written():
            found.setdefault(name, {})
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._resources()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy and cmd_name not in self.commands:
            operations = self._resources().get(cmd_name)
            if operations is not None:
                self.add_command(ResourceGroup(cmd_name, operations), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for name in self._resources():
            self.get_command(ctx, name)
        super().format_commands(ctx, formatter)

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        """Run; usage errors, which quote the user's arguments, are printed with their control
        characters escaped (click would print them as they are)."""
        if extra.pop("standalone_mode", True) is False:
            return super().main(args, prog_name, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.ClickException as exc:
            exc.show(file=SafeStream(sys.stderr))  # type: ignore[arg-type]
            sys.exit(exc.exit_code)
        except click.Abort:  # Ctrl-C outside a command's own handling
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=RootGroup,
    lazy={"serve": ("._serve:serve", "Run the spec-faithful local API server until Ctrl-C.")},
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="raia-agent")
def main() -> None:
    """Command line for the raia AI Agent API."""
