"""Validate an OpenAPI document: openapi-spec-validator, plus every $ref resolved.

openapi-spec-validator 0.9 accepts a $ref to a schema that does not exist (it
only follows references it needs while validating), so references are resolved
here too, by the one spec reader (raia_spec, built on `referencing`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate
from referencing.exceptions import Unresolvable

from raia_spec import Reader, RefError, operations
from tools.codegen.guard import SpecRefused, load_untrusted


def refs(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield where or "/", node["$ref"]
        for key, value in node.items():
            yield from refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from refs(value, f"{where}/{index}")


def _ends(ref: str) -> str:
    """A reference for a message, escaped; a long one keeps both ends (a wrong last step shows)."""
    return repr(ref) if len(ref) <= 160 else f"{ref[:100]!r}...{ref[-50:]!r}"


def one_line(message: str, limit: int = 240) -> str:
    """The first line of a validator message, cut short: some embed the whole document."""
    line = message.splitlines()[0] if message else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def undeclared_schemes(doc: dict[str, Any]) -> list[str]:
    """Security requirements naming a scheme components.securitySchemes does not declare: a server
    (the test server too) has nothing to check for them, so the operation would be open."""
    declared = (doc.get("components") or {}).get("securitySchemes") or {}
    holders = [("/security", doc.get("security"))]
    holders += [
        (f"/paths/{path}/{method.lower()}/security", op.get("security"))
        for path, method, op in operations(doc)
    ]
    return [
        f"security requirement {_ends(str(name))} at {where} is not in components.securitySchemes"
        for where, requirements in holders
        for requirement in (requirements if isinstance(requirements, list) else [])
        if isinstance(requirement, dict)
        for name in requirement
        if name not in declared
    ]


def problems(path: Path) -> list[str]:
    # Checked and parsed here, never by the validator's reader (which follows URLs and files).
    doc = load_untrusted(path)
    base_uri = path.resolve().as_uri()
    found = []
    unresolvable = False
    try:
        validate(doc, base_uri=base_uri)
    except Unresolvable:
        # Its message is "... does not exist within {<the whole spec>}"; the walk below names
        # the same $ref with where it is.
        unresolvable = True
    except RecursionError:
        # a reference to itself (through nothing else) sends the validator round: the walk names it
        found.append("a $ref cycle the validator cannot follow")
    except Exception as exc:  # the validator's own message is the report
        found.append(one_line(str(exc)) or repr(exc))
    reader = Reader(doc)
    for where, ref in refs(doc):
        try:
            reader.target(ref)
        except RefError:
            found.append(f"Unresolvable $ref {_ends(ref)} at {where}")
            continue
        try:
            reader.resolve({"$ref": ref})
        except RefError as exc:
            # a cycle of bare references (which no schema can mean) or an endless chain; a step
            # that points nowhere is reported above at its own place
            if str(exc).startswith(("$ref cycle", "$ref chain")):
                found.append(f"{exc} at {where}")
    found += undeclared_schemes(doc)
    if unresolvable and not found:
        found.append("a $ref does not resolve")
    return found


def main() -> int:
    """python -m tools.codegen validate SPEC [NAME]: NAME is how messages call the file (default: its path)."""
    path = Path(sys.argv[1])
    name = sys.argv[2] if len(sys.argv) > 2 else str(path)
    try:
        found = problems(path)
    except SpecRefused as exc:
        found = [f"refused: {exc}"]
    for problem in found:
        print(f"{name}: {problem}", file=sys.stderr)
    return 1 if found else 0
