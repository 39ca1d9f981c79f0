"""A canary key never shows in a repr, str, exception chain or log record, whatever happens."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import httpx
import pytest
from raia_agent_api.resources._operations import AUTH_HEADERS

from raia_agent import AsyncRaia, Raia, RaiaError
from raia_agent.testing import LocalServer, local_server
from tests.support.server_helpers import CREATE_ARGS

CANARY = "sk-canary-7f3a9c2e41b64d0d"
HEADER = AUTH_HEADERS[0]  # the spec's apiKey header
ARGS = CREATE_ARGS


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def assert_clean(*objects: object) -> None:
    for obj in objects:
        texts = [repr(obj), str(obj)]
        if isinstance(obj, BaseException):
            for link in chain(obj):
                texts += [repr(link), str(link), repr(link.args)]
        for text in texts:
            assert CANARY not in text, f"canary key leaked in {type(obj).__name__}: {text[:200]}"


@pytest.fixture
def canary_server() -> Iterator[LocalServer]:
    with local_server(secret_key=CANARY) as server:
        yield server


def run_scenarios(server: LocalServer) -> list[object]:
    """Run every client scenario with the canary key; return what a user could print."""
    seen: list[object] = []

    def attempt(client: Raia, call: Callable[[Raia], object]) -> None:
        try:
            seen.append(call(client))
        except RaiaError as exc:
            seen.append(exc)

    with Raia(secret_key=CANARY, base_url=server.base_url) as client:
        seen += [
            client,
            client.with_options(max_retries=0),
            client.feedback,
            client.feedback.with_raw_response,
        ]
        attempt(client, lambda c: c.feedback.create_or_update(**ARGS))
        attempt(client, lambda c: c.feedback.with_raw_response.create_or_update(**ARGS))
        for kind in ("500", "429", "502", "drop"):
            server.fail_next(kind, times=3, retry_after="0")  # type: ignore[arg-type]
            attempt(client, lambda c: c.feedback.create_or_update(**ARGS))
        server.fail_next("slow", times=3, delay=0.5)
        attempt(client, lambda c: c.feedback.create_or_update(**ARGS, timeout=0.1))
        for bad in ({"user_id": "x"}, {"question": 5}):
            try:
                client.feedback.create_or_update(**{**ARGS, **bad})
            except (TypeError, ValueError) as exc:
                seen.append(exc)
    with Raia(secret_key=CANARY + "x", base_url=server.base_url) as wrong:
        attempt(wrong, lambda c: c.feedback.create_or_update(**ARGS))
    for broken in (CANARY + "\r\n", CANARY + "\x00", "\n" + CANARY):
        try:
            Raia(secret_key=broken, base_url=server.base_url)
        except ValueError as exc:
            seen.append(exc)

    def echo(request: httpx.Request) -> httpx.Response:
        # A misbehaving server echoing the key back in error and success bodies.
        return httpx.Response(400, json={"message": f"bad key {request.headers[HEADER]}"})

    def echo_201(request: httpx.Request) -> httpx.Response:
        key = request.headers[HEADER]
        return httpx.Response(
            201, content=f'{{"id": "{key}"'.encode(), headers={"content-type": "application/json"}
        )

    def echo_201_valid_json(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"id": request.headers[HEADER]})

    for handler in (
        echo,
        echo_201,
        echo_201_valid_json,
        lambda r: httpx.Response(201, text=r.headers[HEADER]),
    ):
        http = httpx.Client(transport=httpx.MockTransport(handler))
        with Raia(secret_key=CANARY, http_client=http) as mocked:
            attempt(mocked, lambda c: c.feedback.create_or_update(**ARGS))

    async def run_async() -> None:
        async with AsyncRaia(secret_key=CANARY, base_url=server.base_url) as aclient:
            seen.append(aclient)
            server.fail_next("500", times=3)
            try:
                await aclient.feedback.create_or_update(**ARGS)
            except RaiaError as exc:
                seen.append(exc)

    asyncio.run(run_async())
    return seen


def test_canary_never_leaks(canary_server: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    """Across every scenario, at every log level, the key appears nowhere a user would see it."""
    caplog.set_level(logging.DEBUG)
    seen = run_scenarios(canary_server)
    assert len([s for s in seen if isinstance(s, BaseException)]) >= 12
    assert_clean(*seen)
    assert caplog.records, "debug logging was on: records expected"
    for record in caplog.records:
        assert CANARY not in record.getMessage(), record.name
        assert CANARY not in repr(record.args)
        assert CANARY not in repr(record.__dict__.get("extra", ""))


def test_debug_env_logging_redacts(canary_server: LocalServer) -> None:
    """RAIA_AGENT_LOG=debug logs requests to stderr with the key redacted."""
    code = f"from raia_agent import Raia\nRaia().feedback.create_or_update(**{dict(ARGS)!r})\n"
    env = {
        **os.environ,
        "RAIA_AGENT_LOG": "debug",
        "RAIA_AGENT_SECRET_KEY": CANARY,
        "RAIA_AGENT_BASE_URL": canary_server.base_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert f"{HEADER}': '[REDACTED]'" in result.stderr
    assert "-> 201" in result.stderr
    assert CANARY not in result.stderr + result.stdout
