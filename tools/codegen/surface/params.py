"""resources/params.py: the TypedDicts a caller may send for nested request objects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from raia_spec import sent_required, unsent
from tools.codegen.surface.annotations import literal

if TYPE_CHECKING:
    from tools.codegen.surface.model import Surface


PARAMS = "params"
"""resources/params.py: a TypedDict per nested request model, for callers who send a mapping."""


def params_module(surface: Surface) -> str:
    types = surface.annotations
    done: dict[str, str] = {}
    while pending := sorted(set(types.typed) - set(done)):
        for name in pending:
            schema = types.components[name]
            needed = set(sent_required(types.spec, schema, "request"))
            fields = []
            for key, prop in schema["properties"].items():
                if unsent(types.spec, prop, "request"):
                    continue  # readOnly: the server's to set, never sent
                text = types.param(prop)
                # strings: forward references, so models and TypedDicts may refer to each other
                fields.append(f"{literal(key)}: {literal(f'Required[{text}]' if key in needed else text)}")
            typed = types.typed[name]
            done[name] = f"{typed} = TypedDict({literal(typed)}, {{{', '.join(fields)}}}, total=False)"
    lines = [
        '"""Nested request objects as TypedDicts: send one of these, or the generated model, for such an argument."""',
        "",
        "from __future__ import annotations",
        "",
        *sorted({"from typing import Any"} | types.imports),
        "from typing import Required, TypedDict",
        "",
        # at run time too, so typing.get_type_hints resolves the fields; resources import this
        # module only for type checkers, so a plain client never pays for the models here
        "from .. import models as _models",
        f"from . import {PARAMS} as _params",
        "",
        f"__all__: list[str] = [{', '.join(literal(types.typed[n]) for n in sorted(done))}]",
        "",
    ]
    return "\n".join([*lines, *(done[n] for n in sorted(done)), ""])
