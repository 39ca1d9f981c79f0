"""What the feedback commands share: where the key comes from, exit codes, output that survives."""

from __future__ import annotations

import io
import logging
import os
import stat
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

KEY_FILE_LIMIT = 64 * 1024  # a key is tens of bytes; this only stops /dev/zero-sized reads
_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)


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
                type=click.Path(path_type=Path),  # checked as it is read: see read_key_file
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
    key = os.environ.get(ENV_SECRET_KEY, "") if secret_key_file is None else read_key_file(secret_key_file)
    if not key:
        where = f"{secret_key_file} is empty" if secret_key_file else f"${ENV_SECRET_KEY} is not set"
        raise CLIError(f"no secret key ({where}): set {ENV_SECRET_KEY} or pass --secret-key-file PATH")
    return key


def read_key_file(path: Path) -> str:
    """The stripped text of a key file: a regular file of at most KEY_FILE_LIMIT bytes. A FIFO, a
    device or a directory is refused without being waited on or read; errors never quote the file."""
    special = CLIError(f"the secret key file {path} is not a regular file (a FIFO, a device or a directory)")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before opening: opening a device can act
            raise special
        # O_NONBLOCK and fstat: what is opened may have been swapped for a FIFO since the stat.
        fd = os.open(path, _READ_FLAGS)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise special
            data = _read_at_most(fd, KEY_FILE_LIMIT + 1)
        finally:
            os.close(fd)
        if len(data) > KEY_FILE_LIMIT:
            raise CLIError(
                f"the secret key file {path} is over {KEY_FILE_LIMIT // 1024} KiB: a key is one short line"
            )
        return data.decode("utf-8").strip()
    except OSError as exc:
        raise CLIError(
            f"cannot read the secret key file {path}: {exc.strerror or type(exc).__name__}"
        ) from None
    except UnicodeDecodeError:  # its message would quote the file's bytes
        raise CLIError(f"cannot read the secret key file {path}: it is not UTF-8 text") from None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def setup_logging(debug: bool) -> None:
    # stamina warns on every scheduled retry; the commands report retries and failures themselves.
    logging.getLogger("stamina").setLevel(logging.DEBUG if debug else logging.ERROR)
    if debug:
        logging.basicConfig(
            level=logging.WARNING,
            format="%(name)s %(levelname)s %(message)s",
            stream=SafeStream(sys.stderr),  # log lines quote server text
        )
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


# What a terminal would act on rather than show: C0 and C1 controls (ESC starts CSI and OSC
# sequences: a window title, an OSC 52 clipboard write), DEL, and the Unicode marks that reorder
# or break lines (the embeddings, overrides and isolates, and the implicit marks LRM, RLM and ALM
# that flip how neighbouring text is ordered). Built once; str.translate applies it in one pass.
_CONTROLS = [
    *range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A),
    0x200E, 0x200F, 0x061C,
]  # fmt: skip
_ESCAPES = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in (*_CONTROLS, 0x2028, 0x2029)
}
_ONE_LINE = {code: text for code, text in _ESCAPES.items() if code != 0x09}
_LINES = {code: text for code, text in _ONE_LINE.items() if code != 0x0A}


def printable(text: str, *, lines: bool = True) -> str:
    """Text safe for a terminal and any UTF-8 stream, whatever a file, an argument or a server put
    in it: lone surrogates and control characters become visible escapes (`\\x1b`); tabs stay,
    and newlines too unless `lines` is false (one-line messages)."""
    text = text.translate(_LINES if lines else _ONE_LINE)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class SafeStream:
    """A text stream whose writes pass through printable(): for what click prints on its own
    (usage errors quote the user's argument)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(printable(text)))

    def flush(self) -> None:
        self._stream.flush()


def fail(exc: BaseException, debug: bool) -> NoReturn:
    """One line on stderr (a traceback too with --debug), then the exit code for its class."""
    if debug:
        import traceback

        traceback.print_exception(exc, file=SafeStream(sys.stderr))
    click.echo(printable(f"error: {exc}", lines=False), err=True)
    sys.exit(exit_code(exc))


class Output:
    """stdout that outlives its reader: once the pipe is closed (`| head -1`), lines are dropped."""

    def __init__(self) -> None:
        self.closed = False

    def line(self, text: str, *, lines: bool = True) -> bool:
        """Print one line, unwrapped; False once stdout is gone."""
        if self.closed:
            return False
        try:
            sys.stdout.write(printable(text, lines=lines) + "\n")
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
