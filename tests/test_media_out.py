"""Responses that are not JSON, over the frozen vendor-shaped spec tests/specs/vendor_media_out: generated
with no hand edit, called sync, async and raw, typed, served, on the command line and in `make diff`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._media_out import generated, run_suite


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory.mktemp("media_out"))


@pytest.mark.timeout(1800)  # a test module in a subprocess: minutes on a loaded machine, not a hang
def test_binary_text_and_event_replies_behave_against_the_server_and_a_vendor_like_transport(
    package: Path,
) -> None:
    """tests/media_out_suite.py passes against the package generated from the frozen spec."""
    result = run_suite(package)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
