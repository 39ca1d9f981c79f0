"""Prove a freshly generated package before it replaces generated_client/.

    python -m tools.prove PACKAGE_DIR CORRECTED.json GENERATOR.yaml

Compiles every module; then, in a fresh interpreter that sees PACKAGE_DIR's parent first,
imports every module, reads the embedded corrected spec back, builds a Raia and an AsyncRaia,
resolves the type hints of every generated method and model, and checks that every schema of
the spec has its class and every operation its entry, exactly once. Ruff and mypy pass code that breaks at import or when
type hints are resolved (a NUL byte, `inf`, an annotation holding code); this does not.
Exits 1 with one line naming what failed.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tools.naming import Naming, operations
from tools.spec_guard import load_untrusted

# Runs in the fresh interpreter; expected names arrive on stdin as JSON.
PROBE = r"""
import asyncio, importlib, json, pkgutil, sys, typing

expected = json.loads(sys.stdin.read())
import raia_agent_api
if not raia_agent_api.__file__.startswith(expected["package"]):
    sys.exit(f"imported {raia_agent_api.__file__}, not the package being proved")
for info in pkgutil.walk_packages(raia_agent_api.__path__, "raia_agent_api."):
    importlib.import_module(info.name)
from raia_agent_api import models
from raia_agent_api._spec import corrected_spec
with open(expected["spec"], encoding="utf-8") as handle:
    if corrected_spec() != json.load(handle):
        sys.exit("_spec.py does not read back as the corrected spec")
from raia_agent_api.resources._operations import OPERATIONS
from raia_agent import AsyncRaia, Raia

names = list(getattr(models, "__all__", []))
for cls in expected["classes"]:  # models load on first use: every one is loaded before any hint is read
    if names.count(cls) != 1 or not hasattr(models, cls):
        sys.exit(f"models has class {cls!r} {names.count(cls)} times, not once")
for cls in names:
    getattr(models, cls)
for cls in expected["classes"]:
    if isinstance(getattr(models, cls), type):
        typing.get_type_hints(getattr(models, cls), localns=vars(models))
routes = sorted([op.method, op.path] for op in OPERATIONS.values())
if routes != sorted(expected["routes"]):
    sys.exit(f"operations {routes} are not the spec's {sorted(expected['routes'])}")
from raia_agent_api import _surface
described = {}  # every description in a resources._ops_* module, by identity: each indexed, once, by its name
for info in pkgutil.iter_modules(importlib.import_module("raia_agent_api.resources").__path__):
    if info.name.startswith("_ops_"):
        module = importlib.import_module(f"raia_agent_api.resources.{info.name}")
        for value in vars(module).values():
            if isinstance(value, _surface.Operation):
                described[id(value)] = (value, info.name)
for name in OPERATIONS:
    op = OPERATIONS[name]
    if op.name != name or described.pop(id(op), (None, None))[1] != OPERATIONS.module_of(name):
        sys.exit(f"the index's {name!r} is not the description {OPERATIONS.module_of(name)} holds under that name")
if described:
    sys.exit(f"{sorted(op.name for op, _ in described.values())} are described but not in the index")
from raia_agent_api.resources import params
local = {"_models": models, "_params": params}
sync = Raia(secret_key="proof", base_url="http://127.0.0.1:9")
asynchronous = AsyncRaia(secret_key="proof", base_url="http://127.0.0.1:9")
for name in OPERATIONS:
    resource, method = name.split(".")
    for client in (sync, asynchronous):
        for holder in (getattr(client, resource), getattr(client, resource).with_raw_response):
            typing.get_type_hints(getattr(holder, method), localns=local)
sync.close()
asyncio.run(asynchronous.aclose())
"""


class ProofFailed(Exception):
    """The generated package does not hold; the message says where."""


def _annotations(tree: ast.AST) -> Iterator[ast.expr]:
    for node in ast.walk(tree):
        found: ast.expr | None = None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found = node.returns
        elif isinstance(node, ast.arg | ast.AnnAssign):
            found = node.annotation
        if found is not None:
            yield found


def _calls(annotation: ast.expr) -> bool:
    """Whether resolving the annotation would call something (a quoted one is parsed too).

    The strings inside `Literal[...]` are values, not annotations, so they are not parsed.
    """
    pending: list[ast.AST] = [annotation]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Call):
            return True
        if isinstance(node, ast.Subscript) and ast.unparse(node.value).split(".")[-1] == "Literal":
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                pending.append(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return True
        pending.extend(ast.iter_child_nodes(node))
    return False


def compile_all(package: Path) -> None:
    """Every module compiles, and no annotation calls anything: resolving type hints runs no code."""
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package.parent)
        try:
            source = path.read_bytes()
            compile(source, str(path), "exec", dont_inherit=True)
            tree = ast.parse(source)
        except (SyntaxError, ValueError) as exc:
            raise ProofFailed(f"{name} does not compile: {exc}") from None
        for annotation in _annotations(tree):
            if _calls(annotation):
                raise ProofFailed(f"{name}:{annotation.lineno}: an annotation calls something")


def expected(spec_path: Path, generator: Path, package: Path) -> dict[str, object]:
    spec = load_untrusted(spec_path)
    naming, _ = Naming.load(generator)
    schemas = (spec.get("components") or {}).get("schemas") or {}
    return {
        "package": str(package.resolve()),
        "spec": str(spec_path.resolve()),
        "classes": sorted(naming.class_name(name) for name in schemas),
        "routes": [[method, path] for path, method, _ in operations(spec)],
    }


def prove(package: Path, spec_path: Path, generator: Path) -> None:
    compile_all(package)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(package.resolve().parent)
    result = subprocess.run(
        [sys.executable, "-B", "-c", PROBE],  # -B: no __pycache__ in the package being proved
        input=json.dumps(expected(spec_path, generator, package)),
        cwd=package.resolve().parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise ProofFailed(lines[-1] if lines else f"the import probe exited {result.returncode}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("package", type=Path)
    parser.add_argument("spec", type=Path)
    parser.add_argument("generator_yaml", type=Path)
    args = parser.parse_args()
    try:
        prove(args.package, args.spec, args.generator_yaml)
    except ProofFailed as exc:
        print(f"prove: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # one line for the maintainer, not a traceback
        print(f"prove: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
