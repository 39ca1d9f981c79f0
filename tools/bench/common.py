"""What every part of `make bench` shares: the call it measures, rounds that rotate, ratios, the load."""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import AsyncRaia, Raia
from raia_agent._pool import Pool
from raia_agent._transport import HTTPX
from raia_agent.testing._instances import instance
from raia_agent.testing._routes import Validator

KEY = "sk-bench"
BASE = "https://api.raia2.com"
PATH = "/external/conversation-message-feedbacks"
URL = BASE + PATH
HEADERS = {"Agent-Secret-Key": KEY}
MESSAGE_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
USER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
BODY = {"conversationMessageId": MESSAGE_ID, "userId": USER_ID, "voteType": "up", "question": "Why?"}
ARGS: dict[str, Any] = {
    "conversation_message_id": MESSAGE_ID,
    "user_id": USER_ID,
    "vote_type": "up",
    "question": "Why?",
}
# The 201 body is built from the spec's reply schema (echoing the request), never written here, so
# a vendor update that adds a reply field cannot make the client reject it.
ANSWER = json.dumps(instance(Validator(CREATE.replies[CREATE.success].schema or {}), BODY)).encode()
ROUNDS = 7
CALLS = 3000

Row = tuple[str, str, str]
T = TypeVar("T")


def rotated(names: list[str], round_no: int) -> list[str]:
    shift = round_no % len(names)
    return names[shift:] + names[:shift]


def interleaved(candidates: dict[str, Callable[[], T]], rounds: int = ROUNDS) -> dict[str, list[T]]:
    """Each candidate measured once per round, in an order that rotates from round to round."""
    samples: dict[str, list[T]] = {name: [] for name in candidates}
    for round_no in range(rounds):
        for name in rotated(list(candidates), round_no):
            samples[name].append(candidates[name]())
    return samples


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in samples.items()}


def ratio(samples: dict[str, list[float]], top: str, bottom: str) -> str:
    """Median of the per-round ratios top/bottom, with their range: rounds pair up, so the
    machine's drift during the run cancels within a round rather than across the run."""
    per_round = sorted(a / b for a, b in zip(samples[top], samples[bottom], strict=True))
    return f"{statistics.median(per_round):.2f}x ({per_round[0]:.2f}-{per_round[-1]:.2f})"


def quick() -> bool:
    """`make bench QUICK=1`: smaller sizes and fewer rounds, to check the machinery, not to quote."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def scaled(full: int, small: int) -> int:
    return small if quick() else full


def handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        201, content=ANSWER, headers={"content-type": "application/json", "x-request-id": "r"}
    )


def handler2(request: Any) -> Any:
    """The same answer from httpx2's mock transport (an httpx2 request, an httpx2 response)."""
    import httpx2

    return httpx2.Response(
        201, content=ANSWER, headers={"content-type": "application/json", "x-request-id": "r"}
    )


@contextmanager
def over_transport(client: Raia | AsyncRaia, transport: Any, kind: str = HTTPX) -> Iterator[None]:
    """Give `client` a pool of its own over `kind` (httpx's unless told: what a plain install
    has), and route it through `transport` (an httpx mock for httpx's, an httpx2 one for httpx2's).

    Raia has no transport argument, and handing it an http_client takes another code path
    (per-call headers), so the pool is built as the client builds its own and its transport replaced.
    """
    original = client._pool
    client._pool = Pool(settings=client._client_settings(), transport=kind, http_type=client._http_type)
    client._urls = {}
    http: Any = client._http
    if not hasattr(http, "_transport"):
        raise SystemExit(f"tools/bench: cannot find the transport inside {type(client).__name__}'s pool")
    http._transport = transport
    try:
        yield
    finally:
        client._pool, client._urls = original, {}


def load() -> float:
    """The 1-minute load average, printed beside every figure: ratios from one run compare, and
    a figure taken on a busy machine says so."""
    return os.getloadavg()[0]
