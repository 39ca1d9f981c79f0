"""Generation from frozen inputs: a spec the test builds, with the frozen overlay and generator config.

Tests that change a spec start from `tests/specs/`, never from the live `openapi.json`,
`spec/overlay.yaml` or `spec/generator.yaml`, so that a compatible vendor update (or an overlay
action aimed at a new path) cannot change what they mean.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "specs"
FROZEN_SPEC = SPECS / "openapi.frozen.json"
FROZEN_OVERLAY = SPECS / "overlay.frozen.yaml"
FROZEN_GENERATOR = SPECS / "generator.frozen.yaml"


def frozen_spec() -> dict[str, Any]:
    """A fresh copy of the frozen vendor spec."""
    spec: dict[str, Any] = json.loads(FROZEN_SPEC.read_text(encoding="utf-8"))
    return spec


def frozen_generator() -> dict[str, Any]:
    """A fresh copy of the frozen generator config (naming, retry_safe, openapi-python-client options)."""
    config: dict[str, Any] = yaml.safe_load(FROZEN_GENERATOR.read_text(encoding="utf-8"))
    return config


def run_generate(
    spec: dict[str, Any] | Path,
    out: Path,
    *,
    overlay: Path = FROZEN_OVERLAY,
    generator: Path = FROZEN_GENERATOR,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """generate.sh over `spec` into `out` (which receives `raia_agent_api/`); its result, unchecked."""
    if isinstance(spec, dict):
        out.parent.mkdir(parents=True, exist_ok=True)
        path = out.parent / f"{out.name}.openapi.json"
        path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
        spec = path
    variables = {"PYTHON": sys.executable, **(env or {})}
    variables.update(SPEC=str(spec), OVERLAY=str(overlay), GENERATOR=str(generator))
    return subprocess.run(
        [str(ROOT / "generate.sh"), "--out", str(out)],
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def generate_frozen(
    spec: dict[str, Any] | Path,
    out: Path,
    *,
    overlay: Path = FROZEN_OVERLAY,
    generator: Path = FROZEN_GENERATOR,
) -> Path:
    """Generate `spec` with the frozen overlay and config; `out`, the directory to put on sys.path."""
    result = run_generate(spec, out, overlay=overlay, generator=generator)
    assert result.returncode == 0, f"generation failed:\n{result.stderr}"
    return out


def frozen_overlay_with(actions: list[dict[str, Any]] | tuple[dict[str, Any], ...], path: Path) -> Path:
    """The frozen overlay plus `actions` (e.g. a fix aimed at a path the test adds), written to `path`."""
    overlay = yaml.safe_load(FROZEN_OVERLAY.read_text(encoding="utf-8"))
    overlay["actions"] = [*overlay["actions"], *actions]
    path.write_text(yaml.safe_dump(overlay, sort_keys=False), encoding="utf-8")
    return path
