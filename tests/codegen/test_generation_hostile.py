"""Hostile specs: generation names what it cannot express and never writes a client that breaks.

Each spec is the frozen base spec with one hostile change, named by the frozen generator config;
tools.codegen.naming and tools.codegen.surface are called directly, and two tests run generate.sh end to end with
the frozen overlay.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from raia_agent._cli import _send
from raia_agent._cli._fields import Field
from raia_spec import JsonSchemas
from tests.support.frozen import frozen_generator, frozen_spec, generate
from tools.codegen import inputs as naming_tool
from tools.codegen.naming import Naming, NamingError, check, shadow_notes, snake_case
from tools.codegen.surface import SurfaceError, build
from tools.codegen.surface import writer as surface_tool
from tools.codegen.surface.resources import render

ROOT = Path(__file__).resolve().parents[2]
BASE = frozen_spec()
PATH = "/external/conversation-message-feedbacks"
BODY = "ExternalApiCrateOrUpdateConversationMessageFeedbackBodyDTO"
GENERATOR = frozen_generator()


def spec() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def naming() -> Naming:
    section = GENERATOR["naming"]
    return Naming(
        resources=dict(section["resources"]),
        methods=dict(section["methods"]),
        classes=dict(section["classes"]),
        **{k: v for k, v in section["rules"].items()},
    )


def add_get(doc: dict[str, Any], path: str, **operation: Any) -> dict[str, Any]:
    op: dict[str, Any] = {"tags": ["Extra"], "responses": {"200": {"description": "ok"}}, **operation}
    doc["paths"][path] = {"get": op}
    return doc


@pytest.mark.parametrize("tag", ["Timeout", "Close", "Max Retries", "Base URL", "With Options", "aclose"])
def test_a_tag_named_like_a_client_attribute_is_renamed_and_reported(tag: str) -> None:
    """A tag whose resource would shadow the client's own attribute takes a trailing `_` and a note
    naming it (issue 25 item 10: never refused); it failed generation before."""
    doc = add_get(spec(), "/x", tags=[tag], operationId="listX")
    rules = naming()
    check(rules, doc)
    plain = snake_case(tag)
    assert rules.resource_name(tag) == plain + "_"
    assert f"tag {tag!r} is the resource {plain}_: {plain} is the client's own" in " ".join(
        shadow_notes(rules, doc)
    )


def test_a_private_resource_name_fails() -> None:
    """A naming.resources entry starting with `_` would be a private attribute: it fails."""
    rules = naming()
    rules.resources["Extra"] = "_extra"
    with pytest.raises(NamingError, match="'Extra'"):
        check(rules, add_get(spec(), "/x", operationId="listX"))


@pytest.mark.parametrize(("text", "expected"), [("2fa", "n2fa"), ("2FA code", "n2_fa_code"), ("3", "n3")])
def test_a_name_starting_with_a_digit_gets_an_n_prefix(text: str, expected: str) -> None:
    """A leading digit is prefixed with `n`, so the name is a valid public identifier."""
    assert snake_case(text) == expected
    assert expected.isidentifier()


def test_a_recursive_non_model_schema_is_annotated_any_at_its_cycle() -> None:
    """An array schema whose items are itself ends in Any instead of recursing forever."""
    doc = spec()
    doc["components"]["schemas"]["TreeList"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/TreeList"},
    }
    tree = {"name": "tree", "in": "query", "schema": {"$ref": "#/components/schemas/TreeList"}}
    add_get(doc, "/trees", operationId="listTrees", parameters=[tree])
    op = next(o for o in build(doc, naming()).operations if o.path == "/trees")
    assert op.arguments[0].annotation == "Sequence[Any]"


def test_an_unexpected_error_is_one_line_naming_the_operation() -> None:
    """A schema the surface trips over is reported as SurfaceError naming the operation, not a traceback."""
    doc = add_get(spec(), "/odd", operationId="odd", parameters=[{"name": "q", "in": "query", "schema": {"type": "array", "items": "text"}}])  # fmt: skip
    with pytest.raises(SurfaceError, match=r"^GET /odd \(client\.extra\.odd\): AttributeError"):
        build(doc, naming())


@pytest.mark.parametrize("tool", ["naming", "surface"])
def test_the_tools_report_a_bad_input_in_one_line(tool: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A broken generator.yaml stops naming and surface with one line, not a traceback."""
    (tmp_path / "spec.json").write_text(json.dumps(BASE), encoding="utf-8")
    (tmp_path / "gen.yaml").write_text("naming:\n  max_name_length: many\n", encoding="utf-8")
    rest = ["out.yaml", "out.json"] if tool == "naming" else [str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [tool, str(tmp_path / "spec.json"), str(tmp_path / "gen.yaml"), *rest])
    main = naming_tool.main if tool == "naming" else surface_tool.main
    with pytest.raises(SystemExit) as stopped:
        main()
    # checked against the config's schema (issue 25 item 8): before, int() failed with a ValueError
    assert str(stopped.value) == (
        f"{tool}: {tmp_path / 'gen.yaml'}: naming.max_name_length: 'many' is not of type 'integer'"
    )


