"""Spec text never becomes code: names pass the naming rules or fail, text is written as literals.

Hostile specs are the frozen spec (tests/specs/) with hostile names and text added; the slow
end-to-end generations are shared by module-scoped fixtures.
"""

from __future__ import annotations

import ast
import builtins
import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml

from tests.support.frozen import (
    BODY,
    FEEDBACKS,
    FROZEN_GENERATOR,
    RESPONSE,
    frozen_spec,
    generate,
    package_files,
    write_spec,
)
from tools.codegen.naming import Naming, NamingError, check
from tools.codegen.surface import SurfaceError, build
from tools.codegen.surface.annotations import docstring
from tools.codegen.surface.resources import literal

ROUTE = f"POST {FEEDBACKS}"
# Builtins the generated code may call; a call to any other (eval, exec, __import__, open...) came from spec text.
SAFE_BUILTINS = {"bool", "dict", "float", "int", "isinstance", "len", "list", "range", "str", "TypeError", "ValueError", "KeyError", "type", "super", "cast"}  # fmt: skip
# The lazy indexes of models and of the package (spec/templates), and of resources (resources/__init__.py):
# our text, names looked up in generated tables. The operation index is raia_runtime's, imported, not generated.
LAZY_INDEX_BUILTINS = {"AttributeError", "getattr", "globals", "iter", "sorted", "vars"}


def frozen_naming() -> Naming:
    naming, _ = Naming.load(FROZEN_GENERATOR)
    return naming


def injection(marker: Path) -> str:
    return f"Feedback2 if __import__('os').system('touch {marker}') else object"


