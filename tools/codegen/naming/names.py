"""Python names for the spec's tags, operations and schemas: rules, plus the few choices in spec/generator.yaml.

A naming entry that matches nothing fails, naming the entry; a rule that changes nothing and a name
over the length limit warn (`check`). tools/codegen/inputs.py applies the names to the generator's inputs.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from raia_spec import operations
from tools.codegen.config import load_generator
from tools.codegen.guard import shown
from tools.codegen.naming import pynames
from tools.codegen.naming import rules as naming_rules
from tools.codegen.naming.checks import NamingError as NamingError
from tools.codegen.naming.checks import (
    check_chosen,
    check_properties,
    check_routes,
    check_schemas,
    fix_entry,
    refuse_clashes,
    where,
)

_CONTROLLER_PREFIX = re.compile(r"^[A-Za-z0-9]*Controller_")


def snake_case(name: str) -> str:
    """camelCase, PascalCase or words with spaces and dashes -> snake_case identifier.

    A name starting with a digit gets an `n` prefix (`2fa` -> `n2fa`): a leading underscore
    would make it private, and a trailing one would leave it invalid. A keyword gets a `_`
    suffix (`from` -> `from_`), as PEP 8 suggests.
    """
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    name = re.sub(r"_+", "_", name).strip("_").lower()
    if not name:
        name = "default"
    if name[0].isdigit():
        name = "n" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


# A method name that would shadow what every generated resource class has.
_RESOURCE_ATTRIBUTES = {"with_raw_response"}
# A resource is a module (and `_ops_<name>.py`, their `.cpython-3XX.opt-2.pyc`): file names stop at 255 bytes.
MAX_RESOURCE_LENGTH = 200


@dataclass
class Naming:
    resources: dict[str, str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    strip_prefixes: list[str] = field(default_factory=list)
    strip_suffixes: list[str] = field(default_factory=list)
    typos: dict[str, str] = field(default_factory=dict)
    max_name_length: int = 40
    retry_safe: list[str] = field(default_factory=list)
    """Short operationIds of POST/PATCH operations that are idempotent, so retrying them is safe."""

    @classmethod
    def load(cls, generator_yaml: Path) -> tuple[Naming, dict[str, Any]]:
        """The naming section and the rest of the generator config."""
        config = load_generator(generator_yaml)  # ConfigError naming an unknown or mistyped key
        section = config.pop("naming", None) or {}
        retry_safe = list(config.pop("retry_safe", None) or [])
        rules = section.get("rules") or {}
        return (
            cls(
                resources=dict(section.get("resources") or {}),
                methods=dict(section.get("methods") or {}),
                classes=dict(section.get("classes") or {}),
                strip_prefixes=list(rules.get("strip_prefixes") or []),
                strip_suffixes=list(rules.get("strip_suffixes") or []),
                typos=dict(rules.get("typos") or {}),
                max_name_length=int(section.get("max_name_length", 40)),
                retry_safe=retry_safe,
            ),
            config,
        )

    def clean_schema_name(self, name: str) -> str:
        for prefix in self.strip_prefixes:
            if name.startswith(prefix) and len(name) > len(prefix):
                name = name[len(prefix) :]
        for suffix in self.strip_suffixes:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
        for wrong, right in self.typos.items():
            name = re.sub(rf"{re.escape(wrong)}(?=[A-Z0-9_]|$)", right, name)
        return name

    def class_name(self, schema_name: str) -> str:
        """The chosen class, else the generator's class for the name after the rules, suffixed
        (`NotFoundErrorBody`) when it would shadow raia_agent's exception or class or a builtin."""
        cleaned = self.clean_schema_name(schema_name)
        return self.classes.get(cleaned) or naming_rules.unclashed(pynames.class_name(cleaned))

    def short_operation_id(self, operation_id: str) -> str:
        return _CONTROLLER_PREFIX.sub("", operation_id)

    def method_name(self, operation_id: str, route: str, resource: str) -> str:
        """The entry for the operation's route (`POST /path`), else its short operationId in snake_case
        without the RESOURCE's noun when a verb remains (tools/codegen/naming/rules.py)."""
        if route in self.methods:
            return self.methods[route]
        http_method, _, path = route.partition(" ")
        method = snake_case(self.short_operation_id(operation_id))
        return naming_rules.method_by_rule(method, http_method, path, resource)

    def operation_method(self, path: str, http_method: str, op: dict[str, Any]) -> str:
        """The method name of one operation of the spec."""
        resource = self.resource_name(primary_tag(op))
        return self.method_name(operation_id(path, http_method, op), route(http_method, path), resource)

    def resource_name(self, tag: str) -> str:
        """The entry for TAG, else its snake_case; `_` appended when the client or the CLI has that name."""
        return naming_rules.unshadowed(self.chosen_resource(tag), naming_rules.TAKEN_BY_RESOURCES)

    def chosen_resource(self, tag: str) -> str:
        return self.resources.get(tag) or snake_case(tag)


def route(method: str, path: str) -> str:
    """How naming.methods and retry_safe key an operation: `POST /path`, which an operationId rename keeps."""
    return f"{method.upper()} {path}"


def operation_id(path: str, method: str, op: dict[str, Any]) -> str:
    given = op.get("operationId")
    if given:
        return str(given)
    return snake_case(f"{method} {path.replace('{', 'by ').replace('}', '')}")


