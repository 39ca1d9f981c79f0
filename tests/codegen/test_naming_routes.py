"""naming.methods and retry_safe are keyed by route: an operationId rename needs no edit, a route change fails."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.frozen import FEEDBACKS, FROZEN_GENERATOR, frozen_spec, generate, write_spec
from tools.codegen.naming import Naming, NamingError, check
from tools.codegen.surface import build

ROUTE = f"POST {FEEDBACKS}"
RENAMED = "ExternalApiConversationMessageFeedbacksController_upsertFeedback"


def frozen_naming() -> Naming:
    return Naming.load(FROZEN_GENERATOR)[0]


def test_an_operation_id_rename_keeps_the_method_and_its_retries() -> None:
    """The vendor renaming createOrUpdateFeedback to upsertFeedback keeps create_or_update, still retry-safe."""
    doc = frozen_spec()
    doc["paths"][FEEDBACKS]["post"]["operationId"] = RENAMED
    assert check(frozen_naming(), doc) == []
    (op,) = build(doc, frozen_naming()).operations
    assert (op.method_name, op.idempotent) == ("create_or_update", True)


def test_an_operation_id_rename_generates_the_same_client(tmp_path: Path) -> None:
    """generate.sh with the renamed operationId and no edit writes a package identical to the original's."""
    renamed = frozen_spec()
    renamed["paths"][FEEDBACKS]["post"]["operationId"] = RENAMED
    first = generate(write_spec(tmp_path / "a.json", frozen_spec()), tmp_path / "a")
    second = generate(write_spec(tmp_path / "b.json", renamed), tmp_path / "b")
    assert first.returncode == 0 and second.returncode == 0, second.stderr

    def files(root: Path) -> dict[str, bytes]:
        # _spec.py records the upstream spec itself, which did change
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.py") if p.name != "_spec.py"}

    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_a_route_change_fails_naming_the_stale_entries() -> None:
    """A moved path is a real API change: the naming.methods and retry_safe entries for the old route fail by name."""
    doc = frozen_spec()
    doc["paths"]["/external/feedbacks"] = doc["paths"].pop(FEEDBACKS)
    with pytest.raises(NamingError) as caught:
        check(frozen_naming(), doc)
    assert f"naming.methods['{ROUTE}'] matches no operation" in str(caught.value)
    assert f"retry_safe entry '{ROUTE}' matches no operation" in str(caught.value)


@pytest.mark.parametrize("section", ["methods", "retry_safe"])
def test_an_entry_keyed_by_operation_id_names_the_route_to_use(section: str, tmp_path: Path) -> None:
    """An old-style key (the short operationId) fails, naming the route that replaces it."""
    config = yaml.safe_load(FROZEN_GENERATOR.read_text(encoding="utf-8"))
    if section == "methods":
        config["naming"]["methods"] = {"createOrUpdateFeedback": "create_or_update"}
    else:
        config["retry_safe"] = ["createOrUpdateFeedback"]
    (tmp_path / "gen.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(NamingError, match=rf"'createOrUpdateFeedback' is not a route.*\('createOrUpdateFeedback' is '{ROUTE}'\)"):  # fmt: skip
        check(Naming.load(tmp_path / "gen.yaml")[0], frozen_spec())


def test_a_method_collision_prints_the_entry_that_fixes_it() -> None:
    """Two controllers' getFeedback on different routes collide; the message gives a naming.methods line for one route."""
    doc = frozen_spec()
    for controller, path in (("A", "/a/{id}"), ("B", "/b/{id}")):
        doc["paths"][path] = {
            "get": {
                "tags": ["Shared"],
                "operationId": f"{controller}Controller_getFeedback",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
            }
        }
    with pytest.raises(NamingError) as caught:
        check(frozen_naming(), doc)
    message = str(caught.value)
    assert "GET /b/{id} and GET /a/{id} would both be client.shared.get_feedback" in message
    assert 'naming.methods in spec/generator.yaml "GET /b/{id}": get_b_by_id' in message
    fixed = frozen_naming()
    fixed.methods["GET /b/{id}"] = "get_b_by_id"
    assert check(fixed, doc) == []
