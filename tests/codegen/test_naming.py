"""Names come from rules plus spec/generator.yaml's naming section; stale entries fail, naming themselves."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.frozen import FROZEN_GENERATOR
from tools.codegen.inputs import generator_inputs
from tools.codegen.naming import Naming, NamingError, check, snake_case

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "specs" / "openapi.frozen.json"


def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    return loaded


def naming() -> Naming:
    return Naming.load(FROZEN_GENERATOR)[0]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ("ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO", "Feedback"),
        ("ExternalApiCreateOrUpdateConversationMessageFeedbackResponseDTO", "Feedback"),
        ("ExternalApiCrateOrUpdateConversationMessageFeedbackBodyDTO", "FeedbackRequest"),
        ("ForbiddenErrorDTO", "ForbiddenError"),
        ("ExternalApiNotFoundErrorDTO", "NotFoundErrorBody"),
        (
            "ExternalApiListConversationMessageFeedbacksResponseDTO",
            "ListConversationMessageFeedbacksResponse",
        ),
        ("DTO", "DTO"),
    ],
)
def test_schema_classes_follow_the_rules(schema: str, expected: str) -> None:
    """Prefix and suffix dropped, typos fixed, then the classes map; the vendor's typo fix keeps Feedback."""
    assert naming().class_name(schema) == expected


FEEDBACKS = "POST /external/conversation-message-feedbacks"


@pytest.mark.parametrize(
    ("operation_id", "route", "expected"),
    [
        (
            "ExternalApiConversationMessageFeedbacksController_createOrUpdateFeedback",
            FEEDBACKS,
            "create_or_update",
        ),
        ("ExternalApiConversationMessageFeedbacksController_upsertFeedback", FEEDBACKS, "create_or_update"),
        (
            "ExternalApiConversationMessageFeedbacksController_createOrUpdateFeedback",
            "",
            "create_or_update",
        ),
        ("ExternalApiConversationMessageFeedbacksController_getFeedback", "GET /x/{id}", "retrieve"),
        ("listThings", "GET /things", "list_things"),
    ],
)
def test_methods_drop_the_controller_prefix(operation_id: str, route: str, expected: str) -> None:
    """A method is the operationId without NestJS's controller prefix and its resource's noun, in snake_case, unless its route is configured."""
    assert naming().method_name(operation_id, route, "feedback") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Conversation Message Feedbacks", "conversation_message_feedbacks"),
        ("HTTPStatus", "http_status"),
        ("class", "class_"),
        ("", "default"),
    ],
)
def test_snake_case_makes_identifiers(text: str, expected: str) -> None:
    """Tags and ids become valid Python identifiers."""
    assert snake_case(text) == expected


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("resources", "NoSuchThingAnywhere"),
        ("methods", "GET /no/such/thing"),
        ("classes", "NoSuchThingAnywhere"),
    ],
)
def test_a_stale_entry_fails_naming_it(section: str, key: str) -> None:
    """An entry that matches nothing in the spec is an error that names the entry."""
    config = naming()
    getattr(config, section)[key] = "x"
    with pytest.raises(NamingError, match=rf"naming\.{section}\['{key}'\] matches no"):
        check(config, spec())


def test_a_no_op_typo_rule_and_a_long_name_warn() -> None:
    """A typo rule the vendor made unnecessary, and a class name over the limit, are warnings."""
    updated = json.loads(json.dumps(spec()).replace("Crate", "Create"))
    updated["components"]["schemas"]["ExternalApiAVeryLongNameThatNoRuleShortensEnoughForAnyoneDTO"] = {
        "type": "object"
    }
    warnings = check(naming(), updated)
    assert any("typos['Crate']" in w for w in warnings), warnings
    assert any("AVeryLongNameThatNoRuleShortensEnoughForAnyone" in w for w in warnings), warnings


def test_two_schemas_with_one_class_name_fail() -> None:
    """Two schemas that the rules would give the same class name stop generation."""
    clash = spec()
    clash["components"]["schemas"]["ExternalApiForbiddenErrorDTO"] = {"type": "object"}
    with pytest.raises(NamingError, match="would both be class 'ForbiddenError'"):
        check(naming(), clash)


def test_every_schema_gets_a_class_override() -> None:
    """The generator's config names every schema, so no vendor name reaches a class."""
    config, named = generator_inputs(naming(), {"literal_enums": True}, spec())
    assert set(config["class_overrides"]) == set(spec()["components"]["schemas"])
    assert all(len(o["class_name"]) <= 40 for o in config["class_overrides"].values())
    ids = [op["operationId"] for item in named["paths"].values() for op in item.values()]
    assert all("Controller_" not in i for i in ids), ids


def test_generation_stops_on_a_stale_entry(repo_copy: Path) -> None:
    """`make generate` with a stale naming entry fails naming it and leaves the package as it was."""
    path = repo_copy / "spec" / "generator.yaml"
    config = yaml.safe_load(path.read_text())
    config["naming"]["classes"]["RenamedByTheVendor"] = "Something"
    path.write_text(yaml.safe_dump(config))
    before = sorted(
        (p.relative_to(repo_copy), p.read_bytes()) for p in (repo_copy / "generated_client").rglob("*.py")
    )
    result = subprocess.run(["./generate.sh"], cwd=repo_copy, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "naming.classes['RenamedByTheVendor'] matches no schema" in result.stderr
    after = sorted(
        (p.relative_to(repo_copy), p.read_bytes()) for p in (repo_copy / "generated_client").rglob("*.py")
    )
    assert after == before