def primary_tag(op: dict[str, Any]) -> str:
    tags = op.get("tags") or ["default"]
    return str(tags[0])


def check(naming: Naming, spec: dict[str, Any]) -> list[str]:
    """Fail on stale, unusable or clashing names; return warnings (no-op rules, over-long names)."""
    schemas = list((spec.get("components") or {}).get("schemas") or {})
    ops = operations(spec)
    tags = {primary_tag(op) for _, _, op in ops}
    routes = {route(m, p): naming.short_operation_id(operation_id(p, m, op)) for p, m, op in ops}
    check_routes(naming, routes)
    cleaned = {naming.clean_schema_name(name) for name in schemas}
    stale = [
        *(f"naming.resources[{key!r}] matches no tag" for key in naming.resources if key not in tags),
        *(f"naming.methods[{key!r}] matches no operation" for key in naming.methods if key not in routes),
        *(f"naming.classes[{key!r}] matches no schema" for key in naming.classes if key not in cleaned),
        *(f"retry_safe entry {key!r} matches no operation" for key in naming.retry_safe if key not in routes),
    ]
    if stale:
        raise NamingError("; ".join(stale) + " (remove or rename the entry)")
    check_chosen("resources", naming.resources, snake_case)
    check_chosen("methods", naming.methods, snake_case)
    check_chosen("classes", naming.classes, pynames.class_name)
    check_schemas(naming.class_name, schemas)
    for name, schema in ((spec.get("components") or {}).get("schemas") or {}).items():
        is_object = isinstance(schema, dict) and (schema.get("type") == "object" or "properties" in schema)
        if is_object and schema.get("nullable") is True:
            raise NamingError(
                f"{where('components', 'schemas', name)}: a nullable object schema gets no class of its "
                f"own (openapi-python-client writes {name}Type0): in spec/overlay.yaml, drop its "
                "nullable and make the properties that use it nullable instead"
            )
    check_properties(spec)
    warnings = [
        f"naming.rules.typos[{wrong!r}] no longer changes any schema name (the vendor fixed it?)"
        for wrong in naming.typos
        if not any(re.search(rf"{re.escape(wrong)}(?=[A-Z0-9_]|$)", name) for name in schemas)
    ]
    for name in schemas:
        python = naming.class_name(name)
        if len(python) > naming.max_name_length:
            warnings.append(
                f"class {python!r} (schema {name!r}) is over {naming.max_name_length} characters: "
                "add a naming rule or a naming.classes entry"
            )
    for tag in sorted(tags):
        resource = naming.resource_name(tag)
        if resource.startswith("_") or not pynames.usable(resource):
            raise NamingError(
                f"tag {tag!r} would be client.{resource}, which is private or not a name: "
                f"add a naming.resources entry for {tag!r} in spec/generator.yaml"
            )
        if len(resource) > MAX_RESOURCE_LENGTH:
            raise NamingError(
                f"tag {shown(tag)} would be a resource named with {len(resource)} characters, over "
                f"{MAX_RESOURCE_LENGTH} (its modules' file names would be too long): "
                "add a naming.resources entry for it in spec/generator.yaml"
            )
    first_tag: dict[str, str] = {}
    for p, m, op in ops:
        first_tag.setdefault(primary_tag(op), where("paths", p, m.lower(), "tags", 0))
    refuse_clashes(
        [(naming.resource_name(tag), at) for tag, at in first_tag.items()],
        "resource (client attribute and module)",
        "add a naming.resources entry for one of the tags",
    )
    methods: dict[tuple[str, str], str] = {}
    for path, method, op in ops:
        here = route(method, path)
        key = (naming.resource_name(primary_tag(op)), naming.operation_method(path, method, op))
        if key in methods:
            raise NamingError(
                f"{here} and {methods[key]} would both be client.{key[0]}.{key[1]}: "
                f"add under naming.methods in spec/generator.yaml {fix_entry(here)}"
            )
        methods[key] = here
        if key[1].startswith("_") or key[1] in _RESOURCE_ATTRIBUTES or not pynames.usable(key[1]):
            raise NamingError(
                f"{here} would be client.{key[0]}.{key[1]}, which every resource already has "
                f"(or is private or not a name): add under naming.methods in spec/generator.yaml {fix_entry(here)}"
            )
        if len(key[1]) > naming.max_name_length:
            warnings.append(
                f"method {key[1]!r} ({method} {path}) is over {naming.max_name_length} characters"
            )
    refuse_clashes(
        [
            (
                f"{naming.resource_name(p)}_{naming.operation_method(a, m, op)}",
                where("paths", a, m.lower()),
            )
            for a, m, op in ops
            for p in [primary_tag(op)]
        ],
        "the operation constant (resource_method) in the index, resources/_operations.py, spelt",
        "add a naming.methods entry (keyed by route) for one of them",
    )
    return warnings


def shadow_notes(naming: Naming, spec: dict[str, Any]) -> list[str]:
    """A line per tag whose resource took the trailing `_` (naming_rules.unshadowed), and why."""
    tags = sorted({primary_tag(op) for _, _, op in operations(spec)})
    return [
        naming_rules.shadow_note(f"tag {shown(tag)} is the resource", chosen, naming_rules.TAKEN_BY_RESOURCES)
        for tag in tags
        if (chosen := naming.chosen_resource(tag)) in naming_rules.TAKEN_BY_RESOURCES
    ]
