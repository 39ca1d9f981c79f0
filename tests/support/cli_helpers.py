"""Shared helpers for the command-line tests: running the CLI, writing files, reading the journal."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from raia_agent._cli import main
from raia_agent.testing import LocalServer
from tests.support.raw_server import raw_server, read_request

RAIA_AGENT = str(Path(sys.executable).parent / "raia-agent")


def env_for(server: LocalServer) -> dict[str, str]:
    return {"RAIA_AGENT_SECRET_KEY": server.secret_key, "RAIA_AGENT_BASE_URL": server.base_url}


# The loggers a command configures (setup_logging: --debug sets levels and a root handler). In a
# subprocess that dies with it; in-process it would leak into the worker's later tests.
_CLI_LOGGERS = ("", "raia_agent", "stamina")


@contextlib.contextmanager
def _logging_kept() -> Iterator[None]:
    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in _CLI_LOGGERS]
    handlers = list(logging.getLogger().handlers)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)
        logging.getLogger().handlers[:] = handlers


def invoke(server: LocalServer | None, *args: str, env: dict[str, str] | None = None) -> Result:
    with _logging_kept():
        return CliRunner().invoke(
            main, list(args), env={**(env_for(server) if server else {}), **(env or {})}
        )


def run(
    server: LocalServer | None, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed console script in a subprocess; a hang fails the test instead of the suite."""
    full_env = {**os.environ, **(env_for(server) if server else {}), **(env or {})}
    return subprocess.run(
        [RAIA_AGENT, *args], env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


def run_inline(
    server: LocalServer | None, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI's entry point in this process, answering as `run` does: for tests of output and exit codes only.

    A process start costs more than most commands; signals, interruption, locks and the environment a
    process starts with stay with `run`. An exception the CLI lets escape is raised, as a traceback would be."""
    result = invoke(server, *args, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess([RAIA_AGENT, *args], result.exit_code, result.stdout, result.stderr)


def popen(server: LocalServer, *args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [RAIA_AGENT, *args],
        env={**os.environ, **env_for(server)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def rows(n: int, invalid_every: int = 0, **extra: Any) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        row: dict[str, Any] = {
            "conversationMessageId": str(uuid.uuid4()),
            "userId": str(uuid.uuid4()),
            "voteType": "up" if i % 2 else "down",
            "question": f"question {i}",
            **extra,
        }
        if invalid_every and i % invalid_every == invalid_every - 1:
            row["userId"] = f"user-{i}"
        out.append(row)
    return out


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def pair(record: dict[str, Any]) -> tuple[str, str]:
    return record["conversationMessageId"], record["userId"]


def read_rejects(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def confirmed_lines(journal: Path) -> set[int]:
    try:
        with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
            return {line for (line,) in db.execute("SELECT line FROM confirmed")}
    except sqlite3.OperationalError:
        return set()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def hide_modules_env(directory: Path, *names: str) -> dict[str, str]:
    """Environment for a subprocess in which importing `names` fails as if they were not installed.

    A sitecustomize on PYTHONPATH puts a finder first on sys.meta_path that refuses them.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(
        "import sys\n"
        f"HIDDEN = {sorted(names)!r}\n"
        "class _Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in HIDDEN:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Hide())\n"
    )
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(directory), os.environ.get("PYTHONPATH", "")])}


@contextlib.contextmanager
def raw_http_server(response: bytes) -> Iterator[str]:
    """A loopback HTTP/1.1 server answering every request with the same raw bytes; yields its URL."""

    def answer(conn: socket.socket, request: bytes) -> None:
        while request:  # keep-alive: every request on the connection gets the same answer
            conn.sendall(response)
            request = read_request(conn)

    with raw_server(answer) as url:
        yield url


def csv_text(records: list[dict[str, Any]], delimiter: str = ",") -> str:
    """Records as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()
