"""Specs for the `make diff` tests, built from the frozen copy in tests/specs/diff/.

Names, enum values and hosts are read from the frozen spec, never written in the tests.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.apidiff._build import add_python, spec_report
from tools.apidiff._model import PyChange, Report
from tools.codegen.naming import snake_case

Spec = dict[str, Any]
Mutation = Callable[[Spec], None]
FIXTURES = Path(__file__).resolve().parents[1] / "specs" / "diff"
OVERLAY = FIXTURES / "overlay.yaml"
METHODS = ("get", "put", "post", "delete", "patch")


def minimal_overlay() -> str:
    """The frozen overlay without its operationId action, which would hide operation-level changes."""
    doc = yaml.safe_load(OVERLAY.read_text())
    doc["actions"] = [a for a in doc["actions"] if "operationId" not in a.get("update", {})]
    return yaml.safe_dump(doc)


def frozen() -> Spec:
    return json.loads((FIXTURES.parent / "openapi.frozen.json").read_text())  # type: ignore[no-any-return]


def _ref_name(content: Spec) -> str:
    return str(content["content"]["application/json"]["schema"]["$ref"]).rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Shape:
    """The frozen spec's one body-carrying operation, as the tests need it."""

    path: str
    method: str
    request: str  # schema name of the request body
    response: str  # schema name of the success response
    status: str
    enum_field: str  # a request property with an enum, which the response has too
    enum: tuple[str, ...]
    scheme: str  # the apiKey security scheme's key

    def new_value(self) -> str:
        return next(v for v in ("neutral", "meh", "other") if v not in self.enum)


def shape(spec: Spec | None = None) -> Shape:
    spec = spec or frozen()
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op and "requestBody" in op:
                status = min(code for code in op["responses"] if code.startswith("2"))
                request = _ref_name(op["requestBody"])
                props = spec["components"]["schemas"][request]["properties"]
                field = next(name for name, p in props.items() if "enum" in p)
                schemes = spec["components"]["securitySchemes"]
                scheme = next(k for k, s in schemes.items() if s["type"] == "apiKey")
                return Shape(path, method, request, _ref_name(op["responses"][status]), status, field,
                             tuple(props[field]["enum"]), scheme)  # fmt: skip
    raise AssertionError("the frozen spec has no operation with a request body")


SHAPE = shape()


def schema(spec: Spec, name: str) -> Spec:
    return spec["components"]["schemas"][name]  # type: ignore[no-any-return]


def operation(spec: Spec) -> Spec:
    return spec["paths"][SHAPE.path][SHAPE.method]  # type: ignore[no-any-return]


def required_field(spec: Spec, name: str, exclude: tuple[str, ...] = ()) -> str:
    """A required, non-enum property of schema `name` (the first one not excluded)."""
    s = schema(spec, name)
    return next(f for f in s["required"] if f not in exclude and "enum" not in s["properties"][f])


def write_pair(tmp_path: Path, mutate: Mutation | None, text: str | None = None) -> tuple[Path, Path]:
    base = frozen()
    new = copy.deepcopy(base)
    if mutate:
        mutate(new)
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    old_path.write_text(json.dumps(base))
    new_path.write_text(text if text is not None else json.dumps(new))
    return old_path, new_path


def report_for(tmp_path: Path, mutate: Mutation | None, *, python: bool = False, overlay: Path = OVERLAY,
               text: str | None = None) -> Report:  # fmt: skip
    old_path, new_path = write_pair(tmp_path, mutate, text)
    work = tmp_path / "work"
    work.mkdir()
    report = spec_report(old_path, overlay, new_path, overlay, work, ("old", "new"))
    if python:
        add_python(report, old_path, overlay, new_path, overlay, work)
    return report


def row(report: Report, field: str, direction: str) -> PyChange:
    """The Python row of spec property `field` on the given side ("sent" or "received")."""
    name = snake_case(field)
    found = [p for p in report.python if p.direction == direction and p.symbol.endswith("." + name)]
    assert len(found) == 1, (field, direction, report.python)
    return found[0]


def literal_row(report: Report, direction: str) -> PyChange:
    """The Literal alias row of the enum field on the given side."""
    found = [
        p
        for p in report.python
        if p.direction == direction and p.before.startswith("Literal[") and "(" not in p.symbol
    ]
    assert len(found) == 1, (direction, report.python)
    return found[0]
