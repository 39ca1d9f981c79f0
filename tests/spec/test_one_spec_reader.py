"""Spec knowledge lives in raia_spec alone: no other module of src/ or tools/ follows a `$ref` by
hand, lists the HTTP methods of a path item or picks out apiKey schemes (the layers: tests/architecture/test_layers.py)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from raia_agent_api.resources._operations import OPERATIONS

import raia_spec
from tests.support.bodies import success_body
from tests.support.server_helpers import MESSAGE_ID

ROOT = Path(__file__).resolve().parents[2]
READER = ROOT / "src" / "raia_spec"
OTHERS = sorted(
    p for tree in ("src", "tools") for p in (ROOT / tree).rglob("*.py") if READER not in p.parents
)
_SPLITS = {"split", "rsplit", "partition", "rpartition", "removeprefix", "lstrip"}


def _is_ref_access(node: ast.AST, tainted: set[str]) -> bool:
    """`x["$ref"]`, `x.get("$ref")`, a name holding one, or `str(...)`/`.removeprefix(...)` of those."""
    while True:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "str"
            and node.args
        ):
            node = node.args[0]
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SPLITS
        ):
            node = node.func.value
        else:
            break
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "$ref"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == "$ref"
    return isinstance(node, ast.Name) and node.id in tainted


def hand_resolvers(source: str) -> list[int]:
    """Lines that split a `$ref`'s text (to index its target by hand): `node["$ref"].split("/")`, or a
    variable or `ref` parameter holding it split, rsplit, partitioned or stripped of `#/`."""
    found = []
    for scope in ast.walk(ast.parse(source)):
        if not isinstance(scope, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        tainted: set[str] = set()
        if not isinstance(scope, ast.Module):
            tainted |= {a.arg for a in scope.args.args + scope.args.kwonlyargs if a.arg.endswith("ref")}
        for node in ast.walk(scope):
            targets = node.targets if isinstance(node, ast.Assign) else []
            targets += [node.target] if isinstance(node, ast.NamedExpr | ast.AnnAssign) else []
            value = getattr(node, "value", None)
            if value is not None and _is_ref_access(value, tainted):
                tainted |= {t.id for t in targets if isinstance(t, ast.Name)}
        for node in ast.walk(scope):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _SPLITS
                and _is_ref_access(node.func.value, tainted)
            ):
                found.append(node.lineno)
    return sorted(set(found))


# The resolvers this project had before raia_spec, as they were written, and checks that are fine.
FORMER = [
    'def resolved(schema, defs):\n    while "$ref" in schema:\n        schema = defs.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})\n',
    'def f(node):\n    for part in node["$ref"].removeprefix("#/").split("/"):\n        pass\n',
    'def _resolve(doc, ref):\n    for part in ref.removeprefix("#/").split("/"):\n        pass\n',
    'def f(schema):\n    while isinstance(schema.get("$ref"), str):\n        schema = C[schema["$ref"].rsplit("/", 1)[-1]]\n',
    'def f(node):\n    target = node.get("$ref")\n    name = target.rpartition("/")[2]\n',
]
FINE = [
    'def f(node):\n    if "$ref" in node and isinstance(node.get("$ref"), str):\n        return node["$ref"].startswith("#/")\n',
    'def f(where):\n    return where.split("/")\n',
    'def f(node, reader):\n    return reader.target(node["$ref"])\n',
]


@pytest.mark.parametrize("source", FORMER)
def test_the_scan_finds_each_former_hand_written_resolver(source: str) -> None:
    """Each way this project followed a `$ref` by hand before raia_spec is found by the scan."""
    assert hand_resolvers(source) != []


@pytest.mark.parametrize("source", FINE)
def test_the_scan_leaves_reference_checks_alone(source: str) -> None:
    """Asking whether a node is a `$ref`, or splitting a path that is not one, is not resolving."""
    assert hand_resolvers(source) == []


@pytest.mark.parametrize("module", OTHERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_outside_raia_spec_follows_a_ref_by_hand(module: Path) -> None:
    """References are followed by raia_spec (on `referencing`) only: nothing else splits a `$ref`."""
    assert hand_resolvers(module.read_text(encoding="utf-8")) == []


def spec_lists(source: str) -> list[str]:
    """Literal collections of HTTP methods as path items spell them, and comparisons with "apiKey"."""
    found = []
    methods = set(raia_spec.HTTP_METHODS)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            words = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            if len(words & methods) >= 3:
                found.append(f"line {node.lineno}: a list of HTTP methods")
        elif isinstance(node, ast.Compare) and any(
            isinstance(c, ast.Constant) and c.value == "apiKey" for c in [node.left, *node.comparators]
        ):
            found.append(f"line {node.lineno}: an apiKey check")
    return found


def test_the_list_scan_finds_a_method_list_and_an_apikey_check() -> None:
    """A method tuple (even one missing trace) and an `== "apiKey"` comparison are both found."""
    source = 'M = ("get", "put", "post", "delete")\nok = s.get("type") == "apiKey"\n'
    assert spec_lists(source) == ["line 1: a list of HTTP methods", "line 2: an apiKey check"]


@pytest.mark.parametrize("module", OTHERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_http_methods_and_apikey_schemes_are_read_by_raia_spec_only(module: Path) -> None:
    """No module outside raia_spec lists the path-item methods or picks out apiKey schemes itself."""
    assert spec_lists(module.read_text(encoding="utf-8")) == []


def test_raia_spec_all_is_pinned() -> None:
    """raia_spec exports exactly these names, each of them defined."""
    assert sorted(raia_spec.__all__) == [
        "Direction", "FORM", "FORMS", "HTTP_METHODS", "JSON", "JsonSchemas", "MAX_CHAIN", "MULTIPART", "Problem",
        "Reader", "RefError", "Scheme", "UnsupportedMedia", "Validator", "component_name", "default_server_url",
        "event_schema", "file_fields", "is_file", "is_ref", "media_of", "operations", "path_items",
        "request_media", "resolve", "security_alternatives", "security_headers", "security_requirements",
        "security_schemes", "sent_content", "sent_required", "sent_schema", "server_url", "single_allof",
        "unsent", "without",
    ]  # fmt: skip
    assert all(hasattr(raia_spec, name) for name in raia_spec.__all__)


def test_importing_the_client_or_the_reader_loads_neither_referencing_nor_jsonschema_rs() -> None:
    """`import raia_spec` and `from raia_agent import Raia` stay cheap: both libraries load on first use."""
    code = (
        "import sys, raia_spec\n"
        "from raia_agent import Raia\n"
        "Raia(secret_key='k', base_url='http://127.0.0.1:9').close()\n"
        "print(sorted({'referencing', 'jsonschema_rs', 'rpds'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


FIRST_CALL = """
import json, sys, httpx
from raia_agent import Raia
from tests.support.server_helpers import MESSAGE_ID, USER_ID

status, body = json.loads(sys.argv[1])
def reply(request):
    return httpx.Response(status, json=body)
mock = httpx.Client(transport=httpx.MockTransport(reply))
with Raia(secret_key="k", base_url="http://127.0.0.1:9", http_client=mock) as client:
    client.feedback.create_or_update(
        conversation_message_id=MESSAGE_ID, user_id=USER_ID, vote_type="up", question="q"
    )
print(sorted({"referencing", "rpds"} & set(sys.modules)))
"""


def test_a_first_call_with_a_body_loads_no_referencing() -> None:
    """What a call needs from the schemas is worked out at generation: the reader stays unloaded."""
    op = OPERATIONS["feedback.create_or_update"]
    answer = json.dumps([op.success, success_body(op, conversationMessageId=MESSAGE_ID)])
    result = subprocess.run(
        [sys.executable, "-c", FIRST_CALL, answer],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[]"