def test_a_required_cookie_parameter_fails_naming_the_operation() -> None:
    """The client sends no cookies: a required one fails generation rather than being dropped."""
    cookie = {"name": "session", "in": "cookie", "required": True, "schema": {"type": "string"}}
    doc = add_get(spec(), "/me", operationId="me", parameters=[cookie])
    with pytest.raises(SurfaceError, match=r"GET /me .*cookie parameter 'session' is not supported"):
        build(doc, naming())


def test_a_request_body_no_call_can_send_fails_naming_the_operation() -> None:
    """A text/plain-only request body fails generation rather than being dropped (forms are sent since
    issue 24: tests/*/test_media_in_*.py)."""
    doc = spec()
    content = doc["paths"][PATH]["post"]["requestBody"]["content"]
    content["text/plain"] = content.pop("application/json")
    with pytest.raises(SurfaceError, match=r"POST /external/.*text/plain only is not supported"):
        build(doc, naming())


def test_server_variables_take_their_defaults() -> None:
    """`https://{region}.host/v2` becomes the URL with each variable's default."""
    doc = spec()
    doc["servers"] = [{"url": "https://{region}.example.test/{version}/", "variables": {"region": {"default": "eu"}, "version": {"default": "v2"}}}]  # fmt: skip
    assert build(doc, naming()).base_url == "https://eu.example.test/v2"


def test_a_2xx_reply_is_the_success_reply() -> None:
    """Responses documented as `2XX` parse into the model, as a 200."""
    doc = spec()
    responses = doc["paths"][PATH]["post"]["responses"]
    responses["2XX"] = responses.pop("201")
    op = build(doc, naming()).operations[0]
    assert (op.success, op.returns) == (200, "_models.Feedback")


def test_an_operation_without_summary_does_not_repeat_its_first_line() -> None:
    """With no summary or description, the method line appears once in the docstring."""
    add = add_get(spec(), "/bare", operationId="bare")
    text = render(build(add, naming()))["extra.py"]
    # once per class: sync, async, and their raw and streaming twins
    assert text.count("`GET /bare`; answers 200.") == 6


def test_an_openapi_3_1_nullable_type_list_is_optional() -> None:
    """`type: [integer, "null"]` annotates as `int | None`."""
    limit = {"name": "limit", "in": "query", "schema": {"type": ["integer", "null"]}}
    op = next(o for o in build(add_get(spec(), "/l", operationId="l", parameters=[limit]), naming()).operations if o.path == "/l")  # fmt: skip
    assert op.arguments[0].annotation == "int | None"


