"""The vendor's spec is untrusted input: read it within bounds and refuse what no tool should see.

    python -m tools.codegen guard SPEC [--out CHECKED.json]

Runs before any other tool (openapi-spec-validator, oas-patch, Redocly, openapi-python-client)
reads a spec, and again on the corrected spec after the overlay. It refuses, naming the JSON
pointer: a file over MAX_BYTES, anything but UTF-8 JSON with an object at the top, duplicate keys
(tools disagree on which one wins), NaN, Infinity and numbers that overflow to infinity, strings
holding control characters (other than tab, LF, CR) or lone surrogates, nesting deeper than
MAX_DEPTH, any reference that is not local (`$ref` not starting with `#/`, or `$id`,
`$dynamicRef`, `$recursiveRef`, `$schema`, `externalValue`, which make tools fetch or re-base),
and a chain of references between components longer than MAX_REF_CHAIN. (A local `$ref` that
points nowhere is tools/codegen/validation.py's to report.) Nothing is fetched or opened besides SPEC itself.

Exit status: 0 and nothing printed when the spec passes; 2 and one line on stderr when refused.
With --out, the checked document is written as JSON, so later steps read exactly what was checked.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_BYTES = 20 * 1024 * 1024  # 20 MiB: the vendor's spec is a few KiB; a generous ceiling
MAX_DEPTH = 64  # JSON nesting: real specs stay under 20 levels
MAX_REF_CHAIN = 64  # components reached through one another, cycles counted once
# Keys that make JSON Schema / OpenAPI tools open another document or change the base URI.
FOREIGN_KEYS = ("$id", "$dynamicRef", "$recursiveRef", "$schema", "externalValue")
# C0 controls except tab, LF and CR; DEL; C1 controls; lone surrogates.
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


# What json.loads makes (YAML, through an overlay, can make dates, bytes, sets...).
JSON_TYPES = (dict, list, str, int, float, bool, type(None))


class SpecRefused(ValueError):
    """The spec is refused; str() is one line naming where (a JSON pointer) and why."""

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        # A pointer into a deep document can be long; its ends say where.
        shown_where = where if len(where) <= 160 else f"{where[:100]}...{where[-50:]}"
        super().__init__(f"{shown_where}: {reason}" if where else reason)


class _Bad:
    """A parsed value that must be refused once its JSON pointer is known."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Duplicated(dict[str, Any]):
    """An object that repeated a key; the walk names it with its pointer."""

    duplicate = ""


