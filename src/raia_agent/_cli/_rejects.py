"""The rejects file of an import: one JSON line per row that was not sent or not confirmed."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import IO, Any


class Rejects:
    """This run's rejects, written to a hidden file next to PATH (opened on the first reject) and
    moved over PATH at the end, so the last run's rejects survive until this run has its own."""

    MAX_ROW = 4096  # characters of a row's JSON kept in a reject: a 100 MB cell is not copied

    def __init__(self, path: Path | None) -> None:
        """`path` None: rejects are counted, not written (a dry run without --rejects)."""
        self.path = path
        # Not a regular file (/dev/stdout, a pipe): written straight through, never replaced.
        self.direct = path is not None and path.exists() and not path.is_file()
        self.partial = path if path is None or self.direct else path.with_name(f".{path.name}.partial")
        self.written = 0
        self._handle: IO[str] | None = None

    def write(self, line: int, kind: str, reason: str, row: Any, **extra: Any) -> None:
        if self.partial is None:
            return
        if self._handle is None:
            self._handle = self._open(self.partial)
        text = json.dumps(row, ensure_ascii=False, default=str)
        if len(text) > self.MAX_ROW:
            row = f"{text[: self.MAX_ROW]}... [truncated: {len(text)} characters]"
        record = {"line": line, "kind": kind, "reason": reason, **extra, "row": row}
        self._handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self.written += 1

    def _open(self, path: Path) -> IO[str]:
        # backslashreplace: a lone surrogate from the input is kept as its JSON escape
        if not self.direct:
            return path.open("w", encoding="utf-8", errors="backslashreplace")
        # A pipe or device is opened without waiting: a FIFO no process reads would block the event
        # loop in open() for ever, where neither Ctrl-C nor SIGTERM can end it.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise OSError(exc.errno, f"--rejects {path} is a FIFO no process is reading") from None
            raise
        os.set_blocking(fd, True)
        return open(fd, "w", encoding="utf-8", errors="backslashreplace")

    def close(self) -> bool:
        """Move this run's rejects into place; True if there were any."""
        if self._handle is None:
            return False
        self._handle.close()
        self._handle = None
        if not self.direct and self.partial is not None and self.path is not None:
            os.replace(self.partial, self.path)
        return True

    def stamp(self) -> str:
        """What identifies the file at PATH as the one a run wrote: its place, size and time."""
        assert self.path is not None
        info = self.path.stat()
        return f"{self.path.resolve()} {info.st_size} {info.st_mtime_ns}"
