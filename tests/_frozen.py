"""Frozen inputs for generation tests, and runners for generate.sh and make diff over them.

Tests that change a spec start from `tests/specs/` (a frozen spec, overlay and generator config),
never from the live `openapi.json`, `spec/overlay.yaml` or `spec/generator.yaml`, so that a
compatible vendor update, a new naming entry or an overlay action aimed at a new path cannot
change what they mean.
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "specs"
FROZEN_SPEC = SPECS / "openapi.frozen.json"
FROZEN_OVERLAY = SPECS / "overlay.frozen.yaml"
FROZEN_GENERATOR = SPECS / "generator.frozen.yaml"
FEEDBACKS = "/external/conversation-message-feedbacks"
BODY = "ExternalApiCrateOrUpdateConversationMessageFeedbackBodyDTO"
RESPONSE = "ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO"
# Set by conftest to a directory every pytest-xdist worker of one run shares: a package generated from
# the same inputs is generated once per run, not once per worker (generation is deterministic).
SHARED: Path | None = None


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
    """Generate `spec` with the frozen overlay and config; `out`, the directory to put on sys.path."""
    if SHARED is None:
        result = generate(spec, out, overlay, generator=generator)
        assert result.returncode == 0, f"generation failed:\n{result.stderr}"
        return out
    text = spec.read_bytes() if isinstance(spec, Path) else json.dumps(spec).encode()
    key = hashlib.sha256(b"\0".join([text, overlay.read_bytes(), generator.read_bytes()])).hexdigest()
    made = SHARED / "generated" / key[:24]
    with _locked(made.with_suffix(".lock")):
        if not (made / ".done").exists():
            shutil.rmtree(made, ignore_errors=True)  # a worker that failed half-way
            result = generate(spec, made / "out", overlay, generator=generator)
            assert result.returncode == 0, f"generation failed:\n{result.stderr}"
            (made / ".done").touch()
    shutil.copytree(made / "out", out, dirs_exist_ok=True)
    return out


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
