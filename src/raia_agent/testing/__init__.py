"""A spec-faithful local raia API server for tests, demos and your own integration tests.

from raia_agent import Raia
from raia_agent.testing import local_server

with local_server() as server:
    client = Raia(secret_key=server.secret_key, base_url=server.base_url)
    server.fail_next("500", times=2)  # the next two requests get a 500
"""

from __future__ import annotations

try:
    import starlette  # noqa: F401
    import uvicorn
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        f"raia_agent.testing needs the testing extra ({exc.name} is missing): "
        "pip install 'raia-agent[testing]'"
    ) from exc

import contextlib
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ._access import AccessLog, AccessLogWriter
from ._app import Api, RequestIdMiddleware, new_request_id
from ._body import DEFAULT_BODY_LIMIT, parse_size
from ._faults import FAULT_KINDS, Fault, FaultKind, FaultMiddleware, FaultPlan
from ._protocol import timed_protocol
from ._routes import load
from ._store import DocumentStore

__all__ = [
    "DEFAULT_BODY_LIMIT",
    "FAULT_KINDS",
    "AccessLogWriter",
    "Fault",
    "FaultKind",
    "LocalServer",
    "listen",
    "local_server",
]


def __dir__() -> list[str]:
    # dir() lists the public names, not the modules and helpers imported here for the server's own use
    return sorted({*(name for name in globals() if name.startswith("_")), *__all__})


HEADER_TIMEOUT = 10.0
"""Seconds a client has to send a request's headers (Node's headersTimeout, shortened for tests)."""
REQUEST_TIMEOUT = 30.0
"""Seconds a client has, once its headers are in, to send the body."""
KEEP_ALIVE_TIMEOUT = 75.0
"""Idle seconds before a kept-alive connection is closed: above the client's pool and read timeouts
(10 s and 60 s), so the server never closes a connection the client is about to reuse."""


class LocalServer:
    """A running server: where it is, its key, its stored documents and its fault controls."""

    def __init__(
        self,
        *,
        secret_key: str,
        db: str = ":memory:",
        seed: int | None = None,
        spec: dict[str, Any] | None = None,
        body_limit: int | str = DEFAULT_BODY_LIMIT,
        header_timeout: float = HEADER_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
        access_log: AccessLogWriter | None = None,
    ) -> None:
        if spec is None:
            from raia_agent_api._spec import corrected_spec

            spec = corrected_spec()
        self.secret_key = secret_key
        self.spec = load(spec)
        self.store = DocumentStore(db)
        self.faults = FaultPlan(seed)
        self.body_limit = parse_size(body_limit)
        self.header_timeout, self.request_timeout = header_timeout, request_timeout
        self._counter = {"requests": 0}
        self.upserts: Counter[tuple[str, ...]] = Counter()
        """Accepted create-or-update calls per identity, e.g. (conversationMessageId, userId), lower-cased."""
        api = Api(self.spec, self.store, secret_key, self._counter, self.upserts, self.body_limit)
        self.app: Any = FaultMiddleware(RequestIdMiddleware(api), self.faults, new_request_id, self.spec)
        if access_log is not None:
            self.app = AccessLog(self.app, access_log, secret_key)
        self.host = "127.0.0.1"
        self.port = 0

    def __repr__(self) -> str:
        return f"<LocalServer {self.base_url}>"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def auth_headers(self) -> list[str]:
        """The header names the spec's apiKey security schemes use (e.g. Agent-Secret-Key)."""
        return self.spec.auth_headers

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

    def config(self, host: str, port: int, *, own_logging: bool = False) -> uvicorn.Config:
        """uvicorn's settings; `own_logging` lets uvicorn configure logging (the `serve` command)."""
        extra: dict[str, Any] = {} if own_logging else {"log_config": None}
        return uvicorn.Config(
            self.app,
            host=host,
            port=port,
            http=timed_protocol(self.header_timeout, self.request_timeout),
            lifespan="off",
            access_log=False,
            log_level="warning",
            proxy_headers=False,
            server_header=False,
            timeout_keep_alive=int(KEEP_ALIVE_TIMEOUT),
            timeout_graceful_shutdown=2,
            **extra,
        )


def listen(host: str, port: int) -> socket.socket:
    """A bound TCP socket. Created as IPPROTO_TCP so asyncio sets TCP_NODELAY on every connection it
    accepts (with protocol 0 it does not, and Nagle's algorithm holds each response ~40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.contextmanager
def local_server(
    *,
    secret_key: str | None = None,
    db: str = ":memory:",
    seed: int | None = None,
    spec: dict[str, Any] | None = None,
    body_limit: int | str = DEFAULT_BODY_LIMIT,
    header_timeout: float = HEADER_TIMEOUT,
    request_timeout: float = REQUEST_TIMEOUT,
    access_log: AccessLogWriter | None = None,
    fail: FaultKind | None = None,
    times: int | None = None,
    retry_after: str | None = None,
    delay: float | None = None,
) -> Iterator[LocalServer]:
    """Run a LocalServer on 127.0.0.1 on a free port in a background thread, for the `with` block.

    `spec` is an OpenAPI document to serve instead of the package's corrected spec. `fail` with
    `times`, `retry_after` and `delay` is passed to `fail_next` before the first request, e.g.
    `local_server(fail="500", times=2)`; those three without `fail` are a TypeError naming them.
    `access_log` is called with one line per request (method, path, status, ms, request id).
    """
    fault = _fault(fail, times, retry_after, delay)
    server = LocalServer(
        secret_key=secret_key or f"sk-local-{secrets.token_hex(16)}",
        db=db,
        seed=seed,
        spec=spec,
        body_limit=body_limit,
        header_timeout=header_timeout,
        request_timeout=request_timeout,
        access_log=access_log,
    )
    if fault is not None:
        server.fail_next(fault.kind, times or 1, retry_after=fault.retry_after, delay=fault.delay)
    sock = listen("127.0.0.1", 0)
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


def _fault(fail: Any, times: Any, retry_after: Any, delay: Any) -> Fault | None:
    """The fault local_server() schedules, its keywords checked before anything starts."""
    given = {"times": times, "retry_after": retry_after, "delay": delay}
    if fail is None:
        stray = [name for name, value in given.items() if value is not None]
        if stray:
            raise TypeError(f"local_server(): {', '.join(stray)} only applies with fail=<kind>")
        return None
    if times is not None and (not isinstance(times, int) or isinstance(times, bool)):
        raise TypeError(f"local_server(): times must be an int, not {type(times).__name__}")
    if times is not None and times < 1:
        raise ValueError(f"local_server(): times must be at least 1, not {times}")
    if retry_after is not None and not isinstance(retry_after, str):
        raise TypeError(f"local_server(): retry_after must be a str, not {type(retry_after).__name__}")
    if delay is not None and (not isinstance(delay, int | float) or isinstance(delay, bool)):
        raise TypeError(f"local_server(): delay must be a number of seconds, not {type(delay).__name__}")
    return Fault(
        fail,
        retry_after="1" if retry_after is None else retry_after,
        delay=1.0 if delay is None else float(delay),
    )
