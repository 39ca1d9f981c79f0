"""What the feedback commands share: where the key comes from, exit codes, output that survives."""

from __future__ import annotations

import io
import logging
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from .._exceptions import (
    APIConnectionError,
    AuthenticationError,
    PermissionDeniedError,
    RaiaError,
)
from .._options import ENV_BASE_URL, ENV_SECRET_KEY

if TYPE_CHECKING:
    from raia_runtime import Operation

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

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT, *, resumable: bool = True) -> None:
        super().__init__(message)
        self.code, self.resumable = code, resumable


def _spec_flags() -> list[tuple[str, str, str]]:
    """(flag, parameter name, client option) for the spec's options besides the key: a credential
    as `--<option>-file` (its value never on the command line), a user name and a server variable
    as `--<option>`."""
    from raia_agent_api.resources._operations import CREDENTIALS, SERVER_VARIABLES

    flags = []
    for cred in CREDENTIALS:
        if cred.option != "secret_key":
            flags.append((f"--{cred.option.replace('_', '-')}-file", f"{cred.option}_file", cred.option))
        if cred.user_option:
            flags.append((f"--{cred.user_option.replace('_', '-')}", cred.user_option, cred.user_option))
    flags += [(f"--{v.option.replace('_', '-')}", v.option, v.option) for v in SERVER_VARIABLES]
    return flags


def connection_flags() -> tuple[set[str], set[str]]:
    """The connection options' flags and parameter names, which a spec argument must not take."""
    flags = _spec_flags()
    return {"--secret-key-file", *(f for f, _, _ in flags)}, {"secret_key_file", *(n for _, n, _ in flags)}


def connection_options(command: F) -> F:
    """--secret-key-file (and a --<credential>-file per other credential the spec declares), a
    --<variable> per server variable, --base-url and --debug; a secret itself is never an argument."""
    from raia_agent_api.resources._operations import SERVER_VARIABLES

    from .._auth import env_var

    variables = {v.option: v for v in SERVER_VARIABLES}
    spec = []
    for flag, name, option in _spec_flags():
        if name.endswith("_file"):
            spec.append(click.option(flag, name, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                                     help=f"File holding the {option.replace('_', ' ')} (default: ${env_var(option)})."))  # fmt: skip
        elif option in variables:
            enum = variables[option].enum
            spec.append(click.option(flag, name, type=click.Choice(enum) if enum else str,
                                     help=f"Server {variables[option].name} (default: ${env_var(option)} or {variables[option].default!r})."))  # fmt: skip
        else:
            spec.append(
                click.option(
                    flag, name, help=f"The {option.replace('_', ' ')} (default: ${env_var(option)})."
                )
            )
    for decorate in reversed(
        [
            click.option(
                "--secret-key-file",
                type=click.Path(path_type=Path),  # checked as it is read: see read_key_file
                help=f"File holding the secret key (default: ${ENV_SECRET_KEY}).",
            ),
            *spec,
            click.option(
                "--base-url",
                envvar=ENV_BASE_URL,
                help=f"API base URL (default: ${ENV_BASE_URL} or the spec's).",
            ),
            click.option("--debug", is_flag=True, help="Show tracebacks and log requests (key redacted)."),
        ]
    ):
        command = decorate(command)
    return command


def take_connection(given: dict[str, Any]) -> dict[str, Any]:
    """Remove the spec's connection options (beyond --secret-key-file) from a command's arguments."""
    return {name: given.pop(name, None) for _, name, _ in _spec_flags()}


def _read(path: Path, what: str) -> str:
    value = read_key_file(path, what)
    if not value:
        raise CLIError(f"{path} is empty: it should hold the {what}")
    return value


def client_options(
    secret_key_file: Path | None, connection: dict[str, Any], operation: Operation[Any] | None
) -> dict[str, Any]:
    """Raia's spec options from the files and flags given (the environment fills the rest in Raia);
    a CLIError naming the flags and variables to set when `operation` would lack credentials."""
    from .._auth import credentials, for_operation

    found: dict[str, Any] = {}
    if secret_key_file is not None:
        found["secret_key"] = _read(secret_key_file, "secret key")
    for _, name, option in _spec_flags():
        value = connection.get(name)
        if value is not None:
            found[option] = _read(value, option.replace("_", " ")) if name.endswith("_file") else value
    if operation is None:
        return found
    try:
        held = credentials({k: v for k, v in found.items() if k in _credential_options()})
        for_operation(operation, held)
    except (ValueError, RaiaError):
        raise CLIError(f"no credentials for this command: {_how(operation)}") from None
    return found


def _credential_options() -> set[str]:
    from raia_agent_api.resources._operations import CREDENTIALS

    return {name for c in CREDENTIALS for name in (c.option, c.user_option) if name}


def _how(operation: Operation[Any]) -> str:
    """How to give what `operation` needs, in the command line's terms."""
    from raia_agent_api.resources._operations import CREDENTIALS

    from .._auth import env_var

    by_scheme = {c.scheme: c for c in CREDENTIALS}
    ways = []
    for alternative in operation.security or [[c.scheme for c in CREDENTIALS]]:
        parts = []
        for scheme in alternative:
            cred = by_scheme.get(scheme)
            if cred is None:
                parts.append(f"the scheme {scheme!r:.60}, which this client cannot send")
                continue
            flag = (
                "--secret-key-file"
                if cred.option == "secret_key"
                else f"--{cred.option.replace('_', '-')}-file"
            )
            part = f"set {env_var(cred.option)} or pass {flag} PATH"
            if cred.user_option:
                part += f", and set {env_var(cred.user_option)} or pass --{cred.user_option.replace('_', '-')} NAME"
            parts.append(part)
        ways.append(" and ".join(parts))
    return "; or ".join(ways)


def secret_key(secret_key_file: Path | None) -> str:
    """The key from --secret-key-file or the environment; a CLIError naming both when there is none."""
    key = os.environ.get(ENV_SECRET_KEY, "") if secret_key_file is None else read_key_file(secret_key_file)
    if not key:
        where = f"{secret_key_file} is empty" if secret_key_file else f"${ENV_SECRET_KEY} is not set"
        raise CLIError(f"no secret key ({where}): set {ENV_SECRET_KEY} or pass --secret-key-file PATH")
    return key


def read_key_file(path: Path, what: str = "secret key") -> str:
    """The stripped text of a credential file (`what`: the secret key, a bearer token...): a regular
    file of at most KEY_FILE_LIMIT bytes. A FIFO, a device or a directory is refused without being
    waited on or read; errors never quote the file."""
    special = CLIError(f"the {what} file {path} is not a regular file (a FIFO, a device or a directory)")
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
                f"the {what} file {path} is over {KEY_FILE_LIMIT // 1024} KiB: a credential is one short line"
            )
        return data.decode("utf-8").strip()
    except OSError as exc:
        raise CLIError(f"cannot read the {what} file {path}: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:  # its message would quote the file's bytes
        raise CLIError(f"cannot read the {what} file {path}: it is not UTF-8 text") from None


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
