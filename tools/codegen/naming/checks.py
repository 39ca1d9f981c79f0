"""Checks on the Python names a spec gets: usable identifiers, and no two spec locations sharing one.

Every failure names the spec location (a JSON pointer) or the generator.yaml entry, and the fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from tools.codegen.guard import pointer_token
from tools.codegen.naming import pynames


class NamingError(Exception):
    """A naming entry or rule that cannot be applied; the message names it."""


def where(*parts: str | int) -> str:
    """A JSON pointer into the spec, as error messages name spec locations."""
    return "#/" + "/".join(pointer_token(part) for part in parts)


def refuse_clashes(entries: list[tuple[str, str]], what: str, hint: str) -> None:
    """(Python name, spec location) pairs: two locations whose names match case-insensitively fail.

    Case-insensitively because macOS and Windows file systems fold case, so module files
    `Foo.py` and `foo.py` are one file there; NFKC because Python folds identifiers so.
    """
    seen: dict[str, tuple[str, str]] = {}
    for python, location in entries:
        folded = unicodedata.normalize("NFKC", python).casefold()
        if folded in seen and seen[folded][1] != location:
            first, at = seen[folded]
            same = f"{first!r}" if first == python else f"{first!r} and {python!r}"
            raise NamingError(f"{at} and {location} would both be {what} {same}: {hint}")
        seen.setdefault(folded, (python, location))


def check_chosen(section: str, chosen: dict[str, str], rule: Callable[[str], str]) -> None:
    """The names spec/generator.yaml chooses must be usable as they are, and what the rule keeps."""
    for key, value in chosen.items():
        if not isinstance(value, str) or not pynames.usable(value) or rule(value) != value:
            raise NamingError(
                f"naming.{section}[{key!r}] = {value!r} is not a usable Python name: an ASCII "
                f"identifier, not a keyword or private, that its rule keeps as it is ({rule(str(value))!r})"
            )


def check_schemas(class_name: Callable[[str], str], schemas: list[str]) -> None:
    """Every schema gets a class, a module and a generator key of its own."""
    for name in schemas:
        if not pynames.COMPONENT_KEY.fullmatch(name):
            raise NamingError(
                f"{where('components', 'schemas', name)}: schema name {name!r} is not allowed by OpenAPI "
                "(component names match ^[a-zA-Z0-9._-]+$); rename it in spec/overlay.yaml"
            )
        if not pynames.usable(class_name(name)):
            raise NamingError(
                f"{where('components', 'schemas', name)}: class {class_name(name)!r} is not a usable "
                "Python name: add a naming.classes entry"
            )
    located = [(name, where("components", "schemas", name)) for name in schemas]
    hint = "add a naming.classes entry for one of them"
    refuse_clashes([(class_name(n), at) for n, at in located], "class", hint)
    refuse_clashes([(pynames.module_name(class_name(n)), at) for n, at in located], "module", hint)
    refuse_clashes(
        [(pynames.override_key(n), at) for n, at in located],
        "the same schema to openapi-python-client, as",
        "rename one in spec/overlay.yaml",
    )


def check_properties(node: Any, at: str = "#") -> None:
    """No two properties of one object become the same model attribute."""
    stack = [(node, at)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                refuse_clashes(
                    [
                        (pynames.attribute_name(k), f"{at}/properties/{pointer_token(k)}")
                        for k in node["properties"]
                    ],
                    "model attribute",
                    "rename one in spec/overlay.yaml",
                )
            stack += [(v, f"{at}/{pointer_token(k)}") for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, f"{at}/{i}") for i, v in enumerate(node)]


ROUTE = re.compile(r"(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) /\S*")


def fix_entry(route: str) -> str:
    """The naming.methods line that gives ROUTE a name of its own (a suggestion to edit)."""
    method, path = route.split(" ", 1)
    words = re.sub(r"\{([^}]*)\}", r"by \1", path)
    return f'"{route}": {snake_case_words(method + " " + words)}'


def snake_case_words(text: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text).lower()))


def check_routes(naming: Any, routes: dict[str, str]) -> None:
    """naming.methods and retry_safe are keyed by route (`POST /path`), so an operationId rename needs no edit.

    ROUTES maps each route to its short operationId, to name the route an old-style key meant.
    """
    by_id = {short: route for route, short in routes.items()}
    for section, keys in (("naming.methods", list(naming.methods)), ("retry_safe", list(naming.retry_safe))):
        for key in keys:
            if isinstance(key, str) and ROUTE.fullmatch(key):
                continue
            meant = f" ({key!r} is {by_id[key]!r})" if key in by_id else ""
            raise NamingError(
                f"{section} entry {key!r} is not a route: key it by `METHOD /path`{meant}, "
                "which survives an operationId rename"
            )
