"""`raia-agent feedback send`: one feedback, printed as stored."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from .._client import Raia
from .._exceptions import RaiaError
from ._common import connection_options, fail, secret_key, setup_logging


@click.command()
@click.option("--conversation-message-id", required=True, help="UUID of the conversation message.")
@click.option("--user-id", required=True, help="UUID of the user who voted.")
@click.option("--vote", required=True, type=click.Choice(["up", "down"]), help="The vote.")
@click.option("--question", required=True, help="The question the agent answered.")
@click.option("--answer", default=None, help="The agent's answer.")
@click.option("--comment", default=None, help="The user's comment.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored feedback as JSON.")
@connection_options
def send(
    conversation_message_id: str,
    user_id: str,
    vote: str,
    question: str,
    answer: str | None,
    comment: str | None,
    as_json: bool,
    secret_key_file: Path | None,
    base_url: str | None,
    debug: bool,
) -> None:
    """Create or update one feedback and print it."""
    setup_logging(debug)
    try:
        with Raia(secret_key=secret_key(secret_key_file), base_url=base_url) as client:
            feedback = client.feedback.create_or_update(
                conversation_message_id=conversation_message_id,
                user_id=user_id,
                vote_type=vote,  # type: ignore[arg-type]  # click.Choice has checked it
                question=question,
                answer=answer,
                comment=comment,
            )
    except (RaiaError, ValueError, TypeError, OSError) as exc:
        fail(exc, debug)
    body = feedback.to_dict()
    if as_json:
        click.echo(json.dumps(body, indent=2))
        return
    table = Table(show_header=False, box=None)
    for key, value in body.items():
        table.add_row(f"[bold]{key}[/bold]", "" if value is None else str(value))
    Console().print(table)
