"""The connection pool a client and its with_options copies share."""

from __future__ import annotations

import functools
import os
import ssl
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from . import _httpx2
from ._exceptions import RaiaError

if TYPE_CHECKING:
    from ._transport import HTTP

# Enough connections for the import's default concurrency without waiting on the pool.
DEFAULT_LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=32)


def default_tls(create: Callable[[], ssl.SSLContext] = httpx.create_ssl_context) -> ssl.SSLContext:
    """The TLS context the pools the client builds verify with, made by `create` (httpx's: certifi's
    bundle; httpx2's: the system's store): one per process, because loading the certificates is
    most of what building a client costs (~45 ms of CPU each). Keyed by the variables both read when
    they build one, so a changed SSL_CERT_FILE or SSL_CERT_DIR still counts."""
    return _tls(create, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=8)
def _tls(create: Callable[[], ssl.SSLContext], cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return create()


# Taken only in a forked child, to open its one new pool: a lock copied from the parent may be held
# there by a thread that no longer exists, so every child starts with a fresh one.
_reopening = threading.Lock()


def _fresh_lock() -> None:
    global _reopening
    _reopening = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock)


class Pool:
    """The connection pool a client and its with_options copies share, bound to one process.

    After os.fork() the child must not write to the parent's sockets: the first call there
    opens a new pool (a user's http_client cannot be rebuilt, so that is a RaiaError).
    """

    __slots__ = ("abandoned", "http", "http_type", "owned", "pid", "settings", "transport")

    def __init__(
        self,
        *,
        settings: dict[str, Any],
        users: Any = None,
        transport: str | None = None,
        http_type: type[httpx.Client] | type[httpx.AsyncClient] = httpx.Client,
    ) -> None:
        """A pool built from `settings` over `transport` (see _transport), or the user's own
        http_client `users` (an httpx or httpx2 client, which this pool never closes)."""
        self.owned, self.settings, self.transport, self.pid = users is None, settings, transport, os.getpid()
        self.http_type = http_type
        self.http: HTTP
        if users is None:
            self.http = self._new(http_type)
        else:
            from ._transport import adopt

            self.http = adopt(users, http_type)
        # The parent's pool, kept referenced and never closed here: closing it from the child
        # could end a TLS session the parent still uses.
        self.abandoned: list[HTTP] = []

    def live(self, owner: str) -> HTTP:
        if self.pid == os.getpid():
            return self.http
        with _reopening:  # threads of the child racing here open one pool, not one each
            if self.pid == os.getpid():
                return self.http
            return self._reopen(owner)

    def _reopen(self, owner: str) -> HTTP:
        if not self.owned:
            raise RaiaError(
                f"this {owner} was created before os.fork() with an http_client of your own, whose "
                "connections the parent process still uses; create the client in the child process"
            )
        self.abandoned.append(self.http)
        self.http = self._new(self.http_type)
        self.pid = os.getpid()
        return self.http

    def url(self, text: str) -> Any:
        """`text` parsed as the URL type this pool sends (httpx's or httpx2's), to be kept and reused."""
        if isinstance(self.http, _httpx2.Sender | _httpx2.AsyncSender):
            return self.http.url(text)
        return httpx.URL(text)

    def _new(self, http_type: type[httpx.Client] | type[httpx.AsyncClient]) -> HTTP:
        # the transport is chosen once per pool (see _transport)
        from ._transport import async_pool, sync_pool

        if http_type is httpx.AsyncClient:
            return async_pool(self.settings, self.transport)
        return sync_pool(self.settings, self.transport)


class NoCookies(httpx.Cookies):
    """A cookie store that keeps nothing: the API authenticates by header and sets no cookies,
    yet httpx would parse every response for them through http.cookiejar."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None
