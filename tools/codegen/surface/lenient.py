"""Response models typed for forward-compatible parsing: a post-pass over openapi-python-client's models.

By default the client keeps a success response's unknown enum value, or a uuid field's value in a
format it does not know, as the plain str received (raia_agent._lenient). So that the type says so,
the fields of the models a success response parses into (and the models nested in them) that hold a
literal enum or a UUID are annotated `... | str`, or `... | int` for an integer enum (an unknown
number is kept as the number received, and `| str` would not type-check in the generated `to_dict`). The generated parsers are untouched: at runtime
they still produce the documented types for documented values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.codegen.surface.model import Surface

# models/__init__.py (spec/templates) maps each model to its module: `"Feedback": ".feedback",`
_MODULE_ENTRY = re.compile(r'^\s*"(\w+)": "\.(\w+)",$', re.MULTILINE)
_FIELD = re.compile(r"^    ([a-z_][a-z0-9_]*): (.+?)(?: = .+)?$")
_WIDENED = {"UUID": "str"}
# `AgentPriority = Literal[1, 2, 3]`: the values tell what an unknown one is kept as
_LITERAL = re.compile(r"^(\w+) = Literal\[(.*)\]$", re.MULTILINE)


def roots(surface: Surface) -> set[str]:
    """The models success responses parse into."""
    found = {
        model
        for op in surface.operations
        for status, (_, model, _) in op.replies.items()
        if 200 <= status < 300 and model is not None
    }
    return found | {model for op in surface.operations for _, model, _ in op.page_fields}


def widen(package: Path, models: set[str]) -> None:
    directory = package / "models"
    modules = dict(_MODULE_ENTRY.findall((directory / "__init__.py").read_text("utf-8")))
    if models - modules.keys():  # a template change must not silently leave responses strictly typed
        raise SystemExit(f"lenient: models/__init__.py does not import {sorted(models - modules.keys())}")
    enums: dict[str, str] = {}
    for cls, module in modules.items():
        for name, values in _LITERAL.findall((directory / f"{module}.py").read_text("utf-8")):
            if name == cls:
                enums[cls] = (
                    "int" if all(v.strip().lstrip("-").isdigit() for v in values.split(",")) else "str"
                )
    seen: set[str] = set()
    todo = sorted(models)
    while todo:
        cls = todo.pop()
        if cls in seen or cls not in modules or cls in enums:
            continue
        seen.add(cls)
        path = directory / f"{modules[cls]}.py"
        lines, nested = _widen_class(path.read_text("utf-8"), cls, enums | _WIDENED, set(modules))
        todo += sorted(nested)
        path.write_text(lines, encoding="utf-8")


def _widen_class(text: str, cls: str, widened: dict[str, str], known: set[str]) -> tuple[str, set[str]]:
    out: list[str] = []
    nested: set[str] = set()
    in_fields = False
    for line in text.splitlines(keepends=True):
        if line.startswith(f"class {cls}:"):
            in_fields = True
        elif in_fields and (line.startswith("    def ") or line.startswith("    additional_properties")):
            in_fields = False
        match = _FIELD.match(line.rstrip("\n")) if in_fields else None
        if match:
            annotation = match.group(2)
            nested |= set(re.findall(r"\w+", annotation)) & known
            atoms = annotation.split(" | ")
            wider = sorted({widened[atom] for atom in atoms if atom in widened} - set(atoms))
            if wider:
                line = line.replace(f": {annotation}", f": {' | '.join([annotation, *wider])}", 1)
        out.append(line)
    return "".join(out), nested
