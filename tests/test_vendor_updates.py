"""A vendor's spec update needs no hand edit: regenerate, and the change is callable, typed and served."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vendor_updates.updates import UPDATES, Update, write_spec

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def digest(tree: Path) -> str:
    files = sorted(p for p in tree.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return hashlib.sha256(
        b"".join(p.relative_to(tree).as_posix().encode() + p.read_bytes() for p in files)
    ).hexdigest()


def regenerate(update: Update, tmp: Path) -> Path:
    spec = write_spec(update, tmp / "openapi.json")
    out = tmp / "generated"
    result = subprocess.run(
        [str(ROOT / "generate.sh"), "--out", str(out)],
        env={**os.environ, "SPEC": str(spec), "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, f"{update.name}: generation failed:\n{result.stderr}"
    return out


@pytest.mark.parametrize("update", UPDATES, ids=[u.name for u in UPDATES])
def test_a_spec_update_works_with_no_hand_edit(update: Update, tmp_path: Path) -> None:
    """Regenerated from the updated spec, the change is served, callable sync and async, and type-checks."""
    before = digest(ROOT / "src")
    generated = regenerate(update, tmp_path)
    script = tmp_path / f"use_{update.name}.py"
    script.write_text(update.snippet(), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated), str(ROOT / "src")])}
    run = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), f"{update.name}:\n{run.stderr[-3000:]}"
    typed = subprocess.run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--no-incremental",
            "--python-version",
            "3.11",
            str(script),
        ],
        env={**env, "MYPYPATH": os.pathsep.join([str(generated), str(ROOT / "src")])},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=tmp_path,
    )
    assert typed.returncode == 0, f"{update.name}: mypy --strict rejects the snippet:\n{typed.stdout}"
    assert digest(ROOT / "src") == before, "the hand-written package changed"
