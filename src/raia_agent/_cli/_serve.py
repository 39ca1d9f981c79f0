"""`raia-agent serve`: the local API server in the foreground."""

from __future__ import annotations

import os
import secrets
import sqlite3
import sys
from typing import NoReturn

import click
from click import ParameterSource

from .._auth import check_credential
from .._options import ENV_SECRET_KEY
from ._common import EXIT_BAD_INPUT, printable

# raia_agent.testing (uvicorn, starlette: the testing extra) loads only when the command runs, so
# `raia-agent --help` stays quick and works without that extra. The same kinds as FAULT_KINDS there.
FAULTS = ("500", "429", "502", "slow", "drop")
# The command line's "bad input" code: a port in use is a --port to change.
EXIT_PORT_IN_USE = 2


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind; loopback by default."
)
@click.option("--port", default=8000, show_default=True, type=int, help="Port; 0 picks a free one.")
@click.option(
    "--secret-key",
    envvar="RAIA_AGENT_SECRET_KEY",
    help="Key clients must send (default: $RAIA_AGENT_SECRET_KEY, else a random one, printed).",
)
@click.option(
    "--db",
    default=":memory:",
    show_default=True,
    help="SQLite file for stored documents; created and marked as the server's if new, refused if another file.",
)
@click.option(
    "--body-limit",
    default="100kb",
    show_default=True,
    help="Largest JSON body in bytes (or 100kb, 1mb); larger ones get 413, as Express answers.",
)
@click.option("--fail", "fault", type=click.Choice(FAULTS), help="Inject this fault ...")
@click.option("--fail-times", type=int, default=0, help="... into the next N requests ...")
@click.option("--fail-fraction", type=float, default=0.0, help="... and/or into this fraction of requests.")
@click.option("--retry-after", default="1", show_default=True, help="Retry-After value sent with 429.")
@click.option(
    "--delay", default=1.0, show_default=True, help="Seconds a 'slow' fault waits before answering."
)
@click.option("--seed", type=int, default=None, help="Seed for --fail-fraction, for repeatable runs.")
@click.option(
    "--access-log",
    is_flag=True,
    help="Print one line per request to stderr: method, path, status, ms, request id (never a key).",
)
def serve(
    host: str,
    port: int,
    secret_key: str | None,
    db: str,
    body_limit: str,
    fault: str | None,
    fail_times: int,
    fail_fraction: float,
    retry_after: str,
    delay: float,
    seed: int | None,
    access_log: bool,
) -> None:
    """Run the spec-faithful local API server until Ctrl-C."""
    try:  # the testing extra; its ImportError names the extra to install
        import uvicorn

        from ..testing import LocalServer, listen
        from ..testing._body import parse_size
    except ImportError as exc:
        raise click.ClickException(f"raia-agent serve: {exc}") from None

    try:
        limit = parse_size(body_limit)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--body-limit") from None
    if secret_key is None and os.environ.get(ENV_SECRET_KEY) == "":
        secret_key = ""  # click reads a set but empty variable as unset; it is refused as empty
    generated = secret_key is None
    if secret_key is not None:
        _check_key(secret_key)
    try:
        server = LocalServer(
            secret_key=secret_key or f"sk-local-{secrets.token_hex(16)}",
            db=db,
            seed=seed,
            body_limit=limit,
            access_log=_echo_line if access_log else None,
        )
    except ValueError as exc:  # --db names a file that is not the server's: it was not touched
        _refuse(f"--db {exc}")
    except sqlite3.Error as exc:  # e.g. a directory that does not exist
        _refuse(f"--db {db}: {exc}")
    if fault and fail_times:
        server.fail_next(fault, fail_times, retry_after=retry_after, delay=delay)  # type: ignore[arg-type]
    if fault and fail_fraction:
        server.fail_fraction(fault, fail_fraction, retry_after=retry_after, delay=delay)  # type: ignore[arg-type]
    # Bind before announcing anything, so a busy port is one clear line and no "serving" claim.
    try:
        sock = listen(host, port)
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_PORT_IN_USE)
    server.host, server.port = host, sock.getsockname()[1]
    click.echo(f"raia local API server on {server.base_url} (Ctrl-C to stop)", err=True)
    if generated:
        click.echo(f"secret key for this run: {server.secret_key}", err=True)
    try:
        uvicorn.Server(server.config(host, server.port, own_logging=True)).run(sockets=[sock])
    finally:
        sock.close()


def _check_key(key: str) -> None:
    """A key given but empty would otherwise be replaced by a random one nobody is told."""
    source = click.get_current_context().get_parameter_source("secret_key")
    where = "--secret-key" if source is ParameterSource.COMMANDLINE else f"${ENV_SECRET_KEY}"
    if not key.strip():
        _refuse(f"{where} is empty: give a key, or leave it out for a random one (printed)")
    try:  # a key no client could send in a header would refuse every request
        check_credential("secret_key", key)
    except ValueError as exc:
        _refuse(f"{where}: {exc}")


def _refuse(message: str) -> NoReturn:
    click.echo(printable(f"error: {message}", lines=False), err=True)
    sys.exit(EXIT_BAD_INPUT)


def _echo_line(line: str) -> None:
    click.echo(line, err=True)
