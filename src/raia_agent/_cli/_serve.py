"""`raia-agent serve`: the local API server in the foreground."""

from __future__ import annotations

import secrets

import click
import uvicorn

from ..testing import FAULT_KINDS, LocalServer


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind; loopback by default."
)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--secret-key",
    envvar="RAIA_AGENT_SECRET_KEY",
    help="Key clients must send (default: $RAIA_AGENT_SECRET_KEY, else a random one, printed).",
)
@click.option("--db", default=":memory:", show_default=True, help="SQLite file for stored feedbacks.")
@click.option("--fail", "fault", type=click.Choice(FAULT_KINDS), help="Inject this fault ...")
@click.option("--fail-times", type=int, default=0, help="... into the next N requests ...")
@click.option("--fail-fraction", type=float, default=0.0, help="... and/or into this fraction of requests.")
@click.option("--retry-after", default="1", show_default=True, help="Retry-After value sent with 429.")
@click.option(
    "--delay", default=1.0, show_default=True, help="Seconds a 'slow' fault waits before answering."
)
@click.option("--seed", type=int, default=None, help="Seed for --fail-fraction, for repeatable runs.")
def serve(
    host: str,
    port: int,
    secret_key: str | None,
    db: str,
    fault: str | None,
    fail_times: int,
    fail_fraction: float,
    retry_after: str,
    delay: float,
    seed: int | None,
) -> None:
    """Run the spec-faithful local API server until Ctrl-C."""
    generated = secret_key is None
    server = LocalServer(secret_key=secret_key or f"sk-local-{secrets.token_hex(16)}", db=db, seed=seed)
    if fault and fail_times:
        server.fail_next(fault, fail_times, retry_after=retry_after, delay=delay)  # type: ignore[arg-type]
    if fault and fail_fraction:
        server.fail_fraction(fault, fail_fraction, retry_after=retry_after, delay=delay)  # type: ignore[arg-type]
    server.host, server.port = host, port
    click.echo(f"raia local API server on {server.base_url} (Ctrl-C to stop)", err=True)
    if generated:
        click.echo(f"secret key for this run: {server.secret_key}", err=True)
    uvicorn.Server(server.config(host, port)).run()
