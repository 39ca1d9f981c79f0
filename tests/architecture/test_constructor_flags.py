"""No constructor under src/ takes a flag by position: `Thing(x, True)` says nothing at the call site.

Read with `ast`: an `__init__` parameter annotated `bool` must be keyword-only, and so must a
dataclass or NamedTuple field annotated `bool` (kw_only, or after a `KW_ONLY` marker).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src"
# Owned by the throughput work (issue 27), which reworks these modules in the same round; each goes
# from this list when that work makes its flags keyword-only.
ELSEWHERE = {
    "raia_agent/_cli/_journal.py:Journal",
    "raia_agent/_cli/_reader.py:Record",
    "raia_agent/_cli/_importer.py:Stats",
}


def positional_flags(source: str) -> list[str]:
    """`Class.name` for each flag a constructor of a class in `source` takes by position."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            found += [f"{node.name}.{name}" for name in _class_flags(node)]
    return found


def _is_bool(annotation: ast.expr | None) -> bool:
    return annotation is not None and "bool" in ast.unparse(annotation).replace("|", " ").split()


def _class_flags(cls: ast.ClassDef) -> list[str]:
    flags = []
    for item in cls.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            flags += [a.arg for a in item.args.posonlyargs + item.args.args if _is_bool(a.annotation)]
    decorators = [ast.unparse(d) for d in cls.decorator_list]
    is_record = any(d.split("(")[0].endswith("dataclass") for d in decorators) or any(
        ast.unparse(b).endswith("NamedTuple") for b in cls.bases
    )
    if not is_record or any("kw_only=True" in d for d in decorators):
        return flags
    for item in cls.body:
        if not isinstance(item, ast.AnnAssign):
            continue
        if ast.unparse(item.annotation).endswith("KW_ONLY"):
            break  # every field after the marker is keyword-only
        value = ast.unparse(item.value) if item.value is not None else ""
        if _is_bool(item.annotation) and "kw_only=True" not in value:
            flags.append(ast.unparse(item.target))
    return flags


def modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("module", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_constructor_takes_a_flag_by_position(module: Path) -> None:
    """Every bool a class's constructor takes (its __init__, or its fields) is keyword-only."""
    where = str(module.relative_to(SRC))
    flags = [
        flag
        for flag in positional_flags(module.read_text(encoding="utf-8"))
        if f"{where}:{flag.split('.')[0]}" not in ELSEWHERE
    ]
    assert flags == [], f"{where}: make these keyword-only: {flags}"


def test_the_check_finds_positional_flags_and_passes_keyword_only_ones() -> None:
    """The reader reports a positional bool parameter or field and passes the keyword-only forms."""
    source = """
from dataclasses import KW_ONLY, dataclass, field
class A:
    def __init__(self, x: int, strict: bool, *, owned: bool) -> None: ...
@dataclass(frozen=True)
class B:
    name: str
    required: bool
    late: bool = field(default=False, kw_only=True)
@dataclass
class C:
    name: str
    _: KW_ONLY
    required: bool
@dataclass(kw_only=True)
class D:
    flag: bool
class E(NamedTuple):
    flag: bool | None
"""
    assert positional_flags(source) == ["A.strict", "B.required", "E.flag"]


@pytest.mark.parametrize("entry", sorted(ELSEWHERE))
def test_each_exception_still_exists(entry: str) -> None:
    """An exception names a class that is there and still takes a flag by position (else drop it)."""
    path, cls = entry.split(":")
    assert any(
        flag.startswith(f"{cls}.") for flag in positional_flags((SRC / path).read_text(encoding="utf-8"))
    )
