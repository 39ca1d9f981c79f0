"""Generated clients are kept by content: the same inputs and generator code are generated once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools.apidiff import _generations


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """A spec, overlay and generator config, and an empty cache directory."""
    monkeypatch.setenv("RAIA_GENERATED_CACHE", str(tmp_path / "cache"))
    files = tuple(tmp_path / name for name in ("spec.json", "overlay.yaml", "generator.yaml"))
    for path in files:
        path.write_text(f"{path.name}\n", encoding="utf-8")
    return files  # type: ignore[return-value]


class Generator:
    """Stands in for generate.sh: writes a package naming its call, or fails."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def __call__(self, dest: Path) -> tuple[Path | None, str]:
        self.calls += 1
        if self.fail:
            return None, "generate.sh: refused"
        (dest / _generations.PACKAGE).mkdir(parents=True)
        (dest / _generations.PACKAGE / "__init__.py").write_text(f"CALL = {self.calls}\n", encoding="utf-8")
        return dest, ""


def package(out: Path) -> str:
    return (out / _generations.PACKAGE / "__init__.py").read_text(encoding="utf-8")


def test_the_same_inputs_are_generated_once_and_copied_after(
    inputs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """A second request for the same inputs copies the kept package instead of generating."""
    make = Generator()
    first, _ = _generations.generated(inputs, tmp_path / "a", make)
    second, _ = _generations.generated(inputs, tmp_path / "b", make)
    assert make.calls == 1
    assert first is not None and second is not None
    assert package(first) == package(second) == "CALL = 1\n"


@pytest.mark.parametrize("changed", [0, 1, 2])
def test_a_changed_spec_overlay_or_config_is_generated_again(
    inputs: tuple[Path, Path, Path], tmp_path: Path, changed: int
) -> None:
    """Each input is part of the key: changing any one of them is a miss."""
    make = Generator()
    _generations.generated(inputs, tmp_path / "a", make)
    inputs[changed].write_text("changed\n", encoding="utf-8")
    out, _ = _generations.generated(inputs, tmp_path / "b", make)
    assert make.calls == 2
    assert out is not None and package(out) == "CALL = 2\n"


def test_a_failure_is_returned_and_never_kept(inputs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """A spec that does not generate reports its error each time, and leaves nothing in the cache."""
    failing = Generator(fail=True)
    assert _generations.generated(inputs, tmp_path / "a", failing) == (None, "generate.sh: refused")
    assert _generations.generated(inputs, tmp_path / "b", failing) == (None, "generate.sh: refused")
    assert failing.calls == 2
    cache = _generations.directory()
    assert cache is not None
    assert not [p for p in cache.iterdir() if p.is_dir()]


def test_caching_can_be_turned_off(
    inputs: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RAIA_GENERATED_CACHE=off generates every time, into the directory asked for."""
    monkeypatch.setenv("RAIA_GENERATED_CACHE", "off")
    make = Generator()
    for name in ("a", "b"):
        out, _ = _generations.generated(inputs, tmp_path / name, make)
        assert out == tmp_path / name
    assert make.calls == 2


def test_the_generator_code_is_part_of_the_key(tmp_path: Path) -> None:
    """Editing any file generation runs (a tools module, a template, generate.sh) changes the fingerprint."""
    for name in ("generate.sh", "tools/naming.py", "spec/templates/model.py.jinja", "src/raia_spec/x.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("one\n", encoding="utf-8")
    before = _generations.code_fingerprint(tmp_path)
    for name in ("tools/naming.py", "spec/templates/model.py.jinja", "generate.sh"):
        _generations.code_fingerprint.cache_clear()
        (tmp_path / name).write_text("two\n", encoding="utf-8")
        after = _generations.code_fingerprint(tmp_path)
        assert after != before, name
        before = after


def test_the_default_cache_is_ignored_by_git() -> None:
    """The kept packages live under the repository's .cache/, which git ignores."""
    inside = _generations.DEFAULT_DIR / ("0" * 32) / _generations.PACKAGE / "__init__.py"
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", str(inside.relative_to(_generations.ROOT))],
        cwd=_generations.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ignored.returncode == 0, f"{inside} is not ignored by .gitignore"


def test_only_the_most_recently_used_entries_are_kept(
    inputs: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past KEEP entries, the least recently used goes; one just used again stays."""
    monkeypatch.setattr(_generations, "KEEP", 2)
    make = Generator()
    spec = inputs[0]
    for text in ("one", "two", "one", "three"):  # "one" is used again before "three" arrives
        spec.write_text(text, encoding="utf-8")
        _generations.generated(inputs, tmp_path / f"out-{make.calls}", make)
    assert make.calls == 3
    spec.write_text("one", encoding="utf-8")
    _generations.generated(inputs, tmp_path / "again", make)
    assert make.calls == 3, "the entry used most recently before the third was pruned"
    spec.write_text("two", encoding="utf-8")
    _generations.generated(inputs, tmp_path / "gone", make)
    assert make.calls == 4, "the least recently used entry was kept"
