"""A whole-response deadline for Raia's own connections.

httpx's read timeout bounds each read, so a server trickling header lines (or body bytes) restarts
it for ever. AsyncRaia bounds a whole attempt with its event loop's timeout; Raia has no event loop,
so the connections of its own pool read through a network backend that bounds every read, write and
connect by what is left of the attempt's time (`deadline`). So do the connections a user's own
http_client opens once Raia has it.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterator
from contextvars import ContextVar
from types import ModuleType
from typing import Any

_AT: ContextVar[tuple[float, float] | None] = ContextVar("raia_agent_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Within the block, the reads of this thread on Raia's connections end `seconds` from now."""
    token = _AT.set(None if seconds is None else (time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _AT.reset(token)


def expired() -> str:
    """Why a timeout inside the block happened, if the whole response's time is up ("" if not)."""
    bound = _AT.get()
    if bound is None or time.monotonic() < bound[0]:
        return ""
    return f"the response did not arrive within {bound[1]:g} s"


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    bound = _AT.get()
    if bound is None:
        return timeout
    left = bound[0] - time.monotonic()
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
            data: bytes = self._inner.read(max_bytes, _left(timeout, core.ReadTimeout))
            return data

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, _left(timeout, core.WriteTimeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> Any:
            return Stream(
                self._inner.start_tls(ssl_context, server_hostname, _left(timeout, core.ConnectTimeout))
            )

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
            left = _left(timeout, core.ConnectTimeout)
            return Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> Any:
            return Stream(
                self._inner.connect_unix_socket(path, _left(timeout, core.ConnectTimeout), socket_options)
            )

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    return Backend
