"""Write PACKAGE_DIR/_facts.py: what the hand-written package must know of the API but the spec
does not say, from spec/generator.yaml's `exports`, `server` and `cli` sections.

PACKAGE_DIR/_exports.py holds the model re-exports raia_agent loads lazily; the local test server its timestamps and upsert
identities, the CLI its import key; none of them names a model, a path or a field itself. The
installed wheel has no spec/generator.yaml, which is why the facts travel in the generated package.
"""

from __future__ import annotations

import ast
import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from raia_spec import operations, resolve, sent_schema
from tools.codegen.naming import route
from tools.codegen.naming import rules as naming_rules

# NestJS + TypeORM's @CreateDateColumn/@UpdateDateColumn names: what a config written before the
# `server` section existed meant, since the local server then named these two itself.
DEFAULT_TIMESTAMPS = {"created": "createdAt", "updated": "updatedAt"}


class FactsError(Exception):
    """An `exports` or `server` entry matches nothing in the spec or the generated models."""


@dataclass
class Facts:
    models: dict[str, str]
    timestamps: dict[str, str]
    upsert_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cli_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cli_operation: str | None = None


def generated_models(package: Path) -> list[str]:
    """The names in the generated `models/__init__.py`'s `__all__`, read without importing it."""
    tree = ast.parse((package / "models" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [str(name) for name in ast.literal_eval(node.value)]
    return []


def _request_properties(spec: dict[str, Any], op: dict[str, Any]) -> set[str]:
    body = resolve(spec, op.get("requestBody") or {})
    schema = resolve(spec, sent_schema(body.get("content") or {}))
    return set(schema.get("properties") or {})


def load(
    generator_yaml: Path, spec: dict[str, Any], package: Path, client_paths: dict[str, str] | None = None
) -> Facts:
    """CLIENT_PATHS: "METHOD /path" -> the operation's client path ("resource.method"), as generated."""
    config = yaml.safe_load(generator_yaml.read_text(encoding="utf-8")) or {}
    models = generated_models(package)
    exports = config.get("exports")
    exported = {str(k): str(v) for k, v in (exports or {m: m for m in models}).items()}
    # A model the spec dropped (or a naming.classes entry renamed) is left out with a warning,
    # as `make diff` reports the removal to users; generation goes on.
    for public, name in list(exported.items()):
        if name not in models:
            print(
                f"warning: exports entry {public!r}: no generated model {name!r}, not exported",
                file=sys.stderr,
            )
            del exported[public]
    problems: list[str] = []
    problems += [
        f"exports entry {public!r}: not a Python identifier"
        for public in exported
        if not public.isidentifier() or keyword.iskeyword(public)
    ]
    server = config.get("server") or {}
    timestamps = {str(k): str(v) for k, v in (server.get("timestamps") or DEFAULT_TIMESTAMPS).items()}
    problems += [f"server.timestamps: unknown entry {k!r}" for k in timestamps if k not in DEFAULT_TIMESTAMPS]
    routes = {route(method, path): op for path, method, op in operations(spec)}
    keys: dict[str, tuple[str, ...]] = {}
    for where, names in (server.get("upsert_keys") or {}).items():
        if where not in routes:
            problems.append(f"server.upsert_keys entry {where!r} matches no operation")
            continue
        known = _request_properties(spec, routes[where])
        problems += [
            f"server.upsert_keys[{where!r}]: {name!r} is no request field"
            for name in names
            if name not in known
        ]
        keys[str(where)] = tuple(str(name) for name in names)
    aliases = {
        str(k): tuple(str(a) for a in v) for k, v in ((config.get("cli") or {}).get("aliases") or {}).items()
    }
    fields = set().union(*(_request_properties(spec, op) for op in routes.values()))
    fields |= {
        str(p.get("name"))
        for op in routes.values()
        for p in op.get("parameters") or []
        if isinstance(p, dict)
    }
    problems += [f"cli.aliases entry {name!r} is no request field" for name in aliases if name not in fields]
    problems += [
        f"cli.aliases[{name!r}]: {alias!r} is not a long option (--word)"
        for name, options in aliases.items()
        for alias in options
        if not re.fullmatch(r"--[a-z][a-z0-9-]*", alias)
    ]
    chosen, trouble = _cli_operation(config.get("cli") or {}, keys, client_paths or {})
    problems += trouble
    if problems:
        raise FactsError(f"{generator_yaml}: " + "; ".join(problems))
    return Facts(exported, timestamps, keys, aliases, chosen)


def _cli_operation(
    cli: dict[str, Any], keys: dict[str, tuple[str, ...]], names: dict[str, str]
) -> tuple[str | None, list[str]]:
    """The operation `<resource> send` and `<resource> import` call: cli.upsert's route, else the one
    route server.upsert_keys lists. The import journals each row by its upsert key: two fields."""
    where = cli.get("upsert")
    if where is None:
        if len(keys) > 1:
            return None, [f"cli.upsert: choose the import's route among {sorted(keys)}"]
        where = next(iter(keys), None)
        if where is None:
            return None, []
    where = str(where)
    if where not in names:
        return None, [f"cli.upsert {where!r} matches no operation"]
    if len(keys.get(where, ())) != 2:
        return None, [f"cli.upsert {where!r}: server.upsert_keys must give it two request fields"]
    return names[where], []


def render(facts: Facts) -> str:
    # repr() only: the names come from a file and are held as escaped literals, never as code.
    return (
        '"""What spec/generator.yaml says beyond the spec; read by the test server and the CLI."""\n\n'
        "from typing import Final\n\n"
        "# response fields the server sets: 'created' and 'updated'\n"
        f"TIMESTAMPS: Final[dict[str, str]] = {facts.timestamps!r}\n"
        "# 'METHOD /path' -> the request fields naming one document of an upsert\n"
        f"UPSERT_KEYS: Final[dict[str, tuple[str, ...]]] = {facts.upsert_keys!r}\n"
        "# request field -> the CLI's extra long options for it\n"
        f"CLI_ALIASES: Final[dict[str, tuple[str, ...]]] = {facts.cli_aliases!r}\n"
        "# the operation (resource.method) the CLI's send and import call; None: no such commands\n"
        f"CLI_OPERATION: Final[str | None] = {facts.cli_operation!r}\n"
    )


def render_exports(facts: Facts) -> str:
    """The models raia_agent re-exports, as imports: the names were checked against the generated
    models and pynames-style identifiers, so they are written as code."""
    lines = [f"from .models import {name} as {public}\n" for public, name in facts.models.items()]
    return (
        '"""The models raia_agent re-exports (spec/generator.yaml\'s `exports`), by their public names."""\n\n'
        + "".join(lines)
        + f"\n__all__ = {tuple(facts.models)!r}\n"
    )


def write(
    generator_yaml: Path, spec: dict[str, Any], package: Path, names: dict[str, str] | None = None
) -> None:
    facts = load(generator_yaml, spec, package, names)
    for note in command_notes(facts, names or {}):
        print(note, file=sys.stderr)
    (package / "_facts.py").write_text(render(facts), encoding="utf-8")
    (package / "_exports.py").write_text(render_exports(facts), encoding="utf-8")


def command_notes(facts: Facts, names: dict[str, str]) -> list[str]:
    """A note per generated command of the resource holding `send` and `import` that has one of their
    names: the CLI gives it the trailing `_` (naming_rules.unshadowed), so neither hides the other."""
    resource = (facts.cli_operation or "").partition(".")[0]
    notes = []
    for where, name in sorted(names.items()):
        group, _, method = name.partition(".")
        command = method.replace("_", "-")
        if resource and group == resource and command in naming_rules.TAKEN_BY_COMMANDS:
            renamed = naming_rules.unshadowed(command, naming_rules.TAKEN_BY_COMMANDS)
            notes.append(
                f"note: {where} (client.{name}) is the command `raia-agent {group} {renamed}`: "
                f"{command} is {naming_rules.TAKEN_BY_COMMANDS[command]}"
            )
    return notes
