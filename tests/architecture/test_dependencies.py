"""Every third-party import is declared in pyproject.toml, in the part of it that installs it.

Imports are read with `ast` (conditional and TYPE_CHECKING ones too) and mapped to distributions
with importlib.metadata, so a new import of an undeclared package fails here, not on a user's
machine where a transitive dependency happened to be missing.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[2]
FIRST_PARTY = {"raia_spec", "raia_runtime", "raia_agent", "raia_agent_api", "tools", "tests"}
# Where each tree's imports must be declared: the wheel's core takes only `dependencies`, the CLI
# and the test server add their extra, and tools and tests run in the dev environment (which
# installs the extras and the dev group).
TREES = {
    # the spec reader under the client, the tools and the test server: the core's dependencies only
    "src/raia_spec": ("dependencies",),
    # what generated code needs at run time, under the generated package and the client
    "src/raia_runtime": ("dependencies",),
    "src/raia_agent": ("dependencies",),
    # the one core module that reaches httpx2, only once it is found installed (or given)
    "src/raia_agent/_httpx2.py": ("dependencies", "httpx2"),
    # names httpx2's clients in http_client's type, imported only while type checking
    "src/raia_agent/_client.py": ("dependencies", "httpx2"),
    "src/raia_agent/_cli": ("dependencies", "cli"),
    "src/raia_agent/testing": ("dependencies", "testing"),
    "generated_client/raia_agent_api": ("dependencies",),
    "tools": ("dependencies", "cli", "testing", "httpx2", "dev"),
    "tests": ("dependencies", "cli", "testing", "httpx2", "dev"),
}


def imported(source: str, *, guarded: bool = True) -> set[str]:
    """Top-level names of the absolute imports in `source`; with guarded=False, leave out those
    inside a `try` that catches ImportError (an optional feature that names its extra)."""
    tree = ast.parse(source)
    skip: set[int] = set()
    if not guarded:
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
                skip |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(c, ast.Name) and c.id in ("ImportError", "ModuleNotFoundError") for c in caught)


@cache
def declared() -> dict[str, set[str]]:
    """Canonical distribution names by part of pyproject: dependencies, each extra, each group."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    parts = {"dependencies": project["project"]["dependencies"]}
    parts |= project["project"].get("optional-dependencies", {})
    parts |= {
        k: [r for r in v if isinstance(r, str)] for k, v in project.get("dependency-groups", {}).items()
    }
    return {part: {canonicalize_name(Requirement(r).name) for r in reqs} for part, reqs in parts.items()}


def local_modules(tree: Path) -> set[str]:
    """Modules a tree imports by bare name because it is on sys.path (tests' helpers, say)."""
    return {p.stem for p in tree.glob("*.py")} | {p.name for p in tree.iterdir() if p.is_dir()}


def owner(module: Path) -> str:
    """The most specific tree in TREES that holds `module`."""
    where = str(module.relative_to(ROOT))
    return max((tree for tree in TREES if where == tree or where.startswith(tree + "/")), key=len)


@cache
def distributions() -> dict[str, list[str]]:
    return packages_distributions()


def undeclared(module: Path, tree: str | None = None) -> list[str]:
    """What `module` imports that pyproject does not declare for its tree (by default, where it sits)."""
    tree = tree or owner(module)
    allowed = set().union(*(declared().get(part, set()) for part in TREES[tree]))
    anywhere = set().union(*declared().values())
    local = local_modules(ROOT / tree.split("/")[0]) if tree in ("tests", "tools") else set()
    dists = distributions()
    source = module.read_text(encoding="utf-8")
    required = imported(source, guarded=False)
    out = []
    for name in sorted(imported(source)):
        if name in sys.stdlib_module_names or name in FIRST_PARTY or name in local or name == "__future__":
            continue
        owners = {canonicalize_name(d) for d in dists.get(name, [])}
        # a guarded import may come from any extra (`raia-agent serve` needs the testing one)
        if not owners:
            out.append(f"{name}: no installed distribution provides it")
        elif not owners & (allowed if name in required else anywhere):
            out.append(f"{name} ({', '.join(sorted(owners))}) is not declared in {' / '.join(TREES[tree])}")
    return out


