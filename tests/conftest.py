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
from tests.support import lanes as _lanes

ROOT = Path(__file__).resolve().parent.parent
# The suite runs strict: every client it builds (and every CLI it starts, which inherits the
# environment) refuses a response that breaks the spec in any way, so a server or fixture that
# drifts from the spec fails a test instead of passing with a warning. Lenient tests say
# strict_responses=False.
os.environ["RAIA_AGENT_STRICT_RESPONSES"] = "1"

# Speed is make bench's business: a per-example deadline is a timed assertion that fails on a loaded
# machine (seen under parallel workers), so no test has one.
# Both are written out in full from hypothesis' own default profile: a setting a profile leaves out is
# read from whichever profile was loaded when it was registered.
settings.register_profile(
    _lanes.FULL_PROFILE,
    parent=settings.get_profile("default"),
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# The usual development/CI split: `make test-fast` selects this profile (--hypothesis-profile), a tenth
# of the examples, while `make test` and a bare pytest keep the full counts.
settings.register_profile(
    _lanes.FAST_PROFILE, parent=settings.get_profile(_lanes.FULL_PROFILE), max_examples=10
)
settings.load_profile(_lanes.FULL_PROFILE)


AUDIT = _lanes.Audit()
SLOW_TIMEOUT = 1800


def pytest_configure(config: pytest.Config) -> None:
    AUDIT.install()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test whose code regenerates, builds, runs schemathesis, make or the bench."""
    for item in items:
        if not isinstance(item, pytest.Function) or item.get_closest_marker("slow"):
            continue
        params = item.callspec.params.values() if hasattr(item, "callspec") else ()
        why = _lanes.slow_reason(item.function, item._fixtureinfo.name2fixturedefs, params)
        if why:
            item.add_marker(pytest.mark.slow(reason=why))
            if not item.get_closest_marker("timeout"):
                # A hang guard, not a speed check: generation and make run several times slower on a
                # loaded machine, where 300 s failed tests that pass alone (issue 26).
                item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT))
    # Modules holding slow tests go first, each kept whole (its module fixtures are set up once): the
    # longest tests then start while cheap ones can still fill the other workers, instead of running
    # alone at the end. Workers steal queued tests from each other (`--dist worksteal` in the Makefile).
    heavy = {
        item.module for item in items if isinstance(item, pytest.Function) and item.get_closest_marker("slow")
    }
    items.sort(key=lambda item: getattr(item, "module", None) not in heavy)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[object]:
    AUDIT.watching = item.get_closest_marker("slow") is None
    AUDIT.seen.clear()
    try:
        return (yield)
    finally:
        AUDIT.watching = False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[object]:
    """A test that starts an expensive process without the `slow` marker fails: the lanes rule missed it."""
    report = yield
    assert isinstance(report, pytest.TestReport)
    if call.when == "teardown" and AUDIT.seen and report.passed:
        report.outcome = "failed"
        report.longrepr = (
            "this test is not marked slow, yet it "
            + "; ".join(dict.fromkeys(AUDIT.seen))
            + "\nteach tests/support/lanes.py's rule what it does (or mark it @pytest.mark.slow)"
        )
    return report


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
