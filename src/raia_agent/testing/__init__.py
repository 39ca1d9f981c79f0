"""A spec-faithful local raia API server for tests, demos and your own integration tests.

from raia_agent import Raia
from raia_agent.testing import local_server

with local_server() as server:
    client = Raia(secret_key=server.secret_key, base_url=server.base_url)
    server.fail_next("500", times=2)  # the next two requests get a 500
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import uvicorn

from ._app import RequestIdMiddleware, build_app, new_request_id
from ._faults import FAULT_KINDS, Fault, FaultKind, FaultMiddleware, FaultPlan
from ._store import FeedbackStore

__all__ = ["FAULT_KINDS", "Fault", "FaultKind", "LocalServer", "local_server"]


class LocalServer:
    """A running server: where it is, its key, its stored feedbacks and its fault controls."""

    def __init__(self, *, secret_key: str, db: str = ":memory:", seed: int | None = None) -> None:
        self.secret_key = secret_key
        self.store = FeedbackStore(db)
        self.faults = FaultPlan(seed)
        self._counter = {"requests": 0}
        self.upserts: Counter[tuple[str, str]] = Counter()
        """Accepted upserts per (conversationMessageId, userId), lower-cased."""
        self.app = FaultMiddleware(
            RequestIdMiddleware(build_app(self.store, secret_key, self._counter, self.upserts)),
            self.faults,
            new_request_id,
        )
        self.host = "127.0.0.1"
        self.port = 0

    def __repr__(self) -> str:
        return f"<LocalServer {self.base_url}>"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def requests_received(self) -> int:
        """Every HTTP request that arrived, faults included."""
        return self.faults.seen

    @property
    def requests_handled(self) -> int:
        """Requests that reached the API (injected faults excluded)."""
        return self._counter["requests"]

    def fail_next(
        self, kind: FaultKind, times: int = 1, *, retry_after: str = "1", delay: float = 1.0
    ) -> None:
        """Make the next `times` requests suffer `kind`: "500", "429", "502", "slow" or "drop"."""
        self.faults.next(Fault(kind, retry_after=retry_after, delay=delay), times)

    def fail_fraction(
        self, kind: FaultKind, fraction: float, *, retry_after: str = "1", delay: float = 1.0
    ) -> None:
        """Make a random `fraction` of requests (after any queued ones) suffer `kind`."""
        self.faults.fraction(Fault(kind, retry_after=retry_after, delay=delay), fraction)

    def clear_faults(self) -> None:
        self.faults.clear()

    def config(self, host: str, port: int) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            host=host,
            port=port,
            http="h11",
            lifespan="off",
            access_log=False,
            log_level="warning",
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=2,
        )


@contextlib.contextmanager
def local_server(
    *, secret_key: str | None = None, db: str = ":memory:", seed: int | None = None, **faults: Any
) -> Iterator[LocalServer]:
    """Run a LocalServer on 127.0.0.1 on a free port in a background thread, for the `with` block.

    `faults` are passed to `fail_next` before the first request, e.g. `local_server(fail="500", times=2)`.
    """
    server = LocalServer(secret_key=secret_key or f"sk-local-{secrets.token_hex(16)}", db=db, seed=seed)
    if faults:
        server.fail_next(faults.pop("fail"), **faults)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server.port = sock.getsockname()[1]
    uv = uvicorn.Server(server.config("127.0.0.1", server.port))
    thread = threading.Thread(
        target=uv.run, kwargs={"sockets": [sock]}, name="raia-local-server", daemon=True
    )
    thread.start()
    try:
        while not uv.started:
            if not thread.is_alive():
                raise RuntimeError("the local server failed to start")
            time.sleep(0.01)
        yield server
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()
        server.store.close()
