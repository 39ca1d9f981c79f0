"""The layers hold: imports point down only, between the project's packages and inside tools/, with
no import circles; generation imports the client it generates for only in the proof.

Layers, top to bottom: tools -> raia_agent -> raia_agent_api (generated) -> raia_runtime, with
raia_spec under the tools and the client. Every import counts, also one made only while type checking
or inside a function: each is a dependency a reader has to follow."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TREES = {"tools": ROOT / "tools", "raia_agent_api": ROOT / "generated_client" / "raia_agent_api"}
TREES |= {p.name: p for p in sorted((ROOT / "src").iterdir()) if (p / "__init__.py").exists()}

# What each top-level package may import of this project's (besides itself).
ALLOWED = {
    "raia_runtime": set(),
    "raia_spec": set(),
    "raia_agent_api": {"raia_runtime"},
    "raia_agent": {"raia_agent_api", "raia_runtime", "raia_spec"},
    "tools": {"raia_agent", "raia_agent_api", "raia_runtime", "raia_spec"},
}
FIRST_PARTY = {*TREES, "tests"}

# Inside tools/: each unit may import only the units listed (and itself). `tools.bench` names the
# bench package and every module in it.
TOOLS = {
    "tools.markdown": set(),
    "tools.progress": set(),
    "tools.synth_spec": set(),
    "tools.codegen": {"tools.markdown", "tools.progress"},
    "tools.apidiff": {"tools.codegen", "tools.markdown", "tools.progress"},
    "tools.spec_update": {"tools.apidiff", "tools.codegen", "tools.markdown", "tools.progress"},
    "tools.bench": {"tools.synth_spec", "tools.markdown", "tools.progress"},
    "tools.demo": set(),
}
# Inside tools/codegen/, bottom to top: each imports only those before it.
CODEGEN = [
    "guard", "config", "naming", "media_types", "overlay", "validation", "inputs", "generator", "surface",
    "provenance", "proof", "api_md",
]  # fmt: skip
# The client's circles when this test was written (most through imports inside functions or while type
# checking): none may be added; remove an entry when its circle goes.
KNOWN_CIRCLES = [
    ["raia_agent._binary", "raia_agent._response", "raia_agent._streaming"],
    ["raia_agent._pool", "raia_agent._transport"],
    ["raia_agent._client", "raia_agent._opened"],
    ["raia_agent.testing._instances", "raia_agent.testing._routes"],
]


def modules(package: str) -> dict[str, Path]:
    """Every module of the package `package`, by dotted name (a package by its own name)."""
    tree = TREES[package]
    found = {}
    for path in sorted(tree.rglob("*.py")):
        parts = [package, *path.relative_to(tree).with_suffix("").parts]
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path) -> set[str]:
    """The dotted names a module imports, anywhere in it, relative imports resolved."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of this project it imports (a name resolves to its longest module),
    leaving out a module's own enclosing packages: those load before it whatever it imports."""
    known = {name: path for tree in TREES for name, path in modules(tree).items()}
    edges: dict[str, set[str]] = {}
    for name, path in modules(package).items():
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        edges[name] = set()
        for target in imported(name, path):
            parts = target.split(".")
            match = next(
                (".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in known), None
            )
            if match is None and parts[0] in FIRST_PARTY:
                match = parts[0]
            if match is not None and match != name and match not in ancestors:
                edges[name].add(match)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, targets = work[-1]
            target = next((t for t in targets if t in edges), None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    work.append((target, iter(sorted(edges[target]))))
                elif target in stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def unit(name: str, units: dict[str, set[str]]) -> str | None:
    return next((u for u in sorted(units, key=len, reverse=True) if name == u or name.startswith(u)), None)


def test_the_graph_resolves_relative_imports_and_the_circle_scan_finds_a_circle(tmp_path: Path) -> None:
    """A relative import is resolved against its package, and a -> b -> a is reported as one circle."""
    module = tmp_path / "m.py"
    module.write_text("from . import b\nfrom ..c import d\nimport e.f\n", encoding="utf-8")
    assert imported("p.q.m", module) == {"p.q", "p.q.b", "p.c", "p.c.d", "e.f"}
    assert circles({"a": {"b"}, "b": {"a", "c"}, "c": set()}) == [["a", "b"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_every_package_under_src_has_a_layer() -> None:
    """A new package under src/ fails here until it is given its place in ALLOWED."""
    assert set(TREES) <= set(ALLOWED)


@pytest.mark.parametrize("package", sorted(TREES))
def test_each_layer_imports_only_the_layers_below_it(package: str) -> None:
    """raia_runtime and raia_spec import nothing of ours; the generated package only the runtime; the
    client neither the tools nor the tests; nothing imports the tests."""
    upward = {
        f"{name} imports {target}"
        for name, targets in graph(package).items()
        for target in targets
        if target.split(".")[0] not in {package, *ALLOWED[package]}
    }
    assert sorted(upward) == []


def test_every_known_circle_is_still_there() -> None:
    """A known circle that is gone is struck from the list, so it cannot come back unnoticed."""
    found = [c for package in TREES for c in circles(graph(package))]
    assert [c for c in KNOWN_CIRCLES if c not in found] == []


@pytest.mark.parametrize("package", sorted(TREES))
def test_no_package_has_an_import_circle(package: str) -> None:
    """No module reaches itself through its imports (the client's known circles aside, which may only go)."""
    found = circles(graph(package))
    assert [c for c in found if c not in KNOWN_CIRCLES] == []


def test_tools_units_import_only_the_units_below_them() -> None:
    """codegen imports neither apidiff nor spec_update nor bench; apidiff not spec_update; the shared
    markdown and progress modules import no other tool."""
    wrong = []
    edges = graph("tools")
    assert edges.pop("tools") == set()  # tools/__init__.py: a docstring only
    for name, targets in edges.items():
        here = unit(name, TOOLS)
        assert here is not None, f"{name} is in no unit of TOOLS: give it its place"
        for target in targets:
            there = unit(target, TOOLS) if target.startswith("tools.") else None
            if there is not None and there != here and there not in TOOLS[here]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_codegen_steps_import_only_the_steps_before_them() -> None:
    """Inside tools/codegen/ the guard is at the bottom and the proof and api.md at the top."""
    order = {f"tools.codegen.{name}": at for at, name in enumerate(CODEGEN)}
    wrong = []
    for name, targets in graph("tools").items():
        here = unit(name, {u: set() for u in order})
        if here is None:
            assert (
                name == "tools.codegen"
                or name.startswith("tools.codegen.__main__")
                or not name.startswith("tools.codegen")
            ), f"{name} is in no step of CODEGEN"
            continue
        for target in targets:
            there = unit(target, {u: set() for u in order})
            if there is not None and order[there] > order[here]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_generation_imports_the_client_only_in_the_proof() -> None:
    """What `python -m tools.codegen` runs never imports raia_agent (the client it generates for), but
    the proof's probe, which builds the clients over the package being proved."""
    steps = importlib.import_module("tools.codegen.__main__").STEPS
    assert {"guard", "names", "surface", "stamp", "prove"} <= set(steps)
    edges = graph("tools")
    seen: set[str] = set()
    todo = sorted(steps.values())
    importers = []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for target in edges.get(name, set()):
            if target.split(".")[0] == "raia_agent" and name != "tools.codegen.proof.probe":
                importers.append(f"{name} imports {target}")
            if target in edges:
                todo.append(target)
    assert "tools.codegen.proof.probe" in seen
    assert importers == []
