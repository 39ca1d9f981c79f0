"""Every pool the client builds verifies with one TLS context per process, so building a client is cheap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from raia_agent import AsyncRaia, Raia, _httpx2, _pool, _transport

FLAVOURS = [Raia, AsyncRaia]


def context_of(client: Raia | AsyncRaia) -> Any:
    """The TLS context the client's own pool verifies with, whichever transport it is."""
    http: Any = client._http
    if isinstance(http, _httpx2.Sender | _httpx2.AsyncSender):
        return http._transport._pool._ssl_context
    transport = http._transport
    transport = getattr(transport, "_inner", transport)  # under the gate
    if hasattr(transport, "ssl_context"):  # aiohttp's
        return transport.ssl_context
    return transport._pool._ssl_context


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_clients_of_one_process_share_one_tls_context(flavour: type[Raia] | type[AsyncRaia]) -> None:
    """Two clients (and a copy sized for the import) verify with the same context, built once."""
    first, second = flavour(secret_key="sk-a"), flavour(secret_key="sk-b")
    assert context_of(first) is context_of(second)
    assert context_of(first).verify_mode.name == "CERT_REQUIRED" and context_of(first).check_hostname


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_changed_ssl_cert_file_gets_its_own_context(
    flavour: type[Raia] | type[AsyncRaia], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SSL_CERT_FILE set after a client was built still counts for the next one, as httpx reads it."""
    before = context_of(flavour(secret_key="sk-a"))
    authority = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(authority))
    monkeypatch.setenv("SSL_CERT_FILE", str(authority))
    after = context_of(flavour(secret_key="sk-a"))
    assert after is not before
    assert context_of(flavour(secret_key="sk-a")) is after


def test_httpx2_pools_keep_httpx2s_own_trust_store() -> None:
    """An httpx2 pool gets httpx2's default context (the system's store), never httpx's certifi one."""
    if _transport.HTTPX2 not in _transport.available():
        pytest.fail("the dev install has the [httpx2] extra")
    sync = _transport.sync_pool({"limits": httpx.Limits(), "timeout": httpx.Timeout(5.0)}, _transport.HTTPX2)
    assert isinstance(sync, _httpx2.Sender)
    ours = sync._transport._pool._ssl_context
    assert ours is _pool.default_tls(_httpx2.create_tls)
    assert ours is not _pool.default_tls()
    sync.close()
