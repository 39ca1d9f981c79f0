"""Shared fixtures: the repository root and the local server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina
from hypothesis import HealthCheck, settings

from raia_agent import _transport
from raia_agent.testing import LocalServer, local_server
from tests import _frozen

ROOT = Path(__file__).resolve().parent.parent
# The suite runs strict: every client it builds (and every CLI it starts, which inherits the
# environment) refuses a response that breaks the spec in any way, so a server or fixture that
# drifts from the spec fails a test instead of passing with a warning. Lenient tests say
# strict_responses=False.
os.environ["RAIA_AGENT_STRICT_RESPONSES"] = "1"

# Speed is make bench's business: a per-example deadline is a timed assertion that fails on a loaded
# machine (seen under parallel workers), so no test has one.
settings.register_profile("raia", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("raia")


@pytest.fixture(scope="session", autouse=True)
def _shared_generations(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Packages generated from the same frozen inputs are made once per run, shared by every worker."""
    base = tmp_path_factory.getbasetemp()
    _frozen.SHARED = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(autouse=True)
def _no_retry_sleeps() -> Iterator[None]:
    """Keep the suite from sleeping between retries while keeping each client's attempt count."""
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The client behaviour tests that can reach AsyncRaia run over every transport installed."""
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module.startswith("test_client_") and _reaches_async(metafunc):
        metafunc.parametrize("async_transport", _transport.available(), indirect=True)


def _reaches_async(metafunc: pytest.Metafunc) -> bool:
    import inspect

    uses = {"flavour", "cls", "aclient"} & set(metafunc.fixturenames)
    return (
        bool(uses)
        or inspect.iscoroutinefunction(metafunc.function)
        or "AsyncRaia" in inspect.getsource(metafunc.function)
    )


@pytest.fixture(autouse=True)
def async_transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The transport under every AsyncRaia that builds its own pool (the default elsewhere)."""
    kind: str = getattr(request, "param", _transport.DEFAULT)
    monkeypatch.setattr(_transport, "DEFAULT", kind)
    return kind


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
