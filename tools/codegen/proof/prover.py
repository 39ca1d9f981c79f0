"""Prove a freshly generated package before it replaces generated_client/.

    python -m tools.codegen prove PACKAGE_DIR CORRECTED.json GENERATOR.yaml

Parses and compiles every module once, checking that no annotation calls anything; then, in this
interpreter (started fresh by generate.sh) with PACKAGE_DIR's parent first on sys.path, imports
every module from exactly the code compiled, reads the embedded corrected spec back, builds a Raia
and an AsyncRaia, resolves the type hints of every generated method and model, and checks that every
schema of the spec has its class and every operation its description (in its resource's module,
indexed once). Ruff and mypy pass code that breaks at import or when type hints are resolved (a NUL
byte, `inf`, an annotation holding code); this does not. Last, mypy --strict checks the package as
`make check` will, so a spec the generated code cannot type (an integer enum widened wrongly, say)
fails generation rather than the next `make check`. Exits 1 with one line naming what failed.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import gc
import importlib.abc
import importlib.util
import keyword
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType, ModuleType

from raia_spec import operations
from tools.codegen.guard import load_untrusted
from tools.codegen.naming import Naming
from tools.codegen.proof.probe import ProofFailed, check

# Nodes holding statements: annotations live only in statements (a def's arguments and return, an
# annotated assignment), so the scan never walks into expressions such as the embedded spec.
_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def _statements(tree: ast.AST) -> Iterator[ast.AST]:
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, _STATEMENTS))


def _annotations(tree: ast.AST) -> Iterator[ast.expr]:
    for node in _statements(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
                if arg.annotation is not None:
                    yield arg.annotation
            for rest in (arguments.vararg, arguments.kwarg):
                if rest is not None and rest.annotation is not None:
                    yield rest.annotation
            if node.returns is not None:
                yield node.returns
        elif isinstance(node, ast.AnnAssign):
            yield node.annotation


def _calls(annotation: ast.AST) -> bool:
    """Whether resolving the annotation would call something (a quoted one is parsed too).

    The strings inside `Literal[...]` are values, not annotations, so they are not parsed.
    """
    node = annotation
    if isinstance(node, ast.Name):
        return False
    if isinstance(node, ast.Call):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and _quoted_calls(node.value)
    if isinstance(node, ast.Attribute):
        return _calls(node.value)
    if isinstance(node, ast.BinOp):
        return _calls(node.left) or _calls(node.op) or _calls(node.right)
    if isinstance(node, ast.Subscript):
        if _last_name(node.value) == "Literal":  # values: a call among them still runs, a string does not
            return _calls(node.value) or any(isinstance(n, ast.Call) for n in ast.walk(node.slice))
        return _calls(node.value) or _calls(node.slice)
    return any(_calls(child) for child in ast.iter_child_nodes(node))


def _last_name(node: ast.expr) -> str | None:
    """`Literal` for `Literal` and for `typing.Literal`."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


@functools.cache  # the same few quoted names recur in every module
def _quoted_calls(text: str) -> bool:
    if all(part.isidentifier() and not keyword.iskeyword(part) for part in text.split(".")):
        return False  # a name or a dotted name: resolving it calls nothing
    try:
        return _calls(ast.parse(text, mode="eval").body)
    except SyntaxError:
        return True


