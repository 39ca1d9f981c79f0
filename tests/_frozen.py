"""Frozen inputs for generation tests, and runners for generate.sh and make diff over them.

The spec, overlay and generator config are frozen copies under tests/specs/, so a compatible
vendor update (or a new naming entry in spec/generator.yaml) does not change what a test means.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "specs"
FROZEN_SPEC = SPECS / "openapi.frozen.json"
FROZEN_OVERLAY = SPECS / "overlay.frozen.yaml"
FROZEN_GENERATOR = SPECS / "generator.frozen.yaml"
FEEDBACKS = "/external/conversation-message-feedbacks"
BODY = "ExternalApiCrateOrUpdateConversationMessageFeedbackBodyDTO"
RESPONSE = "ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO"


@cache
def _frozen_text() -> str:
    return FROZEN_SPEC.read_text(encoding="utf-8")


def frozen_spec() -> dict[str, Any]:
    """A fresh copy of the frozen vendor spec."""
    loaded: dict[str, Any] = json.loads(_frozen_text())
    return copy.deepcopy(loaded)


def write_spec(path: Path, doc: dict[str, Any] | str) -> Path:
    """Write a spec (a document, or raw text for what json.dumps cannot make) and return its path."""
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def env(spec: Path, overlay: Path = FROZEN_OVERLAY, generator: Path = FROZEN_GENERATOR) -> dict[str, str]:
    """generate.sh's environment for a frozen (or given) spec, overlay and generator config."""
    return {
        **os.environ,
        "SPEC": str(spec),
        "OVERLAY": str(overlay),
        "GENERATOR": str(generator),
        "PYTHON": sys.executable,
    }


def generate(spec: Path, out: Path, overlay: Path = FROZEN_OVERLAY) -> subprocess.CompletedProcess[str]:
    """./generate.sh --out OUT for SPEC with the frozen overlay and generator config."""
    return subprocess.run(
        [str(ROOT / "generate.sh"), "--out", str(out)],
        env=env(spec, overlay),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def diff(
    new: Path, overlay: Path = FROZEN_OVERLAY, fmt: str = "markdown"
) -> subprocess.CompletedProcess[str]:
    """make diff OLD=<frozen spec> NEW=<new> with the frozen overlay and generator config."""
    command = [sys.executable, "-m", "tools.apidiff", "--old", str(FROZEN_SPEC), "--new", str(new)]
    command += ["--overlay", str(overlay), "--format", fmt, "--allow-breaking"]
    return subprocess.run(
        command, cwd=ROOT, env=env(new, overlay), capture_output=True, text=True, check=False, timeout=900
    )


def package_files(parent: Path) -> dict[str, bytes]:
    """Every file under PARENT/raia_agent_api by relative path (empty when there is no package)."""
    package = parent / "raia_agent_api"
    if not package.exists():
        return {}
    return {
        str(path.relative_to(package)): path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