def hostile_spec(marker: Path, schema_names: list[str]) -> dict[str, Any]:
    """Each schema name answers a GET whose tag, operationId, property and parameter names hold code."""
    code = injection(marker)
    doc = frozen_spec()
    schemas = doc["components"]["schemas"]
    for i, name in enumerate(schema_names):
        schemas[name] = copy.deepcopy(schemas[RESPONSE])
        schemas[name]["properties"][code] = {"type": "string", "description": '"""; import os #'}
        enum = {"type": "string", "enum": [code, "b'\"c"]}
        # A URI whose fragment is a JSON pointer: `/` escaped as ~1, then %-encoded.
        ref = {"$ref": "#/components/schemas/" + quote(name.replace("~", "~0").replace("/", "~1"), safe="~")}
        doc["paths"][f"/external/x{i}"] = {
            "get": {
                "tags": [code],
                "operationId": f"{code}{i}",
                "summary": f'x""" + {code} + """',
                "description": 'ends with a quote"',
                "parameters": [
                    {"name": code, "in": "header", "required": True, "schema": enum},
                    {"name": f"q{code}", "in": "query", "schema": {"type": "string", "default": code}},
                ],
                "responses": {"200": {"description": code, "content": {"application/json": {"schema": ref}}}},
            }
        }
    return doc


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(generated package parent, marker path) for schemas `A.B`, `class`, `None` and code-holding names."""
    tmp = tmp_path_factory.mktemp("hostile")
    marker = tmp / "pwned"
    result = generate(
        write_spec(tmp / "openapi.json", hostile_spec(marker, ["A.B", "class", "None"])), tmp / "out"
    )
    assert result.returncode == 0, result.stderr
    return tmp / "out", marker


@pytest.mark.parametrize(
    "name", ["Feedback2 if __import__('os').system('touch pwned') else object", "A(1)", "A B", "Ä"]
)
def test_a_schema_name_openapi_does_not_allow_fails_naming_it(name: str) -> None:
    """Schema names outside OpenAPI's ^[a-zA-Z0-9._-]+$ fail generation, naming the schema's pointer."""
    doc = frozen_spec()
    doc["components"]["schemas"][name] = {"type": "object"}
    with pytest.raises(NamingError, match="is not allowed by OpenAPI") as caught:
        check(frozen_naming(), doc)
    assert str(caught.value).startswith(f"#/components/schemas/{name}: schema name")


def test_the_injection_schema_stops_generate_sh_and_runs_nothing(tmp_path: Path) -> None:
    """generate.sh fails on the injection schema name with one line naming it; no marker appears."""
    marker = tmp_path / "pwned"
    doc = hostile_spec(marker, [injection(marker)])
    result = generate(write_spec(tmp_path / "openapi.json", doc), tmp_path / "out")
    assert result.returncode == 1
    assert (
        "is not allowed by OpenAPI" in result.stderr and "#/components/schemas/Feedback2 if" in result.stderr
    )
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_hostile_names_become_safe_identifiers(hostile_client: tuple[Path, Path]) -> None:
    """`A.B`, `class` and `None` become classes AB, Class and NoneBody (the clash rule); code in tags and operationIds becomes words."""
    out, _ = hostile_client
    models = (out / "raia_agent_api/models/__init__.py").read_text(encoding="utf-8")
    for cls in ("AB", "Class", "NoneBody"):
        assert f'"{cls}": ' in models  # an entry of the lazy index (spec/templates/models_init.py.jinja)
    resources = (out / "raia_agent_api/resources/__init__.py").read_text(encoding="utf-8")
    assert "feedback2_if_import_os_system_touch_" in resources


def test_no_call_in_the_generated_tree_comes_from_spec_text(hostile_client: tuple[Path, Path]) -> None:
    """Walking every module's AST: no call names __import__, os or system, and only safe builtins are called."""
    out, _ = hostile_client
    for path in sorted((out / "raia_agent_api").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            names = {n.id for n in ast.walk(call.func) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(call.func) if isinstance(n, ast.Attribute)}
            where = f"{path.name}:{call.lineno}: {ast.unparse(call)[:80]}"
            assert not names & {"__import__", "os", "system", "eval", "exec"}, where
            if isinstance(call.func, ast.Name) and hasattr(builtins, call.func.id):
                lazy_index = path.name == "__init__.py" and path.parent.name in (
                    "models",
                    "raia_agent_api",
                    "resources",
                )
                assert call.func.id in SAFE_BUILTINS | (LAZY_INDEX_BUILTINS if lazy_index else set()), where


def test_resolving_every_type_hint_runs_no_spec_text(hostile_client: tuple[Path, Path]) -> None:
    """get_type_hints on every generated method and model, as IDEs and pydantic do, leaves no marker file."""
    out, marker = hostile_client
    probe = """
import typing
from raia_agent_api import models
from raia_agent_api.resources import _operations, SyncResources, AsyncResources
from raia_agent import Raia, AsyncRaia
count = 0
for client in (Raia(secret_key="k", base_url="http://127.0.0.1:9"), AsyncRaia(secret_key="k", base_url="http://127.0.0.1:9")):
    for name in _operations.OPERATIONS:
        resource, method = name.split(".")
        for holder in (getattr(client, resource), getattr(client, resource).with_raw_response):
            typing.get_type_hints(getattr(holder, method), localns={"_models": models}); count += 1
for name in models.__all__:  # models load on first use: all of them before any hint is read
    getattr(models, name)
for name in models.__all__:
    if isinstance(getattr(models, name), type):
        typing.get_type_hints(getattr(models, name), localns=vars(models)); count += 1
print(count)
"""
    ran = subprocess.run([sys.executable, "-c", probe], cwd=out, env={"PYTHONPATH": str(out)}, capture_output=True, text=True, check=False)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert int(ran.stdout) >= 4 * 4  # four operations, four method flavours each, and the models
    assert not marker.exists()


def test_spec_text_reads_back_from_the_generated_literals(hostile_client: tuple[Path, Path]) -> None:
    """Wire names, enum values, defaults and summaries holding quotes and code read back exactly as the spec says."""
    out, marker = hostile_client
    code = injection(marker)
    probe = f"""
import json
from raia_agent_api.resources import _operations
op = _operations.OPERATIONS["{_resource_of(out)}.{_resource_of(out)}0"]
print(json.dumps([[p.name for p in op.params], op.params_schema["properties"][{code!r}]["enum"]]))
"""
    ran = subprocess.run([sys.executable, "-c", probe], cwd=out, env={"PYTHONPATH": str(out)}, capture_output=True, text=True, check=False)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == [[code, f"q{code}"], [code, "b'\"c"]]


def _resource_of(out: Path) -> str:
    return next(p.stem for p in (out / "raia_agent_api/resources").glob("feedback2_*.py"))


@pytest.mark.parametrize(
    ("names", "first", "second"),
    [
        (["Foo", "foo"], "#/components/schemas/Foo", "#/components/schemas/foo"),
        (["A.B", "A-B"], "#/components/schemas/A.B", "#/components/schemas/A-B"),
        (["Thing", "thing_"], "#/components/schemas/Thing", "#/components/schemas/thing_"),
    ],
)
def test_schemas_that_would_share_a_class_or_module_fail_naming_both(
    names: list[str], first: str, second: str
) -> None:
    """Two schemas whose classes or module files match case-insensitively fail, naming both pointers."""
    doc = frozen_spec()
    for name in names:
        doc["components"]["schemas"][name] = {"type": "object", "properties": {"x": {"type": "string"}}}
    with pytest.raises(NamingError) as caught:
        check(frozen_naming(), doc)
    assert f"{first} and {second} would both be" in str(caught.value)


def test_foo_and_foo_stop_generate_sh_and_keep_the_package(tmp_path: Path) -> None:
    """generate.sh refuses `Foo` and `foo` with one line naming both, instead of dropping one; the package stays."""
    doc = frozen_spec()
    for name in ("Foo", "foo"):
        doc["components"]["schemas"][name] = {"type": "object", "properties": {"x": {"type": "string"}}}
    out = tmp_path / "out"
    (out / "raia_agent_api").mkdir(parents=True)
    (out / "raia_agent_api" / "__init__.py").write_text("# as it was\n")
    before = package_files(out)
    result = generate(write_spec(tmp_path / "openapi.json", doc), out)
    assert result.returncode == 1
    assert "#/components/schemas/Foo and #/components/schemas/foo would both be" in result.stderr
    assert package_files(out) == before


def test_properties_that_would_share_an_attribute_fail_naming_both() -> None:
    """`fooBar` and `foo_bar` in one schema would be one attribute: both property pointers are named."""
    doc = frozen_spec()
    doc["components"]["schemas"][BODY]["properties"].update({"fooBar": {"type": "string"}, "foo_bar": {"type": "string"}})  # fmt: skip
    with pytest.raises(NamingError, match=rf"{BODY}/properties/fooBar and #/components/schemas/{BODY}/properties/foo_bar"):  # fmt: skip
        check(frozen_naming(), doc)


def test_tags_that_would_share_a_resource_fail_naming_both() -> None:
    """Tags `Foo Bar` and `foo-bar` would be one client attribute and module: both operations are named."""
    doc = frozen_spec()
    for path, tag in (("/a", "Foo Bar"), ("/b", "foo-bar")):
        doc["paths"][path] = {"get": {"tags": [tag], "operationId": path[1:], "responses": {"200": {"description": "ok"}}}}  # fmt: skip
    with pytest.raises(
        NamingError, match=r"#/paths/~1a/get/tags/0 and #/paths/~1b/get/tags/0 would both be resource"
    ):
        check(frozen_naming(), doc)


@pytest.mark.parametrize("value", ["2fa", "foo-bar", "class", "_private", "Ünicode"])
def test_an_unusable_name_in_generator_yaml_fails_naming_the_entry(value: str, tmp_path: Path) -> None:
    """A naming.methods value that is not a plain identifier fails, naming the entry."""
    config = yaml.safe_load(FROZEN_GENERATOR.read_text(encoding="utf-8"))
    config["naming"]["methods"][ROUTE] = value
    (tmp_path / "gen.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    naming, _ = Naming.load(tmp_path / "gen.yaml")
    with pytest.raises(NamingError, match=rf"naming\.methods\['{ROUTE}'\] = {value!r} is not a usable"):
        check(naming, frozen_spec())


@pytest.mark.parametrize("value", [float("inf"), float("nan"), {"a": [1, float("-inf")]}, object()])
def test_a_value_without_a_python_literal_is_refused(value: object) -> None:
    """literal() refuses infinities, NaN and objects instead of writing `inf` or a repr into code."""
    with pytest.raises(ValueError, match="has no Python literal form"):
        literal(value)


@pytest.mark.parametrize("text", ['say """hi"""', 'ends with a quote"', "NUL\x00 and CR\r and LS\u2028 and ESC\x1b", "back\\slash\\"])  # fmt: skip
def test_a_docstring_holds_any_text_without_ending_early(text: str) -> None:
    """Quotes, NUL, CR, line separators and backslashes stay inside the docstring and read back as written."""
    source = f"def f():\n    {docstring(text, indent='    ')}\n"
    tree = ast.parse(source)
    assert ast.get_docstring(tree.body[0], clean=False) == text  # type: ignore[arg-type]
    assert len(tree.body) == 1 and len(tree.body[0].body) == 1  # type: ignore[attr-defined]


def test_the_feedback_path_is_unchanged_by_the_hostile_additions(hostile_client: tuple[Path, Path]) -> None:
    """The frozen operation is still there once: the hostile additions merged nothing into it."""
    out, _ = hostile_client
    described = "".join(
        path.read_text(encoding="utf-8") for path in (out / "raia_agent_api/resources").glob("_ops_*.py")
    )
    assert described.count(f'path="{FEEDBACKS}",') == 1


def test_operations_that_would_share_a_constant_fail_naming_both() -> None:
    """client.a_b.c and client.a.b_c are distinct methods but one constant A_B_C: both routes are named."""
    doc = frozen_spec()
    for path, tag, op_id in (("/x", "A B", "c"), ("/y", "A", "bC")):
        doc["paths"][path] = {"get": {"tags": [tag], "operationId": op_id, "responses": {"200": {"description": "ok"}}}}  # fmt: skip
    with pytest.raises(
        NamingError, match=r"#/paths/~1x/get and #/paths/~1y/get would both be the operation constant"
    ):
        check(frozen_naming(), doc)


def test_arguments_that_would_share_a_python_name_fail_naming_both() -> None:
    """A query parameter `user-id` and a body property `userId` would both be `user_id=`: both are named."""
    doc = frozen_spec()
    doc["paths"][FEEDBACKS]["post"]["parameters"] = [
        {"name": "user-id", "in": "query", "schema": {"type": "string"}}
    ]
    with pytest.raises(
        SurfaceError, match=r"query 'user-id' and body 'userId' would both be the argument 'user_id'"
    ):
        build(doc, frozen_naming())
