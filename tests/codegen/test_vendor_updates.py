"""A vendor's spec update needs no hand edit: regenerate, and the change is callable, typed and served.

Every update starts from the frozen base spec and is generated with the frozen overlay and generator
config (tests/support/frozen.py), so the live spec/overlay.yaml cannot change what these tests mean. The
compatible updates of issue 19 also run the suite's model, conformance and client tests against
the regenerated package: a compatible update must not fail a test that follows the spec.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.frozen import frozen_overlay_with, generate_frozen
from tests.support.vendor_updates.compatible import COMPATIBLE, OVERLAY_ACTIONS, combined
from tests.support.vendor_updates.perturbed import (
    NEW_ENUM_VALUE,
    NEW_REQUEST_FIELD,
    NEW_RESPONSE_FIELD,
    perturb,
)
from tests.support.vendor_updates.updates import BASE, UPDATES, Update

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The tests `make test` runs on the live spec that depend on it: models, reply parsing, the client, the
# local server's conformance (its frozen `vendor_update` spec does not change with the package).
SUITE = [
    "tests/client/test_generated_models.py",
    "tests/client/test_response_properties.py",
    "tests/client/test_client_unit.py",
    "tests/client/test_client_integration.py",
    "tests/codegen/test_follows_spec.py",
    "tests/server/test_conformance.py",
]
# What runs against the perturbed spec besides: every client behaviour test, which is where literal
# bodies and today's names crept back in before.
CLIENT_SUITE = sorted(
    {
        *SUITE,
        *(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "client").glob("test_client_*.py")),
        "tests/client/test_transport.py",
    }
)


def digest(tree: Path) -> str:
    files = sorted(p for p in tree.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return hashlib.sha256(
        b"".join(p.relative_to(tree).as_posix().encode() + p.read_bytes() for p in files)
    ).hexdigest()


def regenerate(update: Update, tmp: Path) -> Path:
    """The update's spec, generated with the frozen overlay (plus the update's actions) and config."""
    overlay = frozen_overlay_with(update.overlay, tmp / "overlay.yaml")
    return generate_frozen(update.spec(), tmp / "generated", overlay=overlay)


def package_env(generated: Path) -> dict[str, str]:
    """The environment in which `raia_agent_api` is the regenerated package."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated), str(ROOT / "src"), str(ROOT)])}


def works_with_no_hand_edit(update: Update, generated: Path, tmp: Path) -> None:
    """The update's snippet runs through Raia and AsyncRaia against local_server() and passes mypy --strict."""
    before = digest(ROOT / "src")
    script = tmp / f"use_{update.name}.py"
    script.write_text(update.snippet(), encoding="utf-8")
    env = package_env(generated)
    run = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), f"{update.name}:\n{run.stderr[-3000:]}"
    typed = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--python-version", "3.11", str(script)],
        env={**env, "MYPYPATH": os.pathsep.join([str(generated), str(ROOT / "src")])},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=tmp,
    )
    assert typed.returncode == 0, f"{update.name}: mypy --strict rejects the snippet:\n{typed.stdout}"
    assert digest(ROOT / "src") == before, "the hand-written package changed"


@pytest.mark.parametrize("update", UPDATES, ids=[u.name for u in UPDATES])
def test_a_spec_update_works_with_no_hand_edit(update: Update, tmp_path: Path) -> None:
    """Regenerated from the updated spec, the change is served, callable sync and async, and type-checks."""
    works_with_no_hand_edit(update, regenerate(update, tmp_path), tmp_path)


@pytest.mark.parametrize("update", COMPATIBLE, ids=[u.name for u in COMPATIBLE])
def test_a_compatible_update_is_callable_with_no_hand_edit(update: Update, tmp_path: Path) -> None:
    """Each compatible update of issue 19, regenerated alone, is served, callable sync and async, and typed."""
    works_with_no_hand_edit(update, regenerate(update, tmp_path), tmp_path)


@pytest.fixture(scope="module")
def all_compatible(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One package with every compatible update applied, shared by the tests below."""
    together = Update("all_compatible", combined, "", overlay=tuple(OVERLAY_ACTIONS))
    return regenerate(together, tmp_path_factory.mktemp("all_compatible"))


def test_the_combined_package_has_every_update(all_compatible: Path) -> None:
    """The regenerated package is the one the suite below imports, and it carries every update's operations."""
    env = package_env(all_compatible)
    code = "import raia_agent_api, raia_agent_api._spec as s; print(raia_agent_api.__file__); print(len(s.corrected_spec()['paths']))"  # fmt: skip
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    where, paths = shown.stdout.split()
    assert Path(where).is_relative_to(all_compatible), where
    assert (
        int(paths) == len(json.loads(BASE.read_text(encoding="utf-8"))["paths"]) + 3
    )  # item, agents, messages


def passes_unedited(generated: Path, module: str) -> None:
    """`module`'s tests pass, unedited, with `raia_agent_api` being the package generated in `generated`."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            "-k",
            "not vendor_update",
            module,
        ],
        cwd=ROOT,
        env=package_env(generated),
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in result.stdout.splitlines()[-1] and "failed" not in result.stdout.splitlines()[-1]


# One subprocess per module, so that parallel workers share them out.
@pytest.mark.timeout(1800)  # a test module in a subprocess: minutes on a loaded machine, not a hang
@pytest.mark.parametrize("module", SUITE, ids=[Path(m).stem for m in SUITE])
def test_the_suite_passes_against_the_compatible_updates(all_compatible: Path, module: str) -> None:
    """The model, reply-parsing, client and conformance tests pass, unedited, against the updated package."""
    passes_unedited(all_compatible, module)


@pytest.fixture(scope="module")
def perturbed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One package generated from the perturbed frozen spec (tests/support/vendor_updates/perturbed.py)."""
    return regenerate(Update("perturbed", perturb, ""), tmp_path_factory.mktemp("perturbed"))


def test_the_perturbed_package_has_every_perturbation(perturbed: Path) -> None:
    """The perturbed package is the one the suite below imports, and it carries each perturbation."""
    code = (
        "import json, raia_agent_api, raia_agent_api._spec as s; "
        "print(raia_agent_api.__file__); print(json.dumps(s.corrected_spec()))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], env=package_env(perturbed), capture_output=True, text=True, check=True
    )
    where, text = shown.stdout.split("\n", 1)
    assert Path(where).is_relative_to(perturbed), where
    base = json.loads(BASE.read_text(encoding="utf-8"))
    spec = json.loads(text)
    assert len(spec["paths"]) == len(base["paths"]) + 1
    for needle in (NEW_REQUEST_FIELD, NEW_RESPONSE_FIELD, NEW_ENUM_VALUE):
        assert needle in text and needle not in json.dumps(base), needle


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("module", CLIENT_SUITE, ids=[Path(m).stem for m in CLIENT_SUITE])
def test_the_client_suite_passes_against_a_perturbed_spec(perturbed: Path, module: str) -> None:
    """A new optional request field, required nullable reply field, enum value and tag fail no client test."""
    passes_unedited(perturbed, module)
