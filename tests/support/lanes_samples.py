"""Functions tests/architecture/test_lanes.py classifies: what a slow test and a fast one look like to the rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import frozen as _frozen


def regenerates(tmp: Path) -> None:
    _frozen.generate(_frozen.FROZEN_SPEC, tmp)


def calls_a_helper_that_regenerates(tmp: Path) -> None:
    regenerates(tmp)


def only_mentions_generation(stderr: str) -> None:
    """Reads what generate.sh wrote; make and tools.apidiff are words here, not commands."""
    assert "generate.sh: failed" not in stderr


def runs_the_cli() -> None:
    subprocess.run([sys.executable, "-m", "raia_agent", "--help"], check=False)
