"""Keyword-only method parameters are what callers send: loosening them is compatible, tightening breaks.

Pinned on two shapes: the hand-written wrapper of today (frozen copy) and the typed resources
the generated package will carry (the same file with Literal enums).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.support.diff_specs import FIXTURES, SHAPE
from tools.apidiff._model import PyChange
from tools.apidiff._python import compare

WRAPPER = (FIXTURES / "wrapper_feedback.py.txt").read_text()
OPTIONAL = re.compile(r"^(\s+)(\w+): (\w+) \| None = None,$", re.MULTILINE)
REQUIRED = re.compile(r"^(\s+)(\w+): str,$", re.MULTILINE)
ENUM_PARAM = re.compile(r"^(\s+)(vote_type|\w+_type): \w+,$", re.MULTILINE)
OPT_NAME = OPTIONAL.search(WRAPPER).group(2)  # type: ignore[union-attr]
REQ_NAME = REQUIRED.search(WRAPPER).group(2)  # type: ignore[union-attr]


def literal(values: tuple[str, ...]) -> str:
    return "Literal[" + ", ".join(f'"{v}"' for v in values) + "]"


def with_literal_enum(values: tuple[str, ...]) -> str:
    """The wrapper as the generated resources will type it: the enum parameter as an inline Literal."""
    return ENUM_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}: {literal(values)},", WRAPPER)


def diff(tmp_path: Path, old: str, new: str) -> list[PyChange]:
    for side, text in (("old", old), ("new", new)):
        resources = tmp_path / side / "raia_agent_api" / "resources"
        resources.mkdir(parents=True)
        (resources.parent / "__init__.py").write_text("")
        (resources / "__init__.py").write_text("")
        (resources / "feedback.py").write_text(text)
    return compare(tmp_path / "old", tmp_path / "new")


def params(rows: list[PyChange], name: str) -> list[PyChange]:
    found = [r for r in rows if r.symbol.endswith(f"({name})")]
    assert found, (name, rows)
    return found


def rewrite(pattern: re.Pattern[str], make: Callable[[re.Match[str]], str]) -> str:
    return pattern.sub(lambda m: make(m) if m.group(2) in {OPT_NAME, REQ_NAME} else m.group(0), WRAPPER)


def test_optional_parameter_made_required_breaks(tmp_path: Path) -> None:
    """A keyword parameter that loses its default breaks every call that leaves it out."""
    new = rewrite(OPTIONAL, lambda m: f"{m.group(1)}{m.group(2)}: {m.group(3)},")
    rows = params(diff(tmp_path, WRAPPER, new), OPT_NAME)
    assert {(r.level, r.direction, r.message) for r in rows} == {
        ("breaking", "sent", "parameter changed: now required, no longer nullable")
    }


def test_required_parameter_made_optional_is_compatible(tmp_path: Path) -> None:
    """Every existing call still works when a keyword parameter gains a None default: info, and nothing breaks."""
    new = rewrite(REQUIRED, lambda m: f"{m.group(1)}{m.group(2)}: str | None = None,")
    rows = diff(tmp_path, WRAPPER, new)
    assert {(r.level, r.message) for r in params(rows, REQ_NAME)} == {
        ("info", "parameter changed: now optional, now nullable")
    }
    assert [r for r in rows if r.level == "breaking"] == []


def test_literal_parameter_gaining_a_value_is_compatible(tmp_path: Path) -> None:
    """A Literal parameter that accepts one more value is a widened type callers may ignore."""
    rows = diff(tmp_path, with_literal_enum(SHAPE.enum), with_literal_enum((*SHAPE.enum, SHAPE.new_value())))
    assert {r.level for r in rows} == {"info"}
    assert {(r.level, r.message) for r in rows if r.symbol.endswith(")")} == {
        ("info", "parameter changed: type widened")
    }


def test_literal_parameter_losing_a_value_breaks(tmp_path: Path) -> None:
    """Callers passing the dropped value are refused: breaking."""
    rows = diff(tmp_path, with_literal_enum(SHAPE.enum), with_literal_enum(SHAPE.enum[1:]))
    assert {(r.level, r.message) for r in rows if r.symbol.endswith(")")} == {
        ("breaking", "parameter changed: type narrowed")
    }


def test_new_and_removed_parameters(tmp_path: Path) -> None:
    """A new optional parameter is info, a new required one and a removed one break."""
    new = WRAPPER.replace(
        "        comment: str | None = None,\n", "        rating: int | None = None,\n        source: str,\n"
    )
    rows = diff(tmp_path, WRAPPER, new)
    assert {r.level for r in params(rows, "rating")} == {"info"}
    assert {r.level for r in params(rows, "source")} == {"breaking"}
    assert {r.message for r in params(rows, "comment")} == {"parameter removed: callers that pass it fail"}
