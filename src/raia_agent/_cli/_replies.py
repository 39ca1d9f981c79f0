"""Printing a reply that is not JSON: a binary body to --output (or a pipe), text as text, events one by one."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ._common import CLIError, printable


def kind(op: Any) -> str:
    """What the operation's success is read as: json, binary, text or events (tools/media_types's rule)."""
    reply = op.replies.get(op.success)
    return "json" if reply is None else str(reply.kind)


def output_option(command: Any) -> Any:
    return click.option(
        "--output",
        "-o",
        "output",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="Write the response's bytes to this file (default: stdout, when it is not a terminal).",
    )(command)


def check_output(output: Path | None) -> None:
    """Before any request: binary bytes are never written to a terminal."""
    if output is None and sys.stdout.isatty():
        raise CLIError("the response is binary: give --output PATH, or pipe stdout to a file or program")


def download(client: Any, op: Any, args: dict[str, Any], output: Path | None) -> None:
    """The body written as it arrives (never held whole), to OUTPUT or to stdout."""
    from raia_runtime import NOT_GIVEN

    with client._stream(op, args, timeout=NOT_GIVEN, max_retries=None) as response:
        if output is not None:
            response.write_to_file(output)
            return
        sys.stdout.flush()
        out = sys.stdout.buffer
        for chunk in response.iter_bytes():
            out.write(chunk)
        out.flush()


def print_text(text: str) -> None:
    # a terminal gets the server's control characters as visible escapes; a pipe gets the text as sent
    click.echo(printable(text) if sys.stdout.isatty() else text)


def print_events(client: Any, op: Any, args: dict[str, Any], as_json: bool) -> None:
    """Each event on its own line as it arrives: its data, or with --json the whole event as JSON."""
    from raia_runtime import NOT_GIVEN

    with client._events(op, args, timeout=NOT_GIVEN, max_retries=None).parsed as stream:
        for event in stream:
            if as_json:
                line = json.dumps(
                    {"event": event.event, "id": event.id, "retry": event.retry, "data": event.data}
                )
            else:
                line = printable(event.data)
            click.echo(line)
            sys.stdout.flush()
