"""Frozen inputs for generation tests, and runners for generate.sh and make diff over them.

Tests that change a spec start from `tests/specs/` (a frozen spec, overlay and generator config),
never from the live `openapi.json`, `spec/overlay.yaml` or `spec/generator.yaml`, so that a
compatible vendor update, a new naming entry or an overlay action aimed at a new path cannot
change what they mean.
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

import yaml

from tools.apidiff import _generations

ROOT = Path(__file__).resolve().parents[2]
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


def frozen_generator() -> dict[str, Any]:
    """A fresh copy of the frozen generator config (naming, retry_safe, openapi-python-client options)."""
    config: dict[str, Any] = yaml.safe_load(FROZEN_GENERATOR.read_text(encoding="utf-8"))
    return config


def frozen_overlay_with(actions: list[dict[str, Any]] | tuple[dict[str, Any], ...], path: Path) -> Path:
    """The frozen overlay plus `actions` (e.g. a fix aimed at a path the test adds), written to `path`."""
    overlay = yaml.safe_load(FROZEN_OVERLAY.read_text(encoding="utf-8"))
    overlay["actions"] = [*overlay["actions"], *actions]
    path.write_text(yaml.safe_dump(overlay, sort_keys=False), encoding="utf-8")
    return path


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


def generate(
    spec: dict[str, Any] | Path,
    out: Path,
    overlay: Path = FROZEN_OVERLAY,
    *,
    generator: Path = FROZEN_GENERATOR,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """./generate.sh --out OUT for SPEC (a path, or a document written beside OUT); the result, unchecked."""
    if isinstance(spec, dict):
        out.parent.mkdir(parents=True, exist_ok=True)
        spec = write_spec(out.parent / f"{out.name}.openapi.json", spec)
    return subprocess.run(
        [str(ROOT / "generate.sh"), "--out", str(out)],
        env={**env(spec, overlay, generator), **(extra_env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def generate_frozen(
    spec: dict[str, Any] | Path,
    out: Path,
    *,
    overlay: Path = FROZEN_OVERLAY,
    generator: Path = FROZEN_GENERATOR,
) -> Path:
    """Generate `spec` with the frozen overlay and config; `out`, the directory to put on sys.path.

    Generation is deterministic, so a package is made once per content (inputs and generator code)
    and kept in the cache make diff uses: every worker of a run, and later runs, copy it.
    """
    if isinstance(spec, dict):
        out.parent.mkdir(parents=True, exist_ok=True)
        spec = write_spec(out.parent / f"{out.name}.openapi.json", spec)

    def make(dest: Path) -> tuple[Path | None, str]:
        result = generate(spec, dest, overlay, generator=generator)
        return (dest, "") if result.returncode == 0 else (None, result.stderr)

    made, error = _generations.generated((spec, overlay, generator), out, make)
    assert made is not None, f"generation failed:\n{error}"
    return out


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
