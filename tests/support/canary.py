"""A 127.0.0.1 server that counts the requests it gets: a tool that must fetch nothing is caught by it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Counting(BaseHTTPRequestHandler):
    """Answers every GET with `body` and counts it in `hits` (per subclass: one per server)."""

    hits = 0
    body = b""

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def counting_server(body: bytes, path: str) -> Iterator[tuple[str, type[Counting]]]:
    """(the URL of PATH on a fresh 127.0.0.1 server answering BODY, its handler class with `hits`)."""
    handler = type("Handler", (Counting,), {"hits": 0, "body": body})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{path}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
