"""The one entry point of code generation: `python -m tools.codegen STEP ARGS...`.

Each step is a module with a `main()` that reads its arguments from the command line; generate.sh
runs them in order in fresh interpreters (the proof needs one: it imports the package it proves).
"""

from __future__ import annotations

import importlib
import sys

STEPS = {
    "guard": "tools.codegen.guard",
    "validate": "tools.codegen.validation",
    "overlay": "tools.codegen.overlay",
    "names": "tools.codegen.inputs",
    "openapi": "tools.codegen.generator",
    "surface": "tools.codegen.surface.writer",
    "stamp": "tools.codegen.provenance",
    "prove": "tools.codegen.proof.prover",
    "api-md": "tools.codegen.api_md",
}


def main() -> int:
    step = sys.argv[1] if len(sys.argv) > 1 else ""
    if step not in STEPS:
        print(f"usage: python -m tools.codegen {{{','.join(STEPS)}}} ARGS...", file=sys.stderr)
        return 2
    # imported only now: a step loads just what it needs (openapi-python-client takes seconds)
    module = importlib.import_module(STEPS[step])
    sys.argv = [f"python -m tools.codegen {step}", *sys.argv[2:]]
    code: int | None = module.main()
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
