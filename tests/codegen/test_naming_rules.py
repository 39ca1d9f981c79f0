"""Names by rule: a method drops its resource's noun (`retrieve`, `list`, `update`, `delete`), path
parameters are positional, and a model named like raia_agent's exception gets a `Body` suffix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from raia_spec import operations
from tests.support.frozen import FROZEN_GENERATOR, diff, generate_frozen, write_spec
from tests.support.typecheck import mypy_errors
from tests.support.vendor_updates.compatible import combined
from tests.support.vendor_updates.updates import BASE, COLLECTION, CONTROLLER, get_by_id
from tools.codegen.naming import Naming, NamingError, check, route
from tools.codegen.naming import rules as naming_rules

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def naming() -> Naming:
    return Naming.load(FROZEN_GENERATOR)[0]


def base() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize(
    ("method", "http_method", "path", "resource", "expected"),
    [
        ("get_feedback", "GET", "/f/{id}", "feedback", "retrieve"),
        ("list_feedbacks", "GET", "/f", "feedback", "list"),
        ("get_feedbacks", "GET", "/f", "feedback", "list"),
        ("find_all_feedbacks", "GET", "/f", "feedback", "list"),
        ("delete_feedback", "DELETE", "/f/{id}", "feedback", "delete"),
        ("update_feedback", "PATCH", "/f/{id}", "feedback", "update"),
        ("create_or_update_feedback", "POST", "/f", "feedback", "create_or_update"),
        ("get_feedback", "GET", "/f/{id}", "conversation_message_feedbacks", "retrieve"),
        ("get_agent", "GET", "/agents/{agentId}", "agents", "retrieve"),
        ("archive_conversation", "POST", "/c/{id}/archive", "conversations", "archive"),
        ("get_feedback", "GET", "/f", "feedback", "get"),
        ("list_messages", "GET", "/c/{id}/messages", "conversations", "list_messages"),
        ("get_user_feedback", "GET", "/f/{id}", "feedback", "get_user_feedback"),
        ("feedback", "GET", "/f", "feedback", "feedback"),
        ("bulk", "POST", "/f/bulk", "feedback", "bulk"),
    ],
)
def test_a_method_drops_its_resource_noun_when_a_verb_remains(
    method: str, http_method: str, path: str, resource: str, expected: str
) -> None:
    """Singular or plural noun, or a tail of the resource's words, goes; a GET's verb becomes retrieve or list."""
    assert naming_rules.method_by_rule(method, http_method, path, resource) == expected


def test_the_rule_names_every_operation_of_the_frozen_vendor_updates() -> None:
    """Over the compatible vendor-like updates, each method is what a Python user would write."""
    spec = base()
    combined(spec)
    get_by_id_spec = base()
    get_by_id(get_by_id_spec)
    names = naming()
    assert check(names, spec) == []
    found = {route(m, p): f"{names.resource_name(op['tags'][0])}.{names.operation_method(p, m, op)}" for p, m, op in operations(spec)}  # fmt: skip
    assert found == {
        f"POST {COLLECTION}": "feedback.create_or_update",
        f"GET {COLLECTION}": "feedback.list",
        f"GET {COLLECTION}/{{id}}": "feedback.retrieve",
        f"PATCH {COLLECTION}/{{id}}": "feedback.update",
        f"DELETE {COLLECTION}/{{id}}": "feedback.delete",
        "GET /external/agents/{agentId}": "agents.retrieve",
        "GET /external/conversations/{conversationId}/messages": "conversations.list_messages",
    }


def test_a_naming_entry_still_overrides_the_rule() -> None:
    """naming.methods, keyed by route, wins over the rule for that route only."""
    spec = base()
    get_by_id(spec)
    names = naming()
    names.methods[f"GET {COLLECTION}/{{id}}"] = "fetch_one"
    assert check(names, spec) == []
    chosen = {names.operation_method(p, m, op) for p, m, op in operations(spec)}
    assert chosen == {"create_or_update", "fetch_one"}


def test_two_operations_the_rule_names_alike_fail_naming_both_and_the_fix() -> None:
    """getFeedback and findOneFeedback both become retrieve: generation stops with the naming line that fixes it."""
    spec = base()
    get_by_id(spec)
    spec["paths"][COLLECTION + "/by-message/{messageId}"] = {
        "get": {
            "operationId": CONTROLLER + "findOneFeedback",
            "parameters": [
                {"name": "messageId", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "ok"}},
            "tags": ["Conversation Message Feedbacks"],
        }
    }
    with pytest.raises(NamingError) as caught:
        check(naming(), spec)
    message = str(caught.value)
    moved = f"GET {COLLECTION}/by-message/{{messageId}}"
    assert f"{moved} and GET {COLLECTION}/{{id}} would both be client.feedback.retrieve" in message
    fix = f'"{moved}": get_external_conversation_message_feedbacks_by_message_by_message_id'
    assert f"naming.methods in spec/generator.yaml {fix}" in message
    fixed = naming()
    fixed.methods[moved] = "retrieve_by_message"
    assert check(fixed, spec) == []


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ("NotFoundErrorDTO", "NotFoundErrorBody"),
        ("BadRequestErrorDTO", "BadRequestErrorBody"),
        ("ExternalApiNotFoundErrorDTO", "NotFoundErrorBody"),
        ("InternalServerErrorDTO", "InternalServerErrorBody"),
        ("RaiaDTO", "RaiaBody"),
        ("ExceptionDTO", "ExceptionBody"),
        ("TypeErrorDTO", "TypeErrorBody"),
        ("ForbiddenErrorDTO", "ForbiddenError"),
        ("NotFoundErrorBodyDTO", "NotFoundErrorBody"),
    ],
)
def test_a_model_named_like_an_exception_a_client_class_or_a_builtin_gets_the_body_suffix(
    schema: str, expected: str
) -> None:
    """The class the rules give would shadow raia_agent's name or a builtin, so it takes `Body`; others stay."""
    assert naming().class_name(schema) == expected


