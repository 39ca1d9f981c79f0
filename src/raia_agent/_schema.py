"""The client's use of the shared spec reader (raia_spec): validators kept in an operation's cache."""

from __future__ import annotations

from typing import Any

from raia_spec import Problem, Validator

__all__ = ["Problem", "Validator", "validator"]


def validator(cache: dict[str, Any], key: str, schema: dict[str, Any] | None) -> Validator | None:
    """The compiled validator for `schema`, kept in an operation's cache under `key`."""
    found = cache.get(key)
    if found is None and schema is not None:
        found = cache[key] = Validator(schema)
    return found
