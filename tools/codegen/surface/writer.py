"""Write the typed surface (resources, methods, signatures, docstrings) from the corrected spec.

    python -m tools.codegen surface CORRECTED.json GENERATOR.yaml PACKAGE_DIR

Adds PACKAGE_DIR/resources/: one module per tag with sync, async and raw-response classes, and
`_operations.py` describing every operation for the client's generic request path (the contract with
the hand-written client, raia_runtime, is imported, not written), and PACKAGE_DIR/_facts.py.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from tools.codegen.config import ConfigError
from tools.codegen.guard import load_untrusted
from tools.codegen.naming import Naming, route
from tools.codegen.surface import lenient, params, resources, settings
from tools.codegen.surface.build import build
from tools.codegen.surface.model import Surface, SurfaceError


def write(surface: Surface, package: Path) -> None:
    if params.PARAMS in {op.resource for op in surface.operations}:
        raise SurfaceError(
            f"a resource may not be named {params.PARAMS!r} (resources/{params.PARAMS}.py "
            "holds the TypedDicts): add a naming.resources entry for its tag in spec/generator.yaml"
        )
    out = package / "resources"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    for name, text in resources.render(surface).items():
        (out / name).write_text(text, encoding="utf-8")
    lenient.widen(package, lenient.roots(surface))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec", type=Path)
    parser.add_argument("generator_yaml", type=Path)
    parser.add_argument("package", type=Path)
    args = parser.parse_args()
    try:
        naming, config = Naming.load(args.generator_yaml)
        spec = load_untrusted(args.spec)
        surface = build(spec, naming, config.get("pagination"))
        for note in surface.notes:
            print(note, file=sys.stderr)
        write(surface, args.package)
        names = {
            route(op.http_method, op.path): f"{op.resource}.{op.method_name}" for op in surface.operations
        }
        settings.write(args.generator_yaml, spec, args.package, names)
    except (SurfaceError, settings.FactsError, ConfigError) as exc:
        raise SystemExit(f"surface: {exc}") from None
    except Exception as exc:  # one line for the maintainer, not a traceback
        raise SystemExit(f"surface: unexpected {type(exc).__name__}: {exc}") from None
