"""A server echoing the key (status line, x-request-id, any header, the body) never gets it into a log
record of any logger, nor into what the error holds: body, headers, message, problems, repr.

The server is a raw socket on 127.0.0.1 that echoes back whatever the client sent in the spec's auth
header; the root logger is at DEBUG, so httpx, httpcore, aiohttp, stamina and asyncio all log.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable
from dataclasses import replace

import pytest
from raia_agent_api.resources._operations import AUTH_HEADERS

from raia_agent import (
    AsyncRaia,
    BadRequestError,
    InternalServerError,
    Raia,
    RaiaError,
    ResponseValidationError,
    _logging,
    _options,
    _transport,
)
from raia_agent._logging import REDACTED, Redactor
from raia_agent.testing import LocalServer
from tests.support.raw_server import raw_server
from tests.support.server_helpers import CREATE_ARGS

CANARY = "sk-echo-3d0c9b1f7a2e4856"
HEADER = AUTH_HEADERS[0]  # the spec's apiKey header
ARGS = CREATE_ARGS


def sent_key(request: bytes) -> str:
    """The value the client sent in the auth header: what this server echoes."""
    for line in request.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == HEADER.lower().encode():
            return value.strip().decode("latin-1")
    raise AssertionError(f"no {HEADER} header in the request")


def echoing(status: int) -> Callable[[socket.socket, bytes], None]:
    """Answers `status` with the key in the reason phrase, x-request-id, another header and the body."""

    def answer(conn: socket.socket, request: bytes) -> None:
        key = sent_key(request)
        body = json.dumps({"message": f"bad key {key}", "id": key}).encode()
        head = (
            f"HTTP/1.1 {status} {key}\r\nx-request-id: {key}\r\nx-echo: Bearer {key}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
            # One answer per connection, said, so a retry never races the close on a pooled socket.
            "connection: close\r\n\r\n"
        )
        conn.sendall(head.encode("latin-1") + body)

    return answer


async def failed_call(flavour: str, url: str) -> RaiaError:
    """The error one create_or_update raises against `url` (one retry allowed)."""
    try:
        if flavour == "sync":
            with Raia(secret_key=CANARY, base_url=url, max_retries=1) as client:
                client.feedback.create_or_update(**ARGS)
        else:
            async with AsyncRaia(secret_key=CANARY, base_url=url, max_retries=1) as aclient:
                await aclient.feedback.create_or_update(**ARGS)
    except RaiaError as exc:
        return exc
    raise AssertionError("the call succeeded against a server answering only errors")


STATUSES: dict[int, type[RaiaError]] = {
    400: BadRequestError,
    500: InternalServerError,
    201: ResponseValidationError,
}


@pytest.mark.parametrize("status", sorted(STATUSES))
@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_no_log_record_of_any_logger_holds_a_key_the_server_echoes(
    flavour: str, status: int, async_transport: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Root logger at DEBUG: every record (message, msg, args, every attribute) hides the echoed key."""
    caplog.set_level(logging.DEBUG)
    with raw_server(echoing(status)) as url:
        await failed_call(flavour, url)
    assert caplog.records
    for record in caplog.records:
        for shown in (record.getMessage(), str(record.msg), repr(record.args), repr(vars(record))):
            assert CANARY not in shown, f"{record.name}: {shown[:300]}"
    messages = [(record.name, record.getMessage()) for record in caplog.records]
    # The echo reached the records and was hidden there, not merely absent: the client layer's
    # response line (httpx's, or httpx2's, which sends itself over its pool) quotes the status
    # line, and httpcore's (under Raia, or httpx's own async pool) the headers.
    layer = _transport.SYNC_DEFAULT if flavour == "sync" else async_transport
    layer = "httpx2" if layer == _transport.HTTPX2 else "httpx"
    assert any(name == layer and REDACTED in text for name, text in messages), messages
    if flavour == "sync" or async_transport == "httpx":
        headers = [text for name, text in messages if "receive_response_headers.complete" in text]
        assert headers and all(REDACTED in text for text in headers), messages


