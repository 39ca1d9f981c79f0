"""A synthetic vendor-like spec with N operations, to measure how generation and loading scale.

The real spec's operation and schemas are kept as they are (so the same first call can be
timed against both specs), and N - 1 operations are added in the vendor's style: NestJS
operationIds (`<Controller>_<method>`), `ExternalApi...DTO` schemas, the same 403/500 bodies,
spread over several tags, with path and query parameters, request bodies, enums, nullable
fields and nested objects. The output is for benchmarks only: generate it into a temporary
directory, never into the repository.

    python -m tools.synth_spec OUT.json [--operations 200] [--tags 10]
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VERBS = ("list", "get", "create", "update", "delete")
ERRORS = {
    "403": ("Invalid API key or secret key.", "ForbiddenErrorDTO"),
    "500": ("Unexpected error occurred while processing the request.", "InternalServerErrorDTO"),
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def entity_schema(noun: str, n: int) -> dict[str, Any]:
    """A response object like the vendor's: ids, an enum, nullable text, timestamps, a nested list."""
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": f"Unique identifier for the {noun}."},
            "name": {"type": "string", "description": f"Name of the {noun}."},
            "status": {
                "type": "string",
                "enum": ["active", "archived", f"state{n}"],
                "description": "Status.",
            },
            "description": {"type": "string", "nullable": True, "description": "Free text."},
            "count": {"type": "integer", "description": "How many."},
            "score": {"type": "number", "nullable": True, "description": "A score."},
            "tags": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"key": {"type": "string"}, "value": {"type": "string"}},
                    "required": ["key"],
                },
            },
            "createdAt": {"type": "string", "description": f"{noun} created at"},
            "updatedAt": {"type": "string", "description": f"{noun} updated at"},
        },
        "required": ["id", "name", "status", "createdAt", "updatedAt"],
    }


def body_schema(noun: str, partial: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": f"Name of the {noun}."},
            "status": {"type": "string", "enum": ["active", "archived"], "description": "Status."},
            "description": {"type": "string", "description": "Free text."},
            "count": {"type": "integer", "minimum": 0, "description": "How many."},
            "ownerId": {"type": "string", "format": "uuid", "description": "Owner."},
        },
    }
    if not partial:
        schema["required"] = ["name", "status"]
    return schema


def operation(
    tag: str, controller: str, verb: str, noun: str, n: int, schemas: dict[str, Any]
) -> dict[str, Any]:
    stem = f"{noun}{n}"
    entity = f"ExternalApi{stem}ResponseDTO"
    schemas.setdefault(entity, entity_schema(noun, n))
    op: dict[str, Any] = {
        "operationId": f"{controller}_{verb}{stem}",
        "summary": f"{verb.capitalize()} {noun} {n}",
        "description": f"{verb.capitalize()} a {noun}. Synthetic operation {n}.",
        "tags": [tag, "Agent API Key"],
        "parameters": [],
        "responses": {
            code: {"description": text, "content": json_content(ref(name))}
            for code, (text, name) in ERRORS.items()
        },
    }
    ok = {"description": "Success.", "content": json_content(ref(entity))}
    if verb == "list":
        op["parameters"] = [
            {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
            {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["active", "archived"]}},
        ]  # fmt: skip
        ok = {"description": "Success.", "content": json_content({"type": "array", "items": ref(entity)})}
    else:
        op["parameters"] = [] if verb == "create" else [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
        ]  # fmt: skip
    if verb in ("create", "update"):
        body = f"ExternalApi{verb.capitalize()}{stem}BodyDTO"
        schemas[body] = body_schema(noun, partial=verb == "update")
        op["requestBody"] = {"required": True, "content": json_content(ref(body))}
    op["responses"]["201" if verb == "create" else "200"] = ok
    return op


def synthesize(base: dict[str, Any], operations: int, tags: int) -> dict[str, Any]:
    spec = copy.deepcopy(base)
    schemas = spec["components"]["schemas"]
    existing = sum(len(item) for item in spec["paths"].values())
    for i in range(max(0, operations - existing)):
        group, n = i % tags, i // tags
        noun = f"Widget{chr(ord('A') + group % 26)}{group // 26 or ''}"
        tag = f"{noun} Resources"
        controller = f"ExternalApi{noun}sController"
        verb = VERBS[n % len(VERBS)]
        item = n // len(VERBS)
        base_path = f"/external/{noun.lower()}-{item}s"
        path = base_path if verb in ("list", "create") else base_path + "/{id}"
        method = {"list": "get", "get": "get", "create": "post", "update": "patch", "delete": "delete"}[verb]
        spec["paths"].setdefault(path, {})[method] = operation(tag, controller, verb, noun, item, schemas)
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--operations", type=int, default=200)
    parser.add_argument("--tags", type=int, default=10)
    parser.add_argument("--base", type=Path, default=ROOT / "openapi.json", help="the spec to extend")
    args = parser.parse_args()
    spec = synthesize(json.loads(args.base.read_text()), args.operations, args.tags)
    args.out.write_text(json.dumps(spec, indent=2) + "\n")


if __name__ == "__main__":
    main()