def compile_all(package: Path) -> dict[Path, CodeType]:
    """Every module compiles, and no annotation calls anything: resolving type hints runs no code.

    Each module is parsed once; its code is compiled from that tree and returned, by path, so that
    the proof imports what was scanned.
    """
    codes: dict[Path, CodeType] = {}
    gc.disable()  # hundreds of trees are built and dropped: collecting them while walking only costs time
    try:
        for path in sorted(package.rglob("*.py")):
            name = path.relative_to(package.parent)
            try:
                tree = ast.parse(path.read_bytes(), filename=str(path))
                codes[path.resolve()] = compile(tree, str(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                raise ProofFailed(f"{name} does not compile: {exc}") from None
            for annotation in _annotations(tree):
                if _calls(annotation):
                    raise ProofFailed(f"{name}:{annotation.lineno}: an annotation calls something")
    finally:
        gc.enable()
    return codes


class _Compiled(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the package's modules from the code objects compile_all checked, writing no bytecode."""

    def __init__(self, package: Path, codes: dict[Path, CodeType]) -> None:
        self.package = package.resolve()
        self.codes = codes

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] != self.package.name:
            return None
        base = self.package.parent.joinpath(*fullname.split("."))
        if base / "__init__.py" in self.codes:
            return importlib.util.spec_from_file_location(
                fullname, base / "__init__.py", loader=self, submodule_search_locations=[str(base)]
            )
        if base.with_suffix(".py") in self.codes:
            return importlib.util.spec_from_file_location(fullname, base.with_suffix(".py"), loader=self)
        return None

    def exec_module(self, module: ModuleType) -> None:
        assert module.__spec__ is not None and module.__spec__.origin is not None
        exec(self.codes[Path(module.__spec__.origin)], vars(module))


_PLAIN = frozenset({"string", "integer", "number", "boolean", "array"})


def _is_class(schema: object) -> bool:
    """Whether openapi-python-client writes a model (or enum) for a component: a plain string,
    number or array schema (nullable or not) is written inline wherever it is used instead."""
    if not isinstance(schema, dict) or "enum" in schema:
        return True
    return not (
        schema.get("type") in _PLAIN and not {"properties", "allOf", "anyOf", "oneOf"} & schema.keys()
    )


def expected(spec_path: Path, generator: Path) -> tuple[list[str], list[list[str]]]:
    """The classes and routes the corrected spec names."""
    spec = load_untrusted(spec_path)
    naming, _ = Naming.load(generator)
    schemas = (spec.get("components") or {}).get("schemas") or {}
    classes = sorted(naming.class_name(name) for name, schema in schemas.items() if _is_class(schema))
    return classes, [[method, path] for path, method, _ in operations(spec)]


def prove(package: Path, spec_path: Path, generator: Path) -> None:
    codes = compile_all(package)
    classes, routes = expected(spec_path, generator)
    if any(name.partition(".")[0] in {package.name, "raia_agent"} for name in sys.modules):
        raise ProofFailed("the proving interpreter has already imported a client package")
    sys.dont_write_bytecode = True  # nothing may land in the package being proved
    sys.path.insert(0, str(package.resolve().parent))
    sys.meta_path.insert(0, _Compiled(package, codes))
    try:
        check(package.resolve(), spec_path.resolve(), classes, routes)
    except ProofFailed:
        raise
    except Exception as exc:  # the generated code's own failure, in one line
        raise ProofFailed(f"{type(exc).__name__}: {exc}") from None


_ROOT = Path(__file__).resolve().parents[3]
# `make typecheck`'s flags for the generated package (pyproject.toml's [tool.mypy]: strict, 3.11)
_MYPY = ("--strict", "--python-version", "3.11", "--no-error-summary", "--no-color-output")


def _warm_cache() -> Path:
    """Where the first successful check leaves its mypy cache, for every later one to start from."""
    from importlib.metadata import version

    return _ROOT / ".mypy_cache" / f"prove-{sys.version_info[0]}.{sys.version_info[1]}-{version('mypy')}"


def typecheck(package: Path) -> None:
    """mypy --strict over the package, from its parent directory so that no project config applies.

    Each check runs on its own copy of a warm cache (typeshed, httpx and attrs already checked: about
    3 s of a cold check), never on a shared one: every generated package names its modules alike, and
    two checks writing one cache at once read each other's modules (a test worker's package failed
    with names of another's). The first success publishes its cache, by rename, complete or not at all.
    """
    warm = _warm_cache()
    warm.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=warm.parent, prefix="scratch-") as scratch:  # renamed in place
        cache = Path(scratch) / "cache"
        if warm.is_dir():
            shutil.copytree(warm, cache)
        command = [sys.executable, "-m", "mypy", *_MYPY, "--cache-dir", str(cache), "-p", package.name]
        env = {**os.environ, "MYPYPATH": ""}
        result = subprocess.run(
            command, cwd=package.parent, env=env, capture_output=True, text=True, check=False, timeout=600
        )
        if result.returncode == 0 and not warm.is_dir() and cache.is_dir():
            with contextlib.suppress(OSError):  # another check published first: theirs is as good
                cache.rename(warm)
    if result.returncode != 0:
        found = [line for line in result.stdout.splitlines() if ": error: " in line]
        first = found[0] if found else (result.stdout + result.stderr).strip()[-300:]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise ProofFailed(f"mypy --strict refuses the generated code: {first}{more}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("package", type=Path)
    parser.add_argument("spec", type=Path)
    parser.add_argument("generator_yaml", type=Path)
    args = parser.parse_args()
    try:
        prove(args.package, args.spec, args.generator_yaml)
        typecheck(args.package)
    except ProofFailed as exc:
        print(f"prove: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # one line for the maintainer, not a traceback
        print(f"prove: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
