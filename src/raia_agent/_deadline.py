"""A whole-response deadline for Raia's own connections.

httpx's read timeout bounds each read, so a server trickling header lines (or body bytes) restarts
it for ever. Raia has no event loop to bound an attempt with, so the connections of its own pool read
through a network backend that gives each read what is left of the attempt's read timeout, counted
from its first read (`start`, `stop`); connecting and sending keep their own timeouts. The connections a
user's own http_client opens once Raia has it read the same way.
"""

from __future__ import annotations

import functools
import time
from contextvars import ContextVar, Token
from types import ModuleType
from typing import Any


class _Clock:
    """One attempt's read budget: it starts at the attempt's first read, once the request is sent,
    so connecting, waiting for a pooled connection and sending the body keep their own timeouts."""

    __slots__ = ("ends", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds, self.ends = seconds, 0.0

    def left(self) -> float:
        now = time.monotonic()
        if not self.ends:
            self.ends = now + self.seconds
        return self.ends - now


_CLOCK: ContextVar[_Clock | None] = ContextVar("raia_agent_deadline", default=None)


def start(seconds: float | None) -> Token[_Clock | None]:
    """Until `stop`, the reads of this thread on Raia's connections, all together, take at most
    `seconds` from the first of them. (A pair of calls, not a context manager: a microsecond a call.)"""
    return _CLOCK.set(None if seconds is None else _Clock(seconds))


def stop(token: Token[_Clock | None]) -> None:
    _CLOCK.reset(token)


def expired() -> str:
    """Why a timeout inside the block happened, if the response's time is up ("" if not)."""
    clock = _CLOCK.get()
    if clock is None or not clock.ends or time.monotonic() < clock.ends:
        return ""
    return f"the response did not arrive within {clock.seconds:g} s"


def _read_timeout(timeout: float | None, error: type[Exception]) -> float | None:
    clock = _CLOCK.get()
    if clock is None:
        return timeout
    left = clock.left()
    if left <= 0:
        raise error(expired())
    return left if timeout is None else min(timeout, left)


def bound(client: Any) -> None:
    """Bound the connections `client` opens from now on (an httpx.Client or an httpx2.Client, the
    user's own too: outside a Raia attempt the backend only passes calls through). Its transports
    over httpcore (httpcore2) get the bounding backend before their pool opens anything; a transport
    of another kind (a mock, a user's own) is left as it is."""
    import importlib

    core = importlib.import_module(
        "httpcore2" if type(client).__module__.startswith("httpx2") else "httpcore"
    )
    wrap = _backend_type(core)
    for transport in [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]:
        pool = getattr(transport, "_pool", None)
        inner = getattr(pool, "_network_backend", None)
        if isinstance(inner, core.NetworkBackend) and not isinstance(inner, wrap):
            pool._network_backend = wrap(inner)  # type: ignore[union-attr]


@functools.cache
def _backend_type(core: ModuleType) -> Any:
    """The bounding backend and stream classes for httpcore or httpcore2 (the same interface)."""

    class Stream(core.NetworkStream):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            data: bytes = self._inner.read(max_bytes, _read_timeout(timeout, core.ReadTimeout))
            return data

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, timeout)

        def close(self) -> None:
            self._inner.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> Any:
            return Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class Backend(core.NetworkBackend):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> Any:
            return Stream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> Any:
            return Stream(self._inner.connect_unix_socket(path, timeout, socket_options))

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    return Backend
