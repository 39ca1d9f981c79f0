"""update-spec's fetch is bounded as a whole: one deadline over the download with its headers, no
decoding of a compressed body, no blocking on a FIFO or a device, and a malformed URL refused in one
line (exit 2), never a traceback."""

from __future__ import annotations

import gzip
import os
import socket
import threading
import zlib
from pathlib import Path

import pytest

from tests.support.raw_server import raw_server, response_head
from tests.support.spec_update_light import light_repo, run_tool
from tools.spec_update._fetch import FetchFailed, fetch

DRIBBLES = 600  # a bound on the server's work: far more bytes than any deadline lets through


def dribble_headers(conn: socket.socket, request: bytes) -> None:
    """A status line, then header bytes one every 2 s: each read succeeds, the head never ends."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    stop = threading.Event()
    for _ in range(DRIBBLES):
        conn.sendall(b"X")
        if stop.wait(2):
            return


def test_a_server_dribbling_its_headers_is_cut_off_by_the_deadline() -> None:
    """One header byte every 2 s never trips a per-read timeout; the whole-download deadline stops it."""
    with raw_server(dribble_headers) as base, pytest.raises(FetchFailed, match="longer than 3 s") as caught:
        fetch(base + "/openapi.json", 1000, 3)
    assert "\n" not in str(caught.value)


def double_gzip_bomb() -> bytes:
    """100 MiB of zeros, gzipped twice: a body of a few hundred bytes."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    layer = b"".join(inner.compress(zeros) for _ in range(100)) + inner.flush()
    return gzip.compress(layer, 9)


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "br", "deflate"])
def test_a_compressed_body_is_refused_unread(encoding: str) -> None:
    """Any Content-Encoding but identity is refused, so a tiny double-gzip bomb never expands in memory."""
    bomb = double_gzip_bomb()
    assert len(bomb) < 4096

    def handler(conn: socket.socket, request: bytes) -> None:
        headers = {
            "Content-Type": "application/json",
            "Content-Encoding": encoding,
            "Content-Length": str(len(bomb)),
        }
        conn.sendall(response_head(200, headers) + bomb)

    with raw_server(handler) as base, pytest.raises(FetchFailed, match="Content-Encoding") as caught:
        fetch(base + "/openapi.json", 20 * 1024 * 1024, 30)
    assert encoding.split(",")[0] in str(caught.value)


def test_an_identity_encoding_is_read() -> None:
    """`Content-Encoding: identity` is the body as sent."""
    body = b'{"openapi": "3.0.3"}'

    def handler(conn: socket.socket, request: bytes) -> None:
        headers = {"Content-Encoding": "identity", "Content-Length": str(len(body))}
        conn.sendall(response_head(200, headers) + body)

    with raw_server(handler) as base:
        assert fetch(base + "/openapi.json", 100, 30) == body


@pytest.mark.parametrize("kind", ["fifo", "fifo as file:// URL", "device", "folder"])
def test_a_path_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path: Path, kind: str) -> None:
    """A FIFO (no writer: opening it would wait for ever), /dev/zero (endless) or a folder: refused in one line."""
    if kind.startswith("fifo"):
        target = tmp_path / "spec.json"
        os.mkfifo(target)
        source = target.as_uri() if "URL" in kind else str(target)
    else:
        source = "/dev/zero" if kind == "device" else str(tmp_path)
    with pytest.raises(FetchFailed, match="is not a regular file") as caught:
        fetch(source, 100, 5)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("http://[::1/openapi.json", "malformed URL"),
        ("http://[not-an-address]/openapi.json", "malformed URL"),
        ("http://127.0.0.1:99999/openapi.json", "malformed URL"),
        ("http://127.0.0.1/openapi.json\nhttp://elsewhere/", "control character at position 29"),
        ("http://127.0.0.1/open api.json", "whitespace"),
    ],
)
def test_a_malformed_url_is_refused_in_one_line(source: str, message: str) -> None:
    """A bad IPv6 host, a port out of range, a newline (urllib would drop it silently), a space."""
    with pytest.raises(FetchFailed, match=message) as caught:
        fetch(source, 100, 5)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("source", ["http://[::1/openapi.json", "http://127.0.0.1/a\nb.json"])
def test_update_spec_exits_2_with_one_line_on_a_malformed_url(tmp_path: Path, source: str) -> None:
    """The command exits 2 ("refused"), not 1 ("a check failed"), with one line and no traceback."""
    repo = light_repo(tmp_path)
    code, stdout, stderr = run_tool(repo, source)
    assert code == 2 and stdout == "", stderr
    (line,) = stderr.strip().splitlines()
    assert line.startswith("update-spec: cannot fetch the spec: ") and "Traceback" not in stderr
