"""tools/codegen/proof/prover.py: a generated package that breaks on import, runs code in its hints or describes an
operation outside the index is refused with one line naming what; a sound one passes, leaving no bytecode."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.frozen import FROZEN_GENERATOR, ROOT, frozen_spec, generate_frozen

PACKAGE = "raia_agent_api"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The frozen spec generated once, and its corrected spec written beside it."""
    out = generate_frozen(frozen_spec(), tmp_path_factory.mktemp("prove") / "gen")
    corrected = out.parent / "corrected.json"
    spec = runpy.run_path(str(out / PACKAGE / "_spec.py"))["corrected_spec"]()
    corrected.write_text(json.dumps(spec), encoding="utf-8")
    return out / PACKAGE, corrected


@pytest.fixture
def package(generated: tuple[Path, Path], tmp_path: Path) -> Path:
    """A scratch copy of the generated package, for one test to break."""
    return Path(shutil.copytree(generated[0], tmp_path / PACKAGE))


def prove(package: Path, corrected: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.codegen", "prove", str(package), str(corrected), str(FROZEN_GENERATOR)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_sound_package_is_proved_and_keeps_no_bytecode(package: Path, generated: tuple[Path, Path]) -> None:
    """The generated package passes, and the proof writes no __pycache__ into it."""
    result = prove(package, generated[1])
    assert result.returncode == 0, result.stderr
    assert not list(package.rglob("__pycache__"))


def test_a_module_that_does_not_compile_fails_naming_it(package: Path, generated: tuple[Path, Path]) -> None:
    """A syntax error (that ruff would pass no further) is one line naming the module."""
    append(package / "models" / "feedback.py", "\ndef broken(:\n")
    result = prove(package, generated[1])
    assert result.returncode == 1
    assert result.stderr.startswith(f"prove: {PACKAGE}/models/feedback.py does not compile")


def test_an_annotation_that_calls_fails_before_anything_runs(
    package: Path, generated: tuple[Path, Path], tmp_path: Path
) -> None:
    """A quoted annotation holding a call is refused by its line; the call never runs."""
    marker = tmp_path / "ran"
    append(
        package / "resources" / "feedback.py",
        f"\n\ndef hinted(x: \"__import__('pathlib').Path({str(marker)!r}).touch()\") -> None: ...\n",
    )
    result = prove(package, generated[1])
    assert result.returncode == 1
    assert f"prove: {PACKAGE}/resources/feedback.py:" in result.stderr
    assert "an annotation calls something" in result.stderr
    assert not marker.exists()


def test_a_description_outside_the_index_fails_naming_it(package: Path, generated: tuple[Path, Path]) -> None:
    """A second Operation in a resource's description module that the index does not list is refused."""
    append(
        package / "resources" / "_ops_feedback.py",
        "\nimport dataclasses\n\nSTRAY = dataclasses.replace(FEEDBACK_CREATE_OR_UPDATE)\n",
    )
    result = prove(package, generated[1])
    assert result.returncode == 1
    assert "['feedback.create_or_update'] are described but not in the index" in result.stderr


def test_a_module_that_fails_on_import_fails_in_one_line(package: Path, generated: tuple[Path, Path]) -> None:
    """Code that compiles but raises when imported is one line with the error's type and message."""
    append(package / "resources" / "_ops_feedback.py", "\nraise RuntimeError('broken on import')\n")
    result = prove(package, generated[1])
    assert result.returncode == 1
    assert result.stderr.strip() == "prove: RuntimeError: broken on import"


def test_a_package_mypy_refuses_fails_the_proof_naming_the_line(
    package: Path, generated: tuple[Path, Path]
) -> None:
    """Code that imports and resolves its hints but that mypy --strict refuses fails, naming the module and line."""
    append(package / "models" / "feedback.py", '\n\nWRONG: int = "not a number"\n')
    result = prove(package, generated[1])
    assert result.returncode == 1
    assert result.stderr.startswith("prove: mypy --strict refuses the generated code:"), result.stderr
    assert f"{PACKAGE}/models/feedback.py:" in result.stderr and "[assignment]" in result.stderr


def test_each_check_runs_on_its_own_copy_of_the_warm_cache(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packages naming their modules alike never meet in mypy's cache: the warm cache, once published,
    is only copied, so a broken package's check leaves it as it was and a sound one still passes."""
    from tools.codegen.proof import prover

    monkeypatch.setattr(prover, "_ROOT", tmp_path / "root")
    prover.typecheck(package)  # publishes the warm cache
    warm = prover._warm_cache()

    def state() -> dict[str, tuple[int, int]]:
        return {str(p.relative_to(warm)): (p.stat().st_size, p.stat().st_mtime_ns) for p in warm.rglob("*")}

    before = state()
    assert before, "the first sound check left no warm cache"
    sound = shutil.copytree(package, tmp_path / "sound" / PACKAGE)
    append(package / "models" / "feedback.py", '\n\nWRONG: int = "not a number"\n')
    with pytest.raises(prover.ProofFailed, match=r"feedback\.py"):
        prover.typecheck(package)
    assert state() == before
    prover.typecheck(Path(sound))
    assert state() == before
    assert [p.name for p in warm.parent.iterdir()] == [warm.name]  # no scratch copy left behind
