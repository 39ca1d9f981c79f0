"""openapi-python-client's inputs, with the names the rules give (tools/codegen/naming/).

    python -m tools.codegen names CORRECTED.json GENERATOR.yaml OUT_CONFIG.yaml OUT_SPEC.json

writes openapi-python-client's effective config (class_overrides for every schema) and the spec it
generates from (operationIds without NestJS's `<Controller>_` prefix).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from raia_spec import operations, resolve, sent_content, sent_required
from tools.codegen import media_types
from tools.codegen.config import ConfigError
from tools.codegen.guard import load_untrusted
from tools.codegen.naming import Naming, NamingError, check, pynames, shadow_notes


def generator_inputs(
    naming: Naming, config: dict[str, Any], spec: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """openapi-python-client's config and input spec, with the names the rules give."""
    config = copy.deepcopy(config)
    config.pop(
        "pagination", None
    )  # the project's (tools/codegen/surface/build.py reads it), not the generator's
    # Keyed as the generator looks schemas up (its own class name for the schema name).
    config["class_overrides"] = {
        pynames.override_key(name): {
            "class_name": naming.class_name(name),
            "module_name": pynames.module_name(naming.class_name(name)),
        }
        for name in sorted((spec.get("components") or {}).get("schemas") or {})
    }
    overrides = media_types.generator_overrides(spec)
    if overrides:
        config["content_type_overrides"] = {**overrides, **(config.get("content_type_overrides") or {})}
    spec = copy.deepcopy(spec)
    for schema in ((spec.get("components") or {}).get("schemas") or {}).values():
        # The models parse responses, which never carry a writeOnly field (a password, a secret):
        # required there, the parser would refuse every reply that rightly leaves it out.
        if isinstance(schema, dict) and isinstance(schema.get("required"), list):
            schema["required"] = sent_required(spec, schema, "response")
    for path, method, op in operations(spec):
        # The method's name, which a naming.methods entry keys by route: the generator's own
        # module for the operation (api/<tag>/<name>.py) then survives an operationId rename too.
        op["operationId"] = naming.operation_method(path, method, op)
        _only_sent_media(spec, op)
    return config, spec


def _only_sent_media(spec: dict[str, Any], op: dict[str, Any]) -> None:
    """The request body with only the media type the client sends: the generator's module for an
    operation offering JSON and a form misses an import."""
    body = resolve(spec, op.get("requestBody") or {})
    if isinstance(body, dict) and isinstance(body.get("content"), dict) and len(body["content"]) > 1:
        op["requestBody"] = {**body, "content": sent_content(body["content"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec", type=Path)
    parser.add_argument("generator_yaml", type=Path)
    parser.add_argument("out_config", type=Path)
    parser.add_argument("out_spec", type=Path)
    args = parser.parse_args()
    try:
        spec = load_untrusted(args.spec)
        naming, config = Naming.load(args.generator_yaml)
        for warning in check(naming, spec):
            print(f"warning: {warning}", file=sys.stderr)
        for note in shadow_notes(naming, spec):
            print(note, file=sys.stderr)
        for problem in media_types.problems(spec, naming)[:1]:
            raise NamingError(problem)
        out_config, out_spec = generator_inputs(naming, config, spec)
    except (NamingError, ConfigError) as exc:
        raise SystemExit(f"naming: {exc}") from None
    except Exception as exc:  # one line for the maintainer, not a traceback
        raise SystemExit(f"naming: unexpected {type(exc).__name__}: {exc}") from None
    args.out_config.write_text(yaml.safe_dump(out_config, sort_keys=True), encoding="utf-8")
    args.out_spec.write_text(json.dumps(out_spec, indent=2), encoding="utf-8")
