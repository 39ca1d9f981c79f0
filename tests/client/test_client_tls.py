"""TLS verification failures against a real TLS server on 127.0.0.1: refused at once, never retried."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator

import httpx
import pytest
import trustme

from raia_agent import APIConnectionError, AsyncRaia, Raia
from raia_agent._retry import certificate_error
from tests.support.server_helpers import CREATE_ARGS

ARGS = CREATE_ARGS
KEY = "sk-test-tls-0123456789"


class TlsServer:
    """Accepts TCP connections on 127.0.0.1 and offers a certificate; counts the handshakes tried."""

    def __init__(self, cert: trustme.LeafCert) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self.context)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed by the test
            self.connections += 1
            try:
                with self.context.wrap_socket(conn, server_side=True):
                    pass  # the client refuses the certificate; nothing is ever answered
            except (ssl.SSLError, OSError):
                conn.close()

    def __enter__(self) -> TlsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.sock.close()
        self.thread.join(timeout=10)


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def self_signed(ca: trustme.CA) -> Iterator[TlsServer]:
    """A server whose certificate no default trust store knows."""
    with TlsServer(ca.issue_cert("127.0.0.1")) as server:
        yield server


@pytest.fixture
def wrong_host(ca: trustme.CA) -> Iterator[TlsServer]:
    """A server whose certificate is valid (trusted CA) but issued for another host name."""
    with TlsServer(ca.issue_cert("api.other-host.test")) as server:
        yield server


def check(exc: APIConnectionError, server: TlsServer, reason: str) -> None:
    cause = certificate_error(exc)
    assert cause is not None and reason in str(cause)
    assert isinstance(exc.__cause__, httpx.ConnectError)
    assert "TLS certificate verification failed" in str(exc) and KEY not in str(exc)
    assert server.connections == 1  # max_retries=3, yet one attempt


def test_an_untrusted_certificate_fails_at_once_without_retries(self_signed: TlsServer) -> None:
    """A self-signed certificate is an APIConnectionError on the first attempt, its cause attached."""
    url = f"https://127.0.0.1:{self_signed.port}"
    with (
        Raia(secret_key=KEY, base_url=url, max_retries=3) as client,
        pytest.raises(APIConnectionError) as caught,
    ):
        client.feedback.create_or_update(**ARGS)
    check(caught.value, self_signed, "certificate verify failed")


async def test_an_untrusted_certificate_fails_at_once_async(self_signed: TlsServer) -> None:
    """AsyncRaia: the same single attempt for a certificate the client does not trust."""
    async with AsyncRaia(
        secret_key=KEY, base_url=f"https://127.0.0.1:{self_signed.port}", max_retries=3
    ) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.feedback.create_or_update(**ARGS)
    check(caught.value, self_signed, "certificate verify failed")


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_certificate_for_another_host_fails_at_once(
    flavour: str, wrong_host: TlsServer, ca: trustme.CA
) -> None:
    """A trusted certificate naming another host fails hostname verification once, not retried."""
    url = f"https://127.0.0.1:{wrong_host.port}"
    context = ssl.create_default_context()
    ca.configure_trust(context)
    if flavour == "sync":
        http = httpx.Client(verify=context)
        client = Raia(secret_key=KEY, base_url=url, max_retries=3, http_client=http)
        with client, pytest.raises(APIConnectionError) as caught:
            client.feedback.create_or_update(**ARGS)
    else:
        async with AsyncRaia(
            secret_key=KEY, base_url=url, max_retries=3, http_client=httpx.AsyncClient(verify=context)
        ) as ac:
            with pytest.raises(APIConnectionError) as caught:
                await ac.feedback.create_or_update(**ARGS)
    check(caught.value, wrong_host, "IP address mismatch")
