"""Hostile specs and hostile use of the lazily built client, found by attacking the day's changes."""

from __future__ import annotations

import io
import pickle
import threading
from pathlib import Path

import pytest

from raia_agent import AsyncRaia, Raia
from raia_agent.testing import local_server
from tests.support.frozen import BODY, FEEDBACKS, FROZEN_GENERATOR, RESPONSE, frozen_spec, generate
from tools.codegen.naming import Naming
from tools.codegen.surface import MAX_EMBEDDED, SurfaceError, build


def _get(spec: dict[str, object], path: str, tag: str) -> None:
    ok = {
        "200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{RESPONSE}"}}},
        }
    }
    spec["paths"][path] = {"get": {"operationId": "getA", "tags": [tag], "responses": ok}}  # type: ignore[index]


def test_a_tag_too_long_for_a_module_file_name_is_refused_naming_the_tag(tmp_path: Path) -> None:
    """A 250-character tag is refused by naming, saying what to add, not by an OSError while writing files."""
    spec = frozen_spec()
    _get(spec, "/a", "y" * 250)
    result = generate(spec, tmp_path / "out")
    assert result.returncode != 0
    assert "naming.resources entry" in result.stderr and "over 200" in result.stderr, result.stderr
    assert "OSError" not in result.stderr and "File name too long" not in result.stderr


def test_a_parameter_schema_that_refers_to_itself_is_refused_naming_where(tmp_path: Path) -> None:
    """A parameter whose schema is a $ref to that same schema is a one-line cycle naming its place."""
    spec = frozen_spec()
    spec["components"]["parameters"] = {
        "Q": {"name": "q", "in": "query", "schema": {"$ref": "#/components/parameters/Q/schema"}}
    }
    spec["paths"][FEEDBACKS]["post"]["parameters"] = [{"$ref": "#/components/parameters/Q"}]
    result = generate(spec, tmp_path / "out")
    assert result.returncode != 0
    assert "$ref cycle" in result.stderr and "/components/parameters/Q/schema" in result.stderr, result.stderr
    assert "maximum recursion depth" not in result.stderr


def test_a_reference_to_a_huge_array_index_is_reported_cut_short(tmp_path: Path) -> None:
    """A $ref ending in a 5,000-digit index is reported unresolvable on a line of bounded length."""
    spec = frozen_spec()
    spec["components"]["schemas"]["L"] = {"type": "string", "enum": ["a"]}
    props = spec["components"]["schemas"][BODY]["properties"]
    props["comment"] = {"$ref": "#/components/schemas/L/enum/" + "9" * 5000}
    result = generate(spec, tmp_path / "out")
    assert result.returncode != 0
    assert "Unresolvable $ref" in result.stderr, result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 1000


@pytest.mark.parametrize("flavour", [Raia, AsyncRaia])
def test_threads_racing_to_first_use_of_a_resource_all_get_one_object(
    flavour: type[Raia] | type[AsyncRaia],
) -> None:
    """Ten threads reading client.feedback at once, before it is built, all hold the same resource."""
    client = flavour(secret_key="sk-race", base_url="http://127.0.0.1:9")
    barrier = threading.Barrier(10)
    got: list[object] = []

    def read() -> None:
        barrier.wait()
        got.append(client.feedback)

    threads = [threading.Thread(target=read) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 10 and all(resource is client.feedback for resource in got)


@pytest.mark.parametrize("flavour", [Raia, AsyncRaia])
def test_pickling_a_client_is_refused_before_a_byte_is_written(flavour: type[Raia] | type[AsyncRaia]) -> None:
    """pickle.dump of a client raises a TypeError saying why, writes nothing, and never shows the key."""
    client = flavour(secret_key="sk-pickle-secret", base_url="http://127.0.0.1:9")
    client.feedback  # noqa: B018 - a used client holds its resources too
    out = io.BytesIO()
    with pytest.raises(TypeError, match=f"{flavour.__name__} cannot be pickled") as caught:
        pickle.dump(client, out)
    assert out.getvalue() == b""
    assert "sk-pickle-secret" not in str(caught.value)


def _served_spec_refusal(change: str) -> str:
    spec = frozen_spec()
    post = spec["paths"][FEEDBACKS]["post"]
    if change == "parameters not a list":
        post["parameters"] = "x"
    elif change == "an operation that is no object":
        spec["paths"][FEEDBACKS]["post"] = [1]
    elif change == "a security scheme nobody declared":
        post["security"] = [{"NoSuchScheme": []}]
    elif change == "a pattern that is no regex":
        spec["components"]["schemas"][BODY]["properties"]["comment"] = {"type": "string", "pattern": "(["}
    else:
        post["responses"]["201"] = {"$ref": "#/components/responses/Nope"}
    with pytest.raises(ValueError, match="cannot be served") as caught, local_server(spec=spec):
        pass
    return str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        "parameters not a list",
        "an operation that is no object",
        "a pattern that is no regex",
        "a $ref to nowhere",
        "a security scheme nobody declared",
    ],
)
def test_the_test_server_refuses_a_broken_spec_in_one_line_naming_the_operation(change: str) -> None:
    """local_server(spec=...) with a broken operation raises one ValueError line naming the route, not a raw TypeError."""
    message = _served_spec_refusal(change)
    assert message.startswith(f"the spec's POST '{FEEDBACKS}' cannot be served: "), message
    assert "\n" not in message and len(message) < 400, message