def test_a_naming_entry_can_still_choose_any_class_name() -> None:
    """naming.classes is keyed by the cleaned schema name and bypasses the clash rule, as it bypasses every rule."""
    names = naming()
    names.classes["NotFoundError"] = "MissingThing"
    assert names.class_name("NotFoundErrorDTO") == "MissingThing"


def test_two_schemas_the_clash_rule_names_alike_fail_naming_both() -> None:
    """NotFoundErrorDTO and NotFoundErrorBodyDTO would both be NotFoundErrorBody: generation stops naming both."""
    spec = base()
    for name in ("NotFoundErrorDTO", "NotFoundErrorBodyDTO"):
        spec["components"]["schemas"][name] = {
            "type": "object",
            "properties": {"message": {"type": "string"}},
        }
    with pytest.raises(NamingError, match=r"NotFoundErrorDTO and .*NotFoundErrorBodyDTO would both be class"):
        check(naming(), spec)


def test_the_clash_list_is_raia_agent_s_own_public_classes() -> None:
    """tools/ keeps the classes raia_agent exports besides models (exceptions, clients) without importing it; they match."""
    import raia_agent

    ours = {
        name
        for name in raia_agent.__all__
        if isinstance(getattr(raia_agent, name), type)
        and not getattr(raia_agent, name).__module__.startswith("raia_agent_api.models")
    }
    assert ours == naming_rules.RAIA_AGENT_CLASSES


def test_the_client_attribute_list_is_what_raia_and_async_raia_have_besides_resources() -> None:
    """A tag may not take a client attribute: the list tools/ keeps holds every public one of Raia and AsyncRaia."""
    from raia_agent_api.resources import AsyncResources, SyncResources

    from raia_agent import AsyncRaia, Raia

    resources = set(SyncResources.__annotations__) | set(AsyncResources.__annotations__)
    public = {n for cls in (Raia, AsyncRaia) for n in dir(cls) if not n.startswith("_")}
    assert public - resources <= naming_rules.CLIENT_ATTRIBUTES


def test_naming_runs_without_importing_raia_agent() -> None:
    """Generation never depends on the client it generates for: tools.codegen.naming imports no raia_agent module."""
    code = (
        "import sys, json; from pathlib import Path; from tools.codegen.naming import Naming, check; "
        f"check(Naming.load(Path({str(FROZEN_GENERATOR)!r}))[0], json.loads(Path({str(BASE)!r}).read_text())); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'raia_agent', 'raia_agent_api'}))"
    )
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]", shown.stdout


def test_the_live_package_names_its_500_body_by_the_clash_rule() -> None:
    """The vendor's InternalServerErrorDTO is the model InternalServerErrorBody, beside the exception InternalServerError."""
    import raia_agent_api.models as models

    import raia_agent

    assert not hasattr(models, "InternalServerError")
    assert raia_agent.InternalServerErrorBody is models.InternalServerErrorBody
    assert issubclass(raia_agent.InternalServerError, raia_agent.APIStatusError)


