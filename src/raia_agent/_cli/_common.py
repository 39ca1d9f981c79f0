"""What the feedback commands share: where the key comes from, exit codes, output that survives."""

from __future__ import annotations

import io
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
EXIT_STDOUT_CLOSED = 141  # what a shell reports for a process ended by SIGPIPE

F = TypeVar("F", bound=Callable[..., Any])


class CLIError(Exception):
    """A problem the user can fix, reported as one line with its own exit code."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


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


def secret_key(secret_key_file: Path | None) -> str:
    """The key from --secret-key-file or the environment; a CLIError naming both when there is none."""
    if secret_key_file is None:
        key = os.environ.get(ENV_SECRET_KEY, "")
    else:
        try:
            key = secret_key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise CLIError(
                f"cannot read the secret key file {secret_key_file}: {type(exc).__name__}"
            ) from None
    if not key:
        where = f"{secret_key_file} is empty" if secret_key_file else f"${ENV_SECRET_KEY} is not set"
        raise CLIError(f"no secret key ({where}): set {ENV_SECRET_KEY} or pass --secret-key-file PATH")
    return key


def setup_logging(debug: bool) -> None:
    # stamina warns on every scheduled retry; the commands report retries and failures themselves.
    logging.getLogger("stamina").setLevel(logging.DEBUG if debug else logging.ERROR)
    if debug:
        logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
        logging.getLogger("raia_agent").setLevel(logging.DEBUG)


def exit_code(exc: BaseException) -> int:
    if isinstance(exc, CLIError):
        return exc.code
    if isinstance(exc, (PermissionDeniedError, AuthenticationError)):
        return EXIT_AUTH
    if isinstance(exc, APIConnectionError):
        return EXIT_CONNECTION
    if isinstance(exc, RaiaError):
        return EXIT_API
    return EXIT_BAD_INPUT


def printable(text: str) -> str:
    """Text any UTF-8 stream accepts: lone surrogates from a hostile file become escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def fail(exc: BaseException, debug: bool) -> NoReturn:
    """One line on stderr (a traceback too with --debug), then the exit code for its class."""
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    click.echo(printable(f"error: {exc}"), err=True)
    sys.exit(exit_code(exc))


class Output:
    """stdout that outlives its reader: once the pipe is closed (`| head -1`), lines are dropped."""

    def __init__(self) -> None:
        self.closed = False

    def line(self, text: str) -> bool:
        """Print one line, unwrapped; False once stdout is gone."""
        if self.closed:
            return False
        try:
            sys.stdout.write(printable(text) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            self.closed = True
            _discard_stdout()
        return not self.closed


def _discard_stdout() -> None:
    # Python flushes stdout at exit; pointed at the closed pipe that prints
    # "Exception ignored ... BrokenPipeError". Point it at /dev/null instead.
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