def test_references_fanning_out_across_many_operations_are_refused_before_the_output_grows() -> None:
    """Operations that each reach 1,000 components, past MAX_EMBEDDED copies in all, are one SurfaceError."""
    spec = frozen_spec()
    schemas = spec["components"]["schemas"]
    for i in range(1000):
        schemas[f"S{i}"] = {"type": "object", "properties": {"x": {"type": "string"}}}
    schemas["Root"] = {
        "type": "object",
        "properties": {f"p{i}": {"$ref": f"#/components/schemas/S{i}"} for i in range(1000)},
    }
    ok = {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Root"}}},
    }
    for n in range(MAX_EMBEDDED // 1000 + 1):
        spec["paths"][f"/r{n}"] = {
            "get": {"operationId": f"get{n}", "tags": [f"T{n}"], "responses": {"200": ok}}
        }
    with pytest.raises(SurfaceError, match=f"over {MAX_EMBEDDED:,} component schemas"):
        build(spec, Naming.load(FROZEN_GENERATOR)[0])


def test_a_nullable_object_component_is_refused_by_naming_with_the_fix(tmp_path: Path) -> None:
    """A component schema that is a nullable object (the generator would call its class InnerType0) is refused naming it."""
    spec = frozen_spec()
    spec["components"]["schemas"]["Inner"] = {
        "type": "object",
        "nullable": True,
        "properties": {"x": {"type": "string"}},
    }
    spec["components"]["schemas"][BODY]["properties"]["inner"] = {"$ref": "#/components/schemas/Inner"}
    result = generate(spec, tmp_path / "out")
    assert result.returncode != 0
    assert "naming: #/components/schemas/Inner: " in result.stderr, result.stderr
    assert "nullable" in result.stderr and "prove:" not in result.stderr


def test_a_tag_named_params_is_refused_saying_which_entry_to_add(tmp_path: Path) -> None:
    """A tag `params` (the TypedDicts' module) is refused in one line that says to add a naming.resources entry."""
    spec = frozen_spec()
    _get(spec, "/a", "params")
    result = generate(spec, tmp_path / "out")
    assert result.returncode != 0
    assert "'params'" in result.stderr and "naming.resources entry" in result.stderr, result.stderr
    assert "unexpected" not in result.stderr


def test_a_security_requirement_naming_no_declared_scheme_is_refused(tmp_path: Path) -> None:
    """An operation requiring a scheme securitySchemes does not declare fails validation naming it (the test server let any key in)."""
    spec = frozen_spec()
    spec["paths"][FEEDBACKS]["post"]["security"] = [{"NoSuchScheme": []}]
    result = generate(spec, tmp_path / "out")
    assert result.returncode != 0
    assert "'NoSuchScheme'" in result.stderr and "securitySchemes" in result.stderr, result.stderr
