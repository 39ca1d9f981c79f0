"""The two lanes: a test is `slow` when what it runs regenerates a client, builds a wheel or a
virtualenv, runs schemathesis, mypy, make or the bench; `make test-fast` runs the others.

The rule reads what a test does rather than a list of names, so a new test is classified without
anyone remembering: `slow_reason` follows the test function, its fixtures and parametrised helpers,
and every function of tests/ (or tools' programs) they call, looking for an expensive command or
entry point. `Audit` checks the rule at run time: a test that starts an expensive process without
the marker fails, naming the command, so a path the reading misses cannot pass unnoticed.
"""

from __future__ import annotations

import ast
import copy
import inspect
import os
import subprocess
import textwrap
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

from hypothesis import settings

# Hypothesis profiles registered by tests/conftest.py: `make test` runs the full one, `make test-fast` the fast.
FULL_PROFILE = "raia"
FAST_PROFILE = "raia-fast"


def examples(full: int, profile: settings | None = None) -> int:
    """A test's example count: FULL under the full profile, scaled down with the loaded profile's budget.

    For @settings(max_examples=...), which would otherwise override the fast profile's smaller count."""
    budget = (profile or settings.default).max_examples
    return max(1, full * budget // settings.get_profile(FULL_PROFILE).max_examples)


# Words that, as a whole string literal in a test's code, are an expensive command or its program.
EXPENSIVE_WORDS = {
    "generate.sh": "regenerates a client",
    "./generate.sh": "regenerates a client",
    "tools.apidiff": "runs make diff (two generations)",
    "tools.spec_update": "runs make update-spec (generation and the suite)",
    "tools.spec_update.pr": "runs make spec-pr",
    "tools.bench": "runs the bench",
    "make": "runs make",
    "wheel": "builds a wheel",
    "venv": "builds a virtualenv",
    "mypy": "runs mypy",
}
# Programs named by a module constant (a path to the executable, or a command) that a test then runs.
# mypy is not one of the four, but a cold --strict run over a package costs as much as a generation.
EXPENSIVE_PROGRAMS = {"generate.sh", "schemathesis", "make", "mypy"}
# Entry points that regenerate when called in-process (module prefix, qualified name).
EXPENSIVE_CALLS = {
    ("tools.apidiff", "main"): "runs make diff (two generations)",
    ("tools.apidiff", "add_python"): "generates both clients of a diff",
    ("tools.apidiff", "generate"): "regenerates a client",
    ("tools.spec_update", "main"): "runs make update-spec",
    ("tools.spec_update", "run"): "runs make update-spec",
}
# Fixtures whose mere use is expensive (a scratch copy of the repository exists to run make or generate.sh).
EXPENSIVE_FIXTURES = {"repo_copy": "works in a scratch copy of the repository"}


def _command_words(args: Any) -> list[str]:
    if isinstance(args, (str, bytes, os.PathLike)):
        return [os.fsdecode(args)]
    return [os.fsdecode(a) for a in args] if isinstance(args, Iterable) else []


def expensive_command(args: Any) -> str | None:
    """Why starting ARGS (Popen's first argument) is slow, or None."""
    words = _command_words(args)
    names = [Path(w).name for w in words]
    if "generate.sh" in names:
        return "regenerates a client"
    if names and names[0] in EXPENSIVE_PROGRAMS:
        return f"runs {names[0]}"
    if "-m" in words:
        module = words[words.index("-m") + 1] if words.index("-m") + 1 < len(words) else ""
        if module.startswith(("tools.apidiff", "tools.spec_update", "tools.bench", "pip", "venv", "mypy")):
            return f"runs python -m {module}"
    return None


def _body_source(func: FunctionType) -> ast.AST | None:
    node = _defs_in(func.__code__.co_filename).get(func.__code__.co_firstlineno)
    if node is None:  # a lambda, or code whose file is gone: read it alone
        try:
            node = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
        except (OSError, TypeError, SyntaxError):
            return None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node = copy.copy(node)  # the parsed module is shared by every function of the file
        node.decorator_list = []  # a parametrize id such as "make" is not a command
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            node.body = body[1:] or [ast.Pass()]  # nor is a word in the docstring
    return node


@cache
def _defs_in(filename: str) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function defined in FILENAME, by the line its code starts on (its first decorator's).

    One parse per file: getsource tokenises the file again for each function."""
    try:
        tree = ast.parse(Path(filename).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return {}
    return {
        min([node.lineno, *(d.lineno for d in node.decorator_list)]): node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


TESTS = Path(__file__).resolve().parents[1]


def _ours(obj: object) -> bool:
    """Defined in tests/ (pytest imports test modules and conftest by their bare names), this rule aside."""
    code = getattr(obj, "__code__", None)
    return code is not None and _in_tests(code.co_filename)


@cache
def _in_tests(filename: str) -> bool:
    # Cached by file: resolving a path for each name of each test's code was half of collection.
    where = Path(filename).resolve()
    return where.is_relative_to(TESTS) and where != Path(__file__).resolve()


def _called_reason(obj: object) -> str | None:
    module = getattr(obj, "__module__", "") or ""
    name = getattr(obj, "__name__", "")
    for (prefix, entry), why in EXPENSIVE_CALLS.items():
        if (module == prefix or module.startswith(prefix + ".")) and name == entry:
            return why
    return None


@cache
def function_reason(func: FunctionType) -> str | None:
    """Why calling FUNC is slow (it, or a tests/ function it names, runs something expensive), or None."""
    return _reason(func, set())


def _reason(func: FunctionType, seen: set[FunctionType]) -> str | None:
    if func in seen:
        return None
    seen.add(func)
    for found in _findings(func):
        if isinstance(found, str):
            return found
        why = _reason(found, seen)
        if why:
            return why
    return None


@cache
def _findings(func: FunctionType) -> tuple[str | FunctionType, ...]:
    """What FUNC's own body shows, in order: tests/ functions it names, ending at the first reason it is slow.

    Cached per function (parsing is the cost), so a helper many tests reach is read once."""
    tree = _body_source(func)
    if tree is None:
        return ()
    scope = {**func.__globals__, **_closure(func)}
    found: list[str | FunctionType] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in EXPENSIVE_WORDS:
            return (*found, f"{EXPENSIVE_WORDS[node.value]} ({node.value!r} in {func.__qualname__})")
        if isinstance(node, ast.Name):
            program = _program(scope.get(node.id))
            if program in EXPENSIVE_PROGRAMS:
                return (*found, f"runs {program} ({node.id} in {func.__qualname__})")
        target = _resolve(node, scope)
        if target is None:
            continue
        why = _called_reason(target)
        if why:
            return (*found, f"{why} ({func.__qualname__} calls {target.__qualname__})")
        if isinstance(target, FunctionType) and _ours(target):
            found.append(target)
    return tuple(found)


def _program(value: object) -> str | None:
    """The program a module constant names: a path to it (SCHEMATHESIS), or a command's first word (MAKE)."""
    if isinstance(value, (list, tuple)) and value:
        value = value[0]
    return Path(value).name if isinstance(value, (str, Path)) else None


def _closure(func: FunctionType) -> dict[str, Any]:
    if not func.__closure__:
        return {}
    return {
        name: cell.cell_contents
        for name, cell in zip(func.__code__.co_freevars, func.__closure__, strict=True)
        if _filled(cell)
    }


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _resolve(node: ast.AST, scope: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        found = scope.get(node.id)
        return found if callable(found) else None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        owner = scope.get(node.value.id)
        if isinstance(owner, (ModuleType, type)):
            found = getattr(owner, node.attr, None)
            return found if callable(found) else None
    return None


def slow_reason(
    function: Callable[..., Any], fixtures: dict[str, Sequence[Any]], params: Iterable[Any]
) -> str | None:
    """Why a test is slow: its function, a fixture it uses or a callable it is parametrised with.

    FIXTURES maps each fixture name the test uses to its definitions (pytest's name2fixturedefs).
    """
    for name in fixtures:
        if name in EXPENSIVE_FIXTURES:
            return f"{EXPENSIVE_FIXTURES[name]} (fixture {name})"
    candidates: list[Any] = [inspect.unwrap(function)]
    candidates += [inspect.unwrap(d.func) for defs in fixtures.values() for d in defs]
    candidates += [p for p in params if isinstance(p, FunctionType)]
    for candidate in candidates:
        if isinstance(candidate, FunctionType) and (_ours(candidate) or candidate is function):
            why = function_reason(candidate)
            if why:
                return why
    return None


class Audit:
    """Records, while an unmarked test runs, every expensive process it starts."""

    def __init__(self) -> None:
        self.watching = False
        self.seen: list[str] = []
        self._original = subprocess.Popen.__init__

    def install(self) -> None:
        original = self._original
        audit = self

        def init(popen: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
            if audit.watching:
                why = expensive_command(args)
                if why:
                    audit.seen.append(f"{why}: {' '.join(_command_words(args))[:200]}")
            original(popen, args, *rest, **kwargs)

        subprocess.Popen.__init__ = init  # type: ignore[method-assign]
