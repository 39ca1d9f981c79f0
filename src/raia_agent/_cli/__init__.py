"""The `raia-agent` command: send feedback, import files of it, run a local server."""

from __future__ import annotations

import click

from .._version import __version__
from ._import import import_
from ._send import send
from ._serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="raia-agent")
def main() -> None:
    """Command line for the raia AI Agent API."""


@main.group()
def feedback() -> None:
    """Send conversation-message feedback to the API."""


feedback.add_command(send)
feedback.add_command(import_)
main.add_command(feedback)
main.add_command(serve)