MODULES = sorted({p for tree in TREES for p in (ROOT / tree).rglob("*.py") if owner(p) == tree})


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_third_party_import_is_declared(module: Path) -> None:
    """Each third-party module a file imports comes from a distribution pyproject declares for it."""
    assert undeclared(module) == []


def test_nothing_declared_goes_unimported() -> None:
    """Every runtime dependency and extra is imported somewhere in the code that ships."""
    shipped = [
        p for tree in TREES if tree.startswith(("src", "generated")) for p in (ROOT / tree).rglob("*.py")
    ]
    names = set().union(*(imported(p.read_text(encoding="utf-8")) for p in shipped))
    dists = distributions()
    used = {canonicalize_name(d) for name in names for d in dists.get(name, [])}
    for part in ("dependencies", "cli", "testing"):
        assert declared()[part] - used == set(), part


def test_the_dev_group_holds_no_unused_test_library() -> None:
    """respx-style leftovers: a dev dependency that is a Python library is imported by tools or tests,
    or is there for a stated reason (a command-line tool, type stubs, a plugin)."""
    code = [p for tree in ("tools", "tests") for p in (ROOT / tree).rglob("*.py")]
    names = set().union(*(imported(p.read_text(encoding="utf-8")) for p in code))
    dists = distributions()
    used = {canonicalize_name(d) for name in names for d in dists.get(name, [])}
    # run as commands (the Makefile, generate.sh, test_conformance), loaded as pytest plugins, or
    # type stubs: none of them is imported
    tools = {
        "ruff", "mypy", "pytest-asyncio", "pytest-timeout", "pytest-xdist", "types-pyyaml",
        "check-jsonschema", "schemathesis",
    }  # fmt: skip
    assert tools <= declared()["dev"], "a tool listed here left the dev group: drop it here too"
    assert declared()["dev"] - used - tools == set()


def test_the_checker_reads_every_kind_of_import() -> None:
    """Plain, dotted, from-, TYPE_CHECKING and guarded imports count; relative ones do not; an
    import guarded by `except ImportError` is told apart."""
    source = (
        "import a.b\nfrom c.d import e\nfrom . import f\nfrom .g import h\n"
        "if TYPE_CHECKING:\n    import i\ntry:\n    import j\nexcept (OSError, ImportError):\n    pass\n"
        "try:\n    import k\nexcept ValueError:\n    pass\n"
    )
    assert imported(source) == {"a", "c", "i", "j", "k"}
    assert imported(source, guarded=False) == {"a", "c", "i", "k"}


def test_the_checker_reports_an_undeclared_import(tmp_path: Path) -> None:
    """A core module importing a package pyproject does not declare for the core is reported."""
    module = tmp_path / "probe.py"
    module.write_text("import click\nimport yaml\nimport httpx\n", encoding="utf-8")
    assert undeclared(module, "src/raia_agent") == [
        "click (click) is not declared in dependencies",
        "yaml (pyyaml) is not declared in dependencies",
    ]
    assert undeclared(module, "tools") == []


def private_imports(source: str, local: frozenset[str] = frozenset()) -> list[str]:
    """Modules of other projects imported by a private (underscore) path, e.g. httpx._client;
    `local` names the tree's own helper modules (tests/support/frozen.py, say)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] not in FIRST_PARTY | local and any(
                p.startswith("_") and p != "__future__" for p in parts
            ):
                found.append(name)
    return found


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_module_of_a_library_is_imported(module: Path) -> None:
    """Code uses libraries' public API only (httpx.USE_CLIENT_DEFAULT, not httpx._client)."""
    tree = owner(module)
    local = local_modules(ROOT / tree) if tree in ("tests", "tools") else set()
    assert private_imports(module.read_text(encoding="utf-8"), frozenset(local)) == []


def test_the_private_import_check_finds_one() -> None:
    """`from httpx._client import X` and `import a._b` are private; first-party and __future__ are not."""
    source = "from httpx._client import X\nimport a._b\nfrom raia_agent._client import Raia\nfrom __future__ import annotations\n"
    assert private_imports(source) == ["httpx._client", "a._b"]
