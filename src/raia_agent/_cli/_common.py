"""What the feedback commands share: where the key comes from, exit codes, error lines."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .._exceptions import (
    APIConnectionError,
    AuthenticationError,
    PermissionDeniedError,
    RaiaError,
)
from .._options import ENV_BASE_URL, ENV_SECRET_KEY

EXIT_OK, EXIT_ROWS_FAILED, EXIT_BAD_INPUT, EXIT_AUTH, EXIT_API, EXIT_CONNECTION = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(command: F) -> F:
    """--secret-key-file, --base-url and --debug; the key itself is never an argument."""
    for option in reversed(
        [
            click.option(
                "--secret-key-file",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help=f"File holding the secret key (default: ${ENV_SECRET_KEY}).",
            ),
            click.option(
                "--base-url",
                envvar=ENV_BASE_URL,
                help=f"API base URL (default: ${ENV_BASE_URL} or the spec's).",
            ),
            click.option("--debug", is_flag=True, help="Show tracebacks and log requests (key redacted)."),
        ]
    ):
        command = option(command)
    return command


def secret_key(secret_key_file: Path | None) -> str | None:
    if secret_key_file is None:
        return os.environ.get(ENV_SECRET_KEY)
    return secret_key_file.read_text(encoding="utf-8").strip()


def setup_logging(debug: bool) -> None:
    # stamina warns on every scheduled retry; the commands report retries and failures themselves.
    logging.getLogger("stamina").setLevel(logging.DEBUG if debug else logging.ERROR)
    if debug:
        logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
        logging.getLogger("raia_agent").setLevel(logging.DEBUG)


def exit_code(exc: BaseException) -> int:
    if isinstance(exc, (PermissionDeniedError, AuthenticationError)):
        return EXIT_AUTH
    if isinstance(exc, APIConnectionError):
        return EXIT_CONNECTION
    if isinstance(exc, RaiaError):
        return EXIT_API
    return EXIT_BAD_INPUT


def fail(exc: BaseException, debug: bool) -> NoReturn:
    """One line on stderr (a traceback too with --debug), then the exit code for its class."""
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    click.echo(f"error: {exc}", err=True)
    sys.exit(exit_code(exc))