@pytest.mark.parametrize("status", sorted(STATUSES))
@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_an_error_hides_the_echoed_key_in_its_body_headers_message_and_repr(
    flavour: str, status: int, async_transport: str
) -> None:
    """exc.body, exc.response.headers, exc.message, exc.request_id, problems and reprs show [REDACTED]."""
    with raw_server(echoing(status)) as url:
        exc = await failed_call(flavour, url)
    assert isinstance(exc, STATUSES[status]), repr(exc)
    response = exc.response  # type: ignore[attr-defined]
    shown = [
        exc.message,  # type: ignore[attr-defined]
        str(exc),
        repr(exc),
        repr(exc.body),  # type: ignore[attr-defined]
        repr(response.headers),
        repr(response.headers.raw),
        str(exc.request_id),  # type: ignore[attr-defined]
        repr(getattr(exc, "error", None)),
        repr(getattr(exc, "problems", None)),
    ]
    for text in shown:
        assert CANARY not in text, text[:300]
    assert exc.body["id"] == REDACTED, exc.body  # type: ignore[attr-defined]
    assert response.headers["x-request-id"] == REDACTED
    assert response.headers["x-echo"] == f"Bearer {REDACTED}"
    assert response.headers["content-type"] == "application/json"  # the rest as received


def test_a_record_without_a_secret_is_left_as_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The filter rewrites only records that show a live client's secret: others keep their msg and args."""
    caplog.set_level(logging.DEBUG)
    with Raia(secret_key=CANARY, base_url="http://127.0.0.1:9"):
        logging.getLogger("httpcore.http11").debug("plain %s %d", "words", 3)
        logging.getLogger("httpx").debug("echo %s", (b"x-request-id", CANARY.encode()))
        logging.getLogger().debug("root %s", CANARY)
    plain, echoed, root = caplog.records[-3:]
    assert (plain.msg, plain.args) == ("plain %s %d", ("words", 3))
    for record in (echoed, root):
        assert record.args == () and REDACTED in record.getMessage()
        assert CANARY not in repr(vars(record))


def test_the_filter_does_no_work_for_a_call_while_debug_is_off(
    server: LocalServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the loggers at WARNING a call never reaches the redaction; at DEBUG it does (bounded work)."""
    looked: list[str] = []
    hide = _logging._hide

    def counting(record: logging.LogRecord, live: list[Redactor]) -> None:
        looked.append(record.name)
        hide(record, live)

    monkeypatch.setattr(_logging, "_hide", counting)
    with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
        caplog.set_level(logging.WARNING)
        client.feedback.create_or_update(**ARGS)
        assert looked == []
        caplog.set_level(logging.DEBUG)
        client.feedback.create_or_update(**ARGS)
    layer = (
        "httpx2" if _transport.SYNC_DEFAULT == _transport.HTTPX2 else "httpx"
    )  # the client layer that sent
    assert layer in looked and any(name.startswith("httpcore") for name in looked), looked


def test_every_secret_the_client_sends_is_redacted_not_one_header_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A client's secrets are its credentials and the values of its credential headers (and a bearer token's credential alone)."""
    options = _options.resolve(
        options={"secret_key": CANARY}, base_url=None, timeout=5.0, max_retries=0, default_headers=None
    )
    assert options.secrets == (CANARY,)
    # every credential option the client holds, whatever its name
    assert set(replace(options, credentials={**options.credentials, "other_token": "tok-3"}).secrets) == {
        CANARY,
        "tok-3",
    }
    # A spec whose scheme is a bearer token: the header's whole value, and the token alone.
    monkeypatch.setattr(_options, "AUTH_HEADERS", ("Authorization",))
    bearer = _options.resolve(
        options={"secret_key": "tok-91c2"}, base_url=None, timeout=5.0, max_retries=0, default_headers=None
    )
    bearer = replace(bearer, headers={**bearer.headers, "Authorization": "Bearer tok-second-91c2"})
    assert set(bearer.secrets) == {"tok-91c2", "Bearer tok-second-91c2", "tok-second-91c2"}
    redactor = Redactor((CANARY, "tok-second-91c2"), AUTH_HEADERS)
    text = redactor.text(f"key {CANARY} bearer tok-second-91c2")
    assert text == f"key {REDACTED} bearer {REDACTED}"
    assert redactor.holds(CANARY) and not redactor.holds(text)
