"""Shared fixtures: the repository root and the local server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina

from raia_agent.testing import LocalServer, local_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_retry_sleeps() -> Iterator[None]:
    """Keep the suite from sleeping between retries while keeping each client's attempt count."""
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A scratch copy of the repository sharing the installed virtualenv."""
    dest = tmp_path / "repo"
    shutil.copytree(
        ROOT,
        dest,
        ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "*cache*", "__pycache__"),
    )
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local API server, stopped after the test."""
    with local_server() as running:
        yield running


MESSAGE_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
USER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
PATH = "/external/conversation-message-feedbacks"


def feedback_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "conversationMessageId": MESSAGE_ID,
        "userId": USER_ID,
        "voteType": "up",
        "question": "How do I reset my password?",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}
