"""Issue 25 item 9: the files the command line opens. `serve --db` uses only its own marked database,
a journal of a newer version is refused untouched, the journal lock goes by the resolved path,
`--secret-key-file` is read bounded and only from a regular file, and an empty server key is refused.

Every run is the installed `raia-agent` in a subprocess with a timeout, so a regression that blocks
(on a FIFO, on /dev/zero) fails its test instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from raia_agent._cli._common import KEY_FILE_LIMIT
from raia_agent._cli._journal import APPLICATION_ID as JOURNAL_MARK
from raia_agent._cli._journal import VERSION as JOURNAL_VERSION
from raia_agent.testing import LocalServer
from raia_agent.testing._store import APPLICATION_ID as STORE_MARK
from raia_agent.testing._store import VERSION as STORE_VERSION
from raia_agent.testing._store import DocumentStore
from tests.support.cli_helpers import RAIA_AGENT, popen, rows, run, run_inline, wait_for, write_jsonl

KEY = "sk-cli-files-test"
LIMIT = 60  # seconds any one run may take before the test fails (the refusals take well under one)


def serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`raia-agent serve --port 0 ARGS` expected to refuse and exit; killed if it does not."""
    full_env = {**os.environ, "RAIA_AGENT_SECRET_KEY": KEY, **(env or {})}
    return subprocess.run(
        [RAIA_AGENT, "serve", "--port", "0", *args],
        env=full_env, capture_output=True, text=True, timeout=LIMIT, check=False,
    )  # fmt: skip


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The run exited 2 with exactly one line on stderr, no traceback and no server announced."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "server on" not in result.stderr
    return lines[0]


def snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    """What "untouched" compares: the bytes, the modification time and the names beside the file."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def someone_elses_database(path: Path) -> Path:
    """A SQLite database in rollback-journal mode, with a table shaped like the server's."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE documents (id TEXT PRIMARY KEY, body TEXT)")
        db.executemany("INSERT INTO documents VALUES (?, ?)", [(str(i), "{}") for i in range(100)])
        db.commit()
    return path


def an_import_journal(path: Path) -> Path:
    """A real import journal: marked, but as a journal, not as the server's database."""
    from raia_agent._cli._journal import Journal

    Journal(path).close()
    return path


def a_text_file(path: Path) -> Path:
    path.write_text("my notes, not a database\n" * 10)
    return path