def with_clashes_and_a_list(spec: dict[str, Any]) -> None:
    """The GET by id (404: NotFoundErrorDTO) plus a 400 BadRequestErrorDTO and a `things` list returning an array."""
    get_by_id(spec)
    spec["components"]["schemas"]["BadRequestErrorDTO"] = {
        "type": "object",
        "properties": {"message": {"type": "string"}},
        "required": ["message"],
    }
    spec["paths"][COLLECTION + "/{id}"]["get"]["responses"]["400"] = {
        "description": "Bad id.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BadRequestErrorDTO"}}},
    }
    spec["components"]["schemas"]["ThingDTO"] = {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
    }
    spec["paths"]["/external/things"] = {
        "get": {
            "operationId": "ExternalApiThingsController_listThings",
            "parameters": [
                {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/ThingDTO"}}
                        }
                    },
                }
            },
            "tags": ["Things"],
        }
    }
    # after `def list` in the same class: its `list[...]` must still mean the builtin
    spec["paths"]["/external/things/{thingId}/tags"] = {
        "get": {
            "operationId": "ExternalApiThingsController_getThingTags",
            "parameters": [
                {"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "names", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/ThingDTO"}}
                        }
                    },
                }
            },
            "tags": ["Things"],
        }
    }


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the updated spec, the package generated from it with the frozen overlay and config)."""
    tmp = tmp_path_factory.mktemp("naming-rules")
    spec = base()
    with_clashes_and_a_list(spec)
    return write_spec(tmp / "openapi.json", spec), generate_frozen(spec, tmp / "generated")


ACCEPTED = """
import uuid
from collections.abc import Callable

from raia_agent import NotFoundError, Raia
from raia_agent.testing import local_server
from raia_agent_api.models import BadRequestErrorBody, Feedback, NotFoundErrorBody, Thing


def expect_404(call: Callable[[], Feedback]) -> None:
    try:
        found = call()
    except NotFoundError as exc:
        body: NotFoundErrorBody | BadRequestErrorBody | None = exc.error
        assert type(body).__name__ == "NotFoundErrorBody", body
    else:
        raise AssertionError(f"no 404: {found}")


def tags_of(client: Raia) -> list[Thing]:
    return client.things.get_thing_tags("t", names=["a"]) + client.things.with_raw_response.get_thing_tags(thing_id="t").parsed


with local_server() as server, Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as client:
    some_id = uuid.uuid4()
    expect_404(lambda: client.feedback.retrieve(some_id))
    expect_404(lambda: client.feedback.retrieve(id=str(some_id)))
    things: list[Thing] = client.things.list(tags=["a"])
    assert isinstance(things, list), things
print("ok")
"""
REJECTED = """
from raia_agent import Raia

client = Raia(secret_key="k")
client.feedback.retrieve()
"""


def run_in(generated: Path, tmp: Path, name: str, code: str) -> tuple[subprocess.CompletedProcess[str], dict[int, str], str]:  # fmt: skip
    """(python running CODE, mypy --strict's errors by line and its output), with `raia_agent_api` the generated package."""
    script = tmp / name
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated), str(ROOT / "src"), str(ROOT)])}
    run = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    errors, output = mypy_errors(code, tmp, name=name, generated=generated)
    return run, errors, output


def test_a_path_parameter_is_positional_and_required_under_mypy_strict(
    updated: tuple[Path, Path], tmp_path: Path
) -> None:
    """`client.feedback.retrieve(some_id)` runs and type-checks, a method after `things.list` keeps the builtin `list[...]`; `retrieve()` is rejected."""
    _, generated = updated
    run, errors, output = run_in(generated, tmp_path, "accepted.py", ACCEPTED)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]
    assert not errors and "Success: no issues found" in output, output
    _, errors, output = run_in(generated, tmp_path, "rejected.py", REJECTED)
    assert list(errors) == [5] and 'Missing positional argument "id"' in errors[5], output


def test_make_diff_reports_a_class_the_clash_rule_renamed(updated: tuple[Path, Path]) -> None:
    """A new NotFoundErrorDTO or BadRequestErrorDTO is a Python row from the exception's name to the Body class."""
    spec, _ = updated
    result = diff(spec, fmt="json")
    assert result.returncode == 0, result.stderr
    rows = {row["symbol"]: row for row in json.loads(result.stdout)["python"]}
    for plain in ("NotFoundError", "BadRequestError"):
        row = next(r for s, r in rows.items() if s.endswith(f".{plain}Body"))
        assert (row["before"], row["after"]) == (f"class {plain}", f"class {plain}Body"), row
        assert f"would shadow raia_agent.{plain}" in row["message"] and "renamed by rule" in row["message"], (
            row
        )
    assert not any(s.endswith((".NotFoundError", ".BadRequestError")) for s in rows)