def pointer_token(key: str | int) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def shown(text: str, limit: int = 80) -> str:
    """Spec text for a message: repr() escapes every control character, and it is cut short."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 4] + "...'"


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out and not isinstance(out, _Duplicated):
            out = _Duplicated(out)
            out.duplicate = key
        out[key] = value
    return out


def _constant(name: str) -> _Bad:
    return _Bad(f"{name} is not a JSON number (no tool agrees on what it means)")


def _float(text: str) -> float | _Bad:
    value = float(text)
    return value if math.isfinite(value) else _Bad(f"{shown(text)} overflows to infinity")


def parse(raw: bytes) -> Any:
    """The document in RAW, refused unless it is bounded, UTF-8 JSON without ambiguity."""
    if len(raw) > MAX_BYTES:
        raise SpecRefused("", f"over {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecRefused("", f"not UTF-8 (byte {exc.start})") from None
    try:
        doc = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)
    except RecursionError:
        raise SpecRefused("", f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, or an integer over Python's digit limit
        raise SpecRefused("", f"not a readable JSON OpenAPI document: {str(exc).splitlines()[0]}") from None
    if not isinstance(doc, dict):
        raise SpecRefused("", "JSON but not an object, so not an OpenAPI document")
    check(doc)
    return doc


def _walk(doc: Any) -> Iterator[tuple[str, Any, int]]:
    """(JSON pointer, value, depth) for every value, without recursion."""
    stack: list[tuple[str, Any, int]] = [("#", doc, 0)]
    while stack:
        where, node, depth = stack.pop()
        yield where, node, depth
        if isinstance(node, dict):
            stack.extend((f"{where}/{pointer_token(k)}", v, depth + 1) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", v, depth + 1) for i, v in reversed(list(enumerate(node))))


def _owner(pointer: str) -> str:
    """The component a pointer lies in (#/components/<kind>/<name>), else the document."""
    parts = pointer.split("/")
    return "/".join(parts[:4]) if parts[1:2] == ["components"] and len(parts) >= 4 else "#"


def check(doc: dict[str, Any]) -> None:
    """Refuse, naming the first offending JSON pointer, anything the module docstring lists."""
    refs: list[tuple[str, str]] = []
    for where, node, depth in _walk(doc):
        if depth > MAX_DEPTH:
            raise SpecRefused(where, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, _Bad):
            raise SpecRefused(where, node.reason)
        if isinstance(node, float) and not math.isfinite(node):
            raise SpecRefused(where, f"{node} is not a JSON number")
        if not isinstance(node, JSON_TYPES):
            raise SpecRefused(where, f"a {type(node).__name__} is not a JSON value")
        if isinstance(node, str) and (bad := UNSAFE_CHARS.search(node)):
            raise SpecRefused(
                where, f"a string holds {bad.group()!r} (a control character or lone surrogate)"
            )
        if not isinstance(node, dict):
            continue
        if isinstance(node, _Duplicated):
            raise SpecRefused(where, f"the key {shown(node.duplicate)} appears twice")
        for key, value in node.items():
            if not isinstance(key, str):
                raise SpecRefused(where, f"the key {key!r} is not a string")
            at = f"{where}/{pointer_token(key)}"
            if bad := UNSAFE_CHARS.search(key):
                raise SpecRefused(at, f"a key holds {bad.group()!r} (a control character or lone surrogate)")
            if key in FOREIGN_KEYS and isinstance(value, str):
                raise SpecRefused(at, f"{key} {shown(value)} could make a tool fetch or open a document")
        if "$ref" in node:
            ref = node["$ref"]
            at = f"{where}/$ref"
            if not isinstance(ref, str):
                raise SpecRefused(at, "$ref is not a string")
            if not ref.startswith("#/"):
                raise SpecRefused(
                    at, f"external reference {shown(ref)}: only local references ('#/...') are allowed"
                )
            refs.append((where, ref))
    _check_chains(refs)


def _check_chains(refs: list[tuple[str, str]]) -> None:
    """Refuse components that reach one another more than MAX_REF_CHAIN deep.

    Generators follow references recursively; a long chain is a stack overflow in one of them.
    Components referring to each other in a cycle count as one step (Tarjan's condensation).
    """
    edges: dict[str, set[str]] = {}
    for where, ref in refs:
        edges.setdefault(_owner(where), set()).add(_owner(ref))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    on_stack: list[str] = []
    order = 0
    sccs: list[list[str]] = []
    for root in list(edges):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = order
        order += 1
        on_stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    scc = []
                    while True:
                        member = on_stack.pop()
                        component[member] = len(sccs)
                        scc.append(member)
                        if member == node:
                            break
                    sccs.append(scc)
            elif child not in index:
                index[child] = low[child] = order
                order += 1
                on_stack.append(child)
                work.append((child, iter(edges.get(child, ()))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    # Tarjan emits components in reverse topological order: successors come first.
    longest: list[int] = []
    for number, scc in enumerate(sccs):
        reach = [
            longest[component[child]]
            for member in scc
            for child in edges.get(member, ())
            if component[child] != number
        ]
        longest.append(1 + max(reach, default=0))
        if longest[-1] > MAX_REF_CHAIN:
            raise SpecRefused(scc[0], f"references lead more than {MAX_REF_CHAIN} components deep from here")


def read_bounded(path: Path, limit: int) -> bytes:
    """At most LIMIT + 1 bytes of the regular file at PATH (OSError otherwise).

    Opened without blocking and checked before reading: a FIFO or a device given as a spec or an
    overlay would otherwise hang the tool, or feed it without end."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return handle.read(limit + 1)


def load_untrusted(path: Path) -> Any:
    """Read and check the spec at PATH; raise SpecRefused naming the problem."""
    try:
        raw = read_bounded(path, MAX_BYTES)
    except OSError as exc:
        raise SpecRefused("", f"cannot be read: {exc.strerror or exc}") from None
    return parse(raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.codegen guard", description=__doc__)
    parser.add_argument("spec", type=Path)
    parser.add_argument("--out", type=Path, help="write the checked document here as JSON")
    args = parser.parse_args(argv)
    try:
        doc = load_untrusted(args.spec)
    except SpecRefused as exc:
        where = exc.where if exc.where.startswith("#") else ""
        print(f"spec refused: {args.spec.name}{str(exc) if where else ': ' + str(exc)}", file=sys.stderr)
        return 2
    if args.out:
        args.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0