@pytest.mark.parametrize("make", [someone_elses_database, an_import_journal, a_text_file])
def test_serve_db_naming_a_file_that_is_not_its_database_is_refused_untouched(
    tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    """`serve --db` on someone's SQLite file, a journal or a text file: one line, exit 2; bytes, mtime and
    directory unchanged (no WAL switch, no -wal/-shm)."""
    theirs = make(tmp_path / "theirs.db")
    before = snapshot(theirs)

    line = one_error_line(serve("--db", str(theirs)))

    assert str(theirs) in line and "left untouched" in line
    assert snapshot(theirs) == before


def test_serve_db_leaves_someones_database_in_its_journal_mode(tmp_path: Path) -> None:
    """The database the refused run named still reads as it was: rollback-journal mode, its 100 rows."""
    theirs = someone_elses_database(tmp_path / "theirs.db")
    one_error_line(serve("--db", str(theirs)))
    with sqlite3.connect(f"file:{theirs}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 100


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_serve_db_naming_a_fifo_or_a_directory_is_refused_without_waiting(tmp_path: Path, kind: str) -> None:
    """A FIFO no process writes, or a directory, as --db: one line, exit 2, never waited on."""
    target = tmp_path / "db"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    assert "not a regular file" in one_error_line(serve("--db", str(target)))


def test_serve_db_written_by_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    """A server database whose user_version is above this code's: one line saying so, file unchanged."""
    path = tmp_path / "newer.db"
    DocumentStore(str(path)).close()
    with contextlib.closing(sqlite3.connect(path)) as db:  # closed: the header holds the version
        db.execute(f"PRAGMA user_version = {STORE_VERSION + 1}")
    before = snapshot(path)

    line = one_error_line(serve("--db", str(path)))

    assert "newer" in line and "left untouched" in line
    assert snapshot(path) == before


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    """Servers the test started, interrupted and reaped after it."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_serving(db: Path, stop: list[subprocess.Popen[str]]) -> str:
    proc = subprocess.Popen(
        [RAIA_AGENT, "serve", "--port", "0", "--db", str(db)],
        env={**os.environ, "RAIA_AGENT_SECRET_KEY": KEY}, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    stop.append(proc)
    assert proc.stderr is not None
    announced = re.search(r"http://127\.0\.0\.1:\d+", proc.stderr.readline())
    assert announced, "no address announced"
    return announced.group()


def header_fields(path: Path) -> tuple[int, int]:
    """(application_id, user_version) from the database header."""
    header = path.read_bytes()[:100]
    return int.from_bytes(header[68:72], "big"), int.from_bytes(header[60:64], "big")


@pytest.mark.parametrize("start", ["new-path", "empty-file"])
def test_serve_db_creates_and_marks_a_new_database_and_opens_it_again(
    tmp_path: Path, stop: list[subprocess.Popen[str]], start: str
) -> None:
    """A path that does not exist, or an empty file, becomes the server's marked database; a second
    `serve` on it starts and finds what the first stored."""
    path = tmp_path / "server.db"
    if start == "empty-file":
        path.touch()
    data = write_jsonl(tmp_path / "in.jsonl", rows(3))

    base = start_serving(path, stop)
    sent = run(
        None, "feedback", "import", str(data), env={"RAIA_AGENT_SECRET_KEY": KEY, "RAIA_AGENT_BASE_URL": base}
    )
    assert sent.returncode == 0, sent.stderr
    assert header_fields(path) == (STORE_MARK, STORE_VERSION)
    start_serving(path, stop)  # a refused file would exit instead of announcing an address
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 3


def make_journal(server: LocalServer, tmp_path: Path) -> tuple[Path, Path]:
    path = write_jsonl(tmp_path / "in.jsonl", rows(5))
    assert run(server, "feedback", "import", str(path)).returncode == 0
    return path, tmp_path / "in.jsonl.journal.sqlite3"


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_a_journal_written_by_a_newer_version_is_refused_untouched(
    server: LocalServer, tmp_path: Path, dry_run: bool
) -> None:
    """A journal whose user_version is above this code's is not rebuilt as an old one: one line, exit 2,
    bytes and mtime unchanged, nothing sent."""
    path, journal = make_journal(server, tmp_path)
    with contextlib.closing(sqlite3.connect(journal)) as db:  # closed: the header holds the version
        db.execute(f"PRAGMA user_version = {JOURNAL_VERSION + 1}")
    before, sent = snapshot(journal), server.requests_received

    result = run_inline(server, "feedback", "import", str(path), *(["--dry-run"] * dry_run))

    line = one_error_line(result)
    assert "newer" in line and "left untouched" in line
    assert snapshot(journal) == before
    assert server.requests_received == sent


def test_a_newer_version_still_in_the_wal_file_is_refused_too(server: LocalServer, tmp_path: Path) -> None:
    """The newer user_version not yet checkpointed into the main file (another connection holds it in
    the -wal): the import still refuses before writing, and the version stays."""
    path, journal = make_journal(server, tmp_path)
    holder = sqlite3.connect(journal)
    try:
        holder.execute("PRAGMA wal_autocheckpoint = 0")
        holder.execute(f"PRAGMA user_version = {JOURNAL_VERSION + 1}")
        holder.commit()
        assert header_fields(journal) == (JOURNAL_MARK, JOURNAL_VERSION), "the bump reached the main file"
        before, sent = snapshot(journal), server.requests_received

        line = one_error_line(run(server, "feedback", "import", str(path)))

        assert "newer" in line
        assert snapshot(journal) == before, "the journal was checkpointed or rewritten"
        assert holder.execute("PRAGMA user_version").fetchone()[0] == JOURNAL_VERSION + 1
        assert server.requests_received == sent
    finally:
        holder.close()


@pytest.mark.parametrize("route", ["symlink", "dotdot"])
def test_a_second_import_naming_the_journal_another_way_meets_the_lock(
    server: LocalServer, tmp_path: Path, route: str
) -> None:
    """While one import holds the journal, a second naming it through a symlink or a `..` path is
    refused as "already being imported", exit 2."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(20))
    journal = tmp_path / "journal.sqlite3"
    (tmp_path / "sub").mkdir()
    if route == "symlink":
        other = tmp_path / "sub" / "link.sqlite3"
        other.symlink_to(journal)
    else:
        other = tmp_path / "sub" / ".." / "journal.sqlite3"
    server.fail_fraction("slow", 1.0, delay=60)  # the first run holds the lock until it is killed
    first = popen(server, "feedback", "import", str(path), "--journal", str(journal), "--concurrency", "2")
    try:
        wait_for(lambda: server.requests_received >= 1, "the first run to lock the journal and send")

        second = run(server, "feedback", "import", str(path), "--journal", str(other))

        assert second.returncode == 2, second.stderr
        assert "already being imported" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1, second.stderr
    finally:
        first.kill()
        first.wait()
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == (
        ["link.sqlite3"] if route == "symlink" else []
    )


def test_a_journal_path_in_a_symlink_loop_is_one_line(server: LocalServer, tmp_path: Path) -> None:
    """--journal naming a link in a loop (a -> b -> a) is one line and exit 2, not a traceback."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(2))
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    line = one_error_line(
        run_inline(server, "feedback", "import", str(path), "--journal", str(tmp_path / "a"))
    )
    assert "symlink loop" in line
    assert server.requests_received == 0


def import_with_key_file(
    server: LocalServer, tmp_path: Path, key_file: Path | str
) -> subprocess.CompletedProcess[str]:
    path = write_jsonl(tmp_path / "in.jsonl", rows(2))
    env = {k: v for k, v in os.environ.items() if k != "RAIA_AGENT_SECRET_KEY"}
    return subprocess.run(
        [RAIA_AGENT, "feedback", "import", str(path), "--secret-key-file", str(key_file),
         "--base-url", server.base_url],
        env=env, capture_output=True, text=True, timeout=LIMIT, check=False,
    )  # fmt: skip


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["fifo", "directory", "/dev/zero"])
def test_a_key_file_that_is_not_a_regular_file_is_refused_without_blocking(
    server: LocalServer, tmp_path: Path, kind: str
) -> None:
    """A FIFO nobody writes, a directory or /dev/zero as --secret-key-file: one line, exit 2, no request."""
    key_file: Path | str = kind
    if kind == "fifo":
        key_file = tmp_path / "key.fifo"
        os.mkfifo(key_file)
    elif kind == "directory":
        key_file = tmp_path / "keys"
        key_file.mkdir()

    result = import_with_key_file(server, tmp_path, key_file)

    assert "not a regular file" in one_error_line(result)
    assert server.requests_received == 0


@pytest.mark.parametrize("content", ["huge", "not-utf8"])
def test_a_key_file_too_big_or_not_text_is_one_line_that_never_quotes_it(
    server: LocalServer, tmp_path: Path, content: str
) -> None:
    """A key file over the cap, or not UTF-8: one line naming the file, no byte of its content."""
    canary = "sk-canary-7f3a"
    key_file = tmp_path / "key.txt"
    if content == "huge":
        key_file.write_text(canary * (KEY_FILE_LIMIT // len(canary) + 2))
    else:
        key_file.write_bytes(canary.encode() + b"\xff\xfe")

    line = one_error_line(import_with_key_file(server, tmp_path, key_file))

    assert str(key_file) in line
    assert canary not in line and "7f3a" not in line
    assert server.requests_received == 0


def test_a_key_file_at_the_cap_is_read(server: LocalServer, tmp_path: Path) -> None:
    """The cap refuses only what is over it: the key padded with whitespace up to the cap still works."""
    key_file = tmp_path / "key.txt"
    key_file.write_text(server.secret_key + " " * (KEY_FILE_LIMIT - len(server.secret_key)))
    result = import_with_key_file(server, tmp_path, key_file)
    assert result.returncode == 0, result.stderr
    assert server.store.count() == 2


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--secret-key", ""], {}),
        (["--secret-key", " \t "], {}),
        ([], {"RAIA_AGENT_SECRET_KEY": ""}),
        ([], {"RAIA_AGENT_SECRET_KEY": "   "}),
    ],
    ids=["empty-option", "blank-option", "empty-variable", "blank-variable"],
)
def test_serve_refuses_an_empty_or_blank_key(args: list[str], env: dict[str, str]) -> None:
    """An empty or whitespace key is one line naming where it came from, exit 2, not a random key."""
    line = one_error_line(serve(*args, env=env))
    assert "empty" in line
    assert ("--secret-key" if args else "$RAIA_AGENT_SECRET_KEY") in line
