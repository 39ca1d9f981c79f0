"""Local references (`#/...`) followed with `referencing`, inside one document and nowhere else.

The registry holds the document alone and has no way to retrieve another one, so a reference to a
file or URL is refused (RefError) rather than fetched. A chain of references is followed at most
MAX_CHAIN steps, and one that comes back to itself is refused naming the cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_CHAIN = 64  # as tools/codegen/guard.py's MAX_REF_CHAIN: no real chain comes near it
_URI = "urn:raia-spec:document"  # a name for the document, never a place to read one from


class RefError(ValueError):
    """A reference that is not followed: not local, pointing nowhere, or part of a cycle."""


def shown(ref: object, limit: int = 80) -> str:
    """A reference for a message: repr() escapes what the spec put in it, and it is cut short."""
    text = repr(ref)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def is_ref(node: Any) -> bool:
    """Whether `node` is a reference object (`{"$ref": "..."}`), the thing `Reader.resolve` follows."""
    return isinstance(node, Mapping) and isinstance(node.get("$ref"), str)


class Reader:
    """Follows the local references of one document (an OpenAPI spec or a JSON Schema with `$defs`)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        from referencing import Registry, Specification  # on first use: the client rarely needs it

        # Opaque: plain JSON pointers, with no keyword (an `id`, say) that could change the base URI.
        resource = Specification.OPAQUE.create_resource(document)
        self.document = document
        self._resolver = Registry().with_resource(_URI, resource).resolver(_URI)

    def target(self, ref: object) -> Any:
        """What the local reference `ref` points at, one step (a reference found there is not followed)."""
        from referencing.exceptions import Unresolvable

        if not isinstance(ref, str):
            raise RefError(f"$ref {shown(ref)} is not a string")
        if not (ref == "#" or ref.startswith("#/")):
            raise RefError(f"$ref {shown(ref)} is not local: only '#/...' references are followed")
        try:
            return self._resolver.lookup(ref).contents
        except (Unresolvable, LookupError, TypeError, ValueError):
            # referencing's own message holds the whole document: say where instead
            raise RefError(f"$ref {shown(ref)} points to nothing in the document") from None

    def resolve(self, node: Any) -> Any:
        """`node`, or what its chain of references ends at; a non-reference is returned as it is."""
        chain: list[str] = []
        while is_ref(node):
            ref = node["$ref"]
            if ref in chain:
                raise RefError(f"$ref cycle: {' -> '.join(shown(r) for r in [*chain, ref])}")
            if len(chain) >= MAX_CHAIN:
                raise RefError(f"$ref chain longer than {MAX_CHAIN} steps from {shown(chain[0])}")
            chain.append(ref)
            node = self.target(ref)
        return node


_last: tuple[Reader, ...] = ()  # the reader of the document read last: callers resolve in one at a time


def resolve(document: Mapping[str, Any], node: Any = None) -> Any:
    """`node` (by default the document itself) with its chain of local references followed."""
    global _last
    node = document if node is None else node
    if not is_ref(node):
        return node  # no reference, nothing to load
    last = _last  # read once: another thread may replace it meanwhile
    reader = last[0] if last and last[0].document is document else Reader(document)
    _last = (reader,)
    return reader.resolve(node)
