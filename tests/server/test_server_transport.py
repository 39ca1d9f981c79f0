"""The local server's connections and its optional dependencies (issue 11, item 4)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import time

from raia_agent.testing import local_server
from tests.support.server_helpers import request_body

PATH = "/external/conversation-message-feedbacks"


def server_side_of(client: socket.socket) -> socket.socket:
    """The server's accepted socket for `client`: the server runs in this process, so it is one of our fds."""
    want = (client.getpeername(), client.getsockname())
    for fd in os.listdir("/proc/self/fd"):
        try:
            candidate = socket.socket(fileno=os.dup(int(fd)))
        except OSError:
            continue
        try:
            if (candidate.getsockname(), candidate.getpeername()) == want:
                return candidate
        except OSError:
            pass
        candidate.close()
    raise AssertionError("the server's side of the connection was not found")


def request(key: str) -> bytes:
    body = str(request_body()).replace("'", '"').encode()
    return (
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAgent-Secret-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def read_response(sock: socket.socket) -> bytes:
    """One whole response (headers and Content-Length body) from a kept-alive connection."""
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        data += recv(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.IGNORECASE).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += recv(sock)
    return head


def recv(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise AssertionError("the server closed the connection")
    return chunk


def test_accepted_connections_have_tcp_nodelay() -> None:
    """The server's side of a connection has TCP_NODELAY, so Nagle's algorithm never holds a response."""
    with local_server() as server, socket.create_connection(("127.0.0.1", server.port)) as client:
        client.sendall(request(server.secret_key))
        assert read_response(client).startswith(b"HTTP/1.1 201 ")
        with server_side_of(client) as accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_an_idle_kept_alive_connection_outlives_the_old_five_seconds() -> None:
    """A connection idle for longer than uvicorn's default keep-alive (5 s) is still open and usable."""
    with local_server() as server, socket.create_connection(("127.0.0.1", server.port)) as client:
        client.sendall(request(server.secret_key))
        assert read_response(client).startswith(b"HTTP/1.1 201 ")
        time.sleep(6)
        client.sendall(request(server.secret_key))
        assert read_response(client).startswith(b"HTTP/1.1 201 ")


BLOCKER = """
import importlib.abc, sys

class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("starlette", "uvicorn"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Hide())
try:
    import raia_agent.testing
except ImportError as exc:
    print(exc)
    sys.exit(7)
"""


def test_importing_testing_without_its_extra_names_the_extra() -> None:
    """Without starlette and uvicorn, `import raia_agent.testing` says which extra to install."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(BLOCKER)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 7, result.stderr
    assert "pip install 'raia-agent[testing]'" in result.stdout
