"""spec/generator.yaml and spec/overlay.yaml read within bounds and checked against their schemas.

A misspelt key used to be ignored without a word (`retry_safes:` stopped the upsert being retried,
`exprots:` dropped VoteType from the exports); every unknown key now fails, naming the key and the
nearest known one. The generator's own options are checked by openapi-python-client's config model.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from tools.codegen.guard import read_bounded, shown

MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """A config file that cannot be read or breaks its schema; one line naming the file and the key."""


_TEXT = {"type": "string"}
_NAMES = {"type": ["object", "null"], "additionalProperties": _TEXT}
_TEXTS = {"type": ["array", "null"], "items": _TEXT}
_LISTS = {"type": ["object", "null"], "additionalProperties": _TEXTS}


def _closed(properties: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"type": ["object", "null"], "properties": properties, "additionalProperties": False, **more}


# The project's own sections (what each means: the comments in spec/generator.yaml).
PROJECT_SECTIONS: dict[str, Any] = {
    "naming": _closed(
        {
            "resources": _NAMES,
            "methods": _NAMES,
            "classes": _NAMES,
            "rules": _closed({"strip_prefixes": _TEXTS, "strip_suffixes": _TEXTS, "typos": _NAMES}),
            "max_name_length": {"type": "integer", "minimum": 1},
        }
    ),
    "retry_safe": _TEXTS,
    "exports": _NAMES,
    "server": _closed({"timestamps": _closed({"created": _TEXT, "updated": _TEXT}), "upsert_keys": _LISTS}),
    "cli": _closed({"aliases": _LISTS, "upsert": _TEXT}),
    # each entry's values are checked by src/raia_runtime/paging.py, which names the route
    "pagination": {
        "type": ["object", "null"],
        "additionalProperties": _closed({key: {} for key in ("style", "items", "param", "field", "limit")}),
    },
}


@cache
def generator_schema() -> dict[str, Any]:
    """The project's sections, plus every option openapi-python-client's config file takes but
    class_overrides (computed by tools/codegen/naming/names.py), as its own model describes them."""
    from openapi_python_client.config import ConfigFile

    theirs = ConfigFile.model_json_schema()
    options = {k: v for k, v in theirs["properties"].items() if k != "class_overrides"}
    schema = _closed({**options, **PROJECT_SECTIONS}, **{"$defs": theirs.get("$defs", {})})
    schema["type"] = ["object", "null"]
    return schema


def read_yaml(path: Path, what: str) -> Any:
    """A YAML file, bounded and without aliases (a pull request can change it: a few lines of aliases
    expand to gigabytes); ConfigError naming PATH otherwise."""
    try:
        raw = read_bounded(path, MAX_CONFIG_BYTES)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: over {MAX_CONFIG_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise ConfigError(f"{path}: YAML aliases (*name) are not allowed in {what}")
        return yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not readable YAML: {' '.join(str(exc).split())}") from None


def problems(doc: Any, schema: dict[str, Any]) -> list[str]:
    """One line per schema violation, at its key path (`naming.rules`); an unknown key names the
    nearest known one."""
    found: list[str] = []
    for error in sorted(Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(map(str, e.path))):
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        where = where.lstrip(".") or "the top level"
        unknown = _unknown_keys(error)
        if unknown:
            found += [f"{where}: unknown key {shown(str(key))}{_nearest(str(key), error)}" for key in unknown]
        else:
            found.append(f"{where}: {_short(error.message)}")
    return found


def _unknown_keys(error: ValidationError) -> list[Any]:
    if error.validator not in ("additionalProperties", "unevaluatedProperties"):
        return []
    if not isinstance(error.instance, dict):
        return []
    known = error.schema.get("properties") or {} if isinstance(error.schema, dict) else {}
    # The Overlay schema's extensions (`x-...`) are allowed beside its own keys.
    return [key for key in error.instance if key not in known and not re.match(r"x-", str(key))]


def _nearest(key: str, error: ValidationError) -> str:
    known = sorted((error.schema.get("properties") or {}) if isinstance(error.schema, dict) else {})
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f": did you mean {close[0]}?"
    return f" (known: {', '.join(known)})" if known else ""


def _short(message: str, limit: int = 200) -> str:
    # jsonschema quotes the offending value: a long one is cut, and it stays on one line
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def load_generator(path: Path) -> dict[str, Any]:
    """spec/generator.yaml (or a test's copy), checked: ConfigError naming every problem in one line."""
    config = read_yaml(path, "the generator config")
    if isinstance(config, dict) and "class_overrides" in config:
        raise ConfigError(f"{path}: class_overrides is computed; put class names under naming.classes")
    found = problems(config, generator_schema())
    if found:
        raise ConfigError(f"{path}: " + "; ".join(found))
    return config or {}
