"""Request bodies that are forms, not JSON: multipart/form-data (with files) and urlencoded forms.

An operation's `body_media` (generated from the spec) says which, and which fields are files. The
other fields are checked against the spec as JSON bodies are (`_validation.prepare`); this module
reads the files and hands both to httpx, whose own encoders write the body.

Each file is read into memory once, when the call is made (at most MAX_FILE_BYTES): a missing path,
a directory, a path that is no regular file (a FIFO, /dev/zero), a path over the bound or a text-mode
file fails before any request, naming the argument, and every retry
sends the same complete bytes (a file object is never re-read, so its position after the call is
wherever the read left it). File contents never reach a log record or an exception message.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Mapping
from typing import Any

import httpx

from raia_runtime import Operation

from ._validation import Prepared

MAX_FILE_BYTES = 512 * 1024**2
"""The largest file one argument may hold (the whole of it is kept in memory for retries)."""
MULTIPART = "multipart/form-data"
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)
_DEFAULT_NAME = "upload"  # a part's filename when the caller gives bytes alone (httpx's choice too)

File = tuple[str, bytes, str | None]
"""A file read for sending: (filename, bytes, content type or None to guess from the filename)."""


def take_files(op: Operation[Any], args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, File]]:
    """(the arguments without the files, each file given read), or TypeError/ValueError naming the argument.

    A required file left out (None) is refused here, as `prepare` refuses other required arguments.
    """
    media = op.body_media
    assert media is not None
    files: dict[str, File] = {}
    if not media.files:
        return args, files
    rest = dict(args)
    for param in op.params:
        if param.location != "body" or param.name not in media.files:
            continue
        value = rest.pop(param.python, None)
        if value is None:
            if param.name in media.required:
                raise TypeError(f"invalid arguments for {op.name}: {param.python} is required")
            continue
        files[param.name] = read_file(value, f"invalid arguments for {op.name}: {param.python}")
    return rest, files


def read_file(value: Any, where: str) -> File:
    """One file argument as (filename, bytes, content type); `where` starts each error message."""
    filename: str | None = None
    content_type: str | None = None
    content = value
    if isinstance(value, tuple):
        if len(value) not in (2, 3):
            raise TypeError(
                f"{where}: a file tuple is (filename, content) or (filename, content, content_type)"
            )
        filename, content = value[0], value[1]
        content_type = value[2] if len(value) == 3 else None
        if filename is not None and not isinstance(filename, str):
            raise TypeError(f"{where}: the filename must be a str or None")
        if content_type is not None and not isinstance(content_type, str):
            raise TypeError(f"{where}: the content type must be a str or None")
        if content_type is not None and not _header_safe(content_type):
            raise ValueError(f"{where}: the content type must be printable ASCII")
    data, found_name = _read(content, where)
    return (filename if filename is not None else found_name or _DEFAULT_NAME), data, content_type


def _read(content: Any, where: str) -> tuple[bytes, str | None]:
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        _check_size(len(data), where)
        return data, None
    if isinstance(content, str):
        raise TypeError(
            f"{where}: a str is not a file; pass pathlib.Path(...) for a path, or the bytes themselves"
        )
    if isinstance(content, os.PathLike):
        path = os.fspath(content)
        shown = os.fsdecode(path)
        try:
            data = _read_path(path, shown, where)
        except FileNotFoundError:
            raise ValueError(f"{where}: no file {shown!r}") from None
        except OSError as exc:
            raise ValueError(
                f"{where}: cannot read {shown!r} ({exc.strerror or type(exc).__name__})"
            ) from None
        _check_size(len(data), where)
        return data, os.path.basename(shown)
    if isinstance(content, io.TextIOBase):  # refused unread: read() would decode up to the bound first
        raise TypeError(f"{where}: the file is open in text mode; open it with 'rb'")
    read = getattr(content, "read", None)
    if not callable(read):
        raise TypeError(
            f"{where}: expected bytes, a file opened in binary mode, a pathlib.Path, or a "
            f"(filename, content[, content_type]) tuple, not {type(content).__name__}"
        )
    try:
        data = read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"{where}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    if isinstance(data, str):
        raise TypeError(f"{where}: the file is open in text mode; open it with 'rb'")
    if not isinstance(data, bytes):
        raise TypeError(f"{where}: its read() returned {type(data).__name__}, not bytes")
    _check_size(len(data), where)
    name = getattr(content, "name", None)
    return data, os.path.basename(name) if isinstance(name, str) and name else None


def _read_path(path: str | bytes, shown: str, where: str) -> bytes:
    """A regular file's bytes. A FIFO (whose open waits for a writer), a device (/dev/zero reads for
    ever) or a socket is refused without being opened or read, and a file over the bound unread."""
    _check_regular(os.stat(path).st_mode, shown, where)  # before opening: opening a device can act
    # O_NONBLOCK and fstat: what is opened may have been swapped for a FIFO since the stat.
    fd = os.open(path, _OPEN_FLAGS)
    with os.fdopen(fd, "rb") as handle:
        facts = os.fstat(fd)
        _check_regular(facts.st_mode, shown, where)
        _check_size(facts.st_size, where)
        return handle.read(MAX_FILE_BYTES + 1)


def _check_regular(mode: int, shown: str, where: str) -> None:
    if stat.S_ISDIR(mode):
        raise ValueError(f"{where}: {shown!r} is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise ValueError(f"{where}: {shown!r} is not a regular file (a FIFO, a device or a socket)")


def _check_size(size: int, where: str) -> None:
    if size > MAX_FILE_BYTES:
        raise ValueError(
            f"{where}: the file is over {MAX_FILE_BYTES // 1024**2} MiB, the most one call sends"
        )


def _header_safe(text: str) -> bool:
    return all(0x20 <= ord(ch) < 0x7F for ch in text)


def body(op: Operation[Any], prepared: Prepared, files: Mapping[str, File]) -> dict[str, Any]:
    """build_request's body arguments for a form (`data=`, and `files=` for multipart); clears the
    prepared JSON bytes, so that no JSON Content-Type is set for it."""
    media = op.body_media
    assert media is not None
    fields = prepared.body if isinstance(prepared.body, dict) else {}
    prepared.content = None
    data: dict[str, Any] = {name: _text(value) for name, value in fields.items()}
    if media.type != MULTIPART:
        return {"data": data} if data or op.body_required else {}
    parts: list[tuple[str, Any]] = [(name, file) for name, file in files.items()]
    if not parts:
        # httpx writes a urlencoded body when no file is given: fields sent as parts keep it multipart
        parts = [(name, (None, value)) for name, values in data.items() for value in _listed(values)]
        data = {}
        if not parts:
            return {}
    return {"data": data, "files": parts}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> Any:
    """A form field's text: as on a query string (true/false, numbers), a list as repeated fields,
    and an object (which a form cannot hold) as its JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return [_text(item) if not isinstance(item, dict | list) else _json(item) for item in value]
    if isinstance(value, dict):
        return _json(value)
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def describe(request: httpx.Request) -> str:
    """The body for a debug log line: never a multipart body's bytes (they hold files), only its size."""
    kind = request.headers.get("content-type", "")
    if kind.startswith(MULTIPART):
        return f"<{MULTIPART}, {request.headers.get('content-length', '?')} bytes>"
    return request.content.decode("utf-8", "replace")