def test_body_fields_named_like_send_options_get_a_body_prefix() -> None:
    """`feedback send` keeps each colliding property as --body-<name>, drops a taken --vote alias, and warns of nothing."""
    doc = spec()
    properties = doc["components"]["schemas"][BODY]["properties"]
    for name in ("json", "help", "debug", "base-url", "secret_key_file", "vote"):
        properties[name] = {"type": "string", "description": f"the {name} property"}
    op = next(o for o in build(doc, naming()).operations if o.path == PATH)
    body = JsonSchemas(doc).convert(doc["components"]["schemas"][BODY])
    fields = [
        Field(a.name, a.python, dict(body["properties"][a.name]), required=a.required)
        for a in op.arguments
        if a.location == "body"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cmd = _send.command(fields)
        help_text = CliRunner().invoke(cmd, ["--help"], terminal_width=200).output
        names = [name for param in cmd.params for name in param.opts]
    assert len(names) == len(set(names)), names
    for option in ("--body-json", "--body-help", "--body-debug", "--body-base-url", "--body-secret-key-file"):
        assert option in help_text, option
    by_option = {o.names[0]: o for o in _send.options(fields)}
    assert by_option["--vote"].field.json_name == "vote"
    assert by_option["--vote-type"].names == ("--vote-type",)
    assert by_option["--body-base-url"].field.python_name == "base_url"
    ctx = cmd.make_context("send", ["--body-json", "x", "--base-url", "http://127.0.0.1:1", "--vote-type", "up", "--conversation-message-id", "m", "--user-id", "u"])  # fmt: skip
    assert (ctx.params["body_json"], ctx.params["base_url"]) == ("x", "http://127.0.0.1:1")


def hostile_run(tmp: Path, bin_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    """generate.sh over a spec whose classes shadow the resource modules' imports and with `2fa` names."""
    doc = spec()
    add_get(doc, "/external/two-factor", tags=["2fa"], operationId="check2fa", parameters=[{"name": "2fa", "in": "query", "required": True, "schema": {"type": "integer"}}])  # fmt: skip
    doc["paths"]["/external/casts"] = {"get": {"tags": ["Cast"], "operationId": "listCasts", "responses": {"200": {"description": "ok"}}}}  # fmt: skip
    config = copy.deepcopy(GENERATOR)
    config["naming"]["classes"].update(
        {
            "CreateOrUpdateConversationMessageFeedbackResponse": "RawResponse",
            "ForbiddenError": "NotGiven",
            "InternalServerError": "SyncClient",
        }
    )
    (tmp / "generator.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env: dict[str, str] = {}
    if bin_dir is not None:  # generate.sh puts $PYTHON's directory first on PATH
        env["PYTHON"] = str(bin_dir / "python")
        env["PATH"] = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    return generate(doc, tmp / "out", generator=tmp / "generator.yaml", extra_env=env)


def test_a_client_from_hostile_names_lints_and_type_checks(tmp_path: Path) -> None:
    """Classes named RawResponse/NotGiven/SyncClient, tags `2fa` and `Cast`, a `2fa` parameter: a strict-clean, working client."""
    result = hostile_run(tmp_path)
    assert result.returncode == 0, result.stderr
    resource = (tmp_path / "out/raia_agent_api/resources/n2fa.py").read_text(encoding="utf-8")
    assert "def check2fa(" in resource
    assert "n2fa: int," in resource
    tool = Path(sys.executable).parent
    lint = subprocess.run([str(tool / "ruff"), "check", "--isolated", "--select", "F", "raia_agent_api"], cwd=tmp_path / "out", capture_output=True, text=True, check=False)  # fmt: skip
    assert lint.returncode == 0, lint.stdout
    env = {**os.environ, "MYPYPATH": str(tmp_path / "out")}
    types = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--python-version", "3.11", "--cache-dir", str(tmp_path / "cache"), "-p", "raia_agent_api"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=300)  # fmt: skip
    assert types.returncode == 0, types.stdout
    use = "from raia_agent_api.resources import SyncResources as S\nc = S()\nc._init_resources()\nprint(type(c.cast).__name__, type(c.n2fa).__name__)"  # fmt: skip
    env["PYTHONPATH"] = str(tmp_path / "out")
    ran = subprocess.run([sys.executable, "-c", use], env=env, capture_output=True, text=True, check=False)
    assert ran.stdout.split() == ["CastResource", "N2faResource"], ran.stderr


def test_a_failing_generation_step_says_which(tmp_path: Path) -> None:
    """When the final ruff step fails without a word, generate.sh still names the step and exits non-zero."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real = Path(sys.executable).parent / "ruff"
    fake = bin_dir / "ruff"
    fake.write_text(
        f'#!/bin/sh\ncase "$*" in *raia_agent_api*) exit 2 ;; esac\nexec "{real}" "$@"\n', encoding="utf-8"
    )
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    for script in (fake, bin_dir / "python"):
        script.chmod(0o755)
    result = hostile_run(tmp_path, bin_dir)
    assert result.returncode != 0
    assert "generate.sh: ruff could not fix or format the generated code" in result.stderr


def test_a_spec_that_is_not_json_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """generate.sh and make diff on a file that is not JSON, or not there, say so without a traceback."""
    bad = tmp_path / "openapi.json"
    bad.write_text("openapi: 3.0.0\n")
    root = Path(__file__).resolve().parents[2]
    gen = subprocess.run(
        [str(root / "generate.sh"), "--out", str(tmp_path / "out")],
        env={**os.environ, "SPEC": str(bad)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert gen.returncode != 0 and "openapi.json: not a readable JSON OpenAPI document" in gen.stderr
    assert "Traceback" not in gen.stderr
    diff = subprocess.run(
        [sys.executable, "-m", "tools.apidiff", "--old", str(tmp_path / "missing.json"), "--new", str(bad)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert diff.returncode == 2 and "missing.json is refused: cannot be read" in diff.stderr
    assert "Traceback" not in diff.stderr
