"""tools/codegen/generator.py's one change to openapi-python-client (path parameters sorted without a deep
copy) keeps what the generator does: path parameters in the path's order, whatever order the spec
declares them in, in the bare functions and in the client's methods."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.frozen import frozen_spec, generate_frozen

PART = {
    "get": {
        "tags": ["Parts"],
        "operationId": "ExternalApiPartsController_getPart",
        "parameters": [  # declared in the reverse of the path's order
            {"name": "partId", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}},
        ],
        "responses": {"200": {"description": "ok"}},
    }
}


def positional(source: str, function: str) -> list[list[str]]:
    """The positional parameters of every function named `function` (a resource has one per class)."""
    return [
        [arg.arg for arg in node.args.args]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function
    ]


def test_path_parameters_follow_the_paths_order(tmp_path: Path) -> None:
    """GET /things/{thingId}/parts/{partId} declared partId first: both layers take (thing_id, part_id) (the naming rules call it retrieve)."""
    doc = frozen_spec()
    doc["paths"]["/external/things/{thingId}/parts/{partId}"] = PART
    out = generate_frozen(doc, tmp_path / "gen") / "raia_agent_api"
    bare = (out / "api" / "parts" / "retrieve.py").read_text(encoding="utf-8")
    assert positional(bare, "sync_detailed") == [["thing_id", "part_id"]]
    assert '"/external/things/{thing_id}/parts/{part_id}".format(' in bare
    method = (out / "resources" / "parts.py").read_text(encoding="utf-8")
    # one per class: sync, async, and their raw and streaming twins
    assert positional(method, "retrieve") == [["self", "thing_id", "part_id"]] * 6
