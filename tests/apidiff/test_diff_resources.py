"""The client's resource attributes are not model fields: a new one is info, while model fields keep their rules."""

from __future__ import annotations

from pathlib import Path

from tools.apidiff._model import PyChange
from tools.apidiff._python import compare

RESOURCES = """
class FeedbackResource: ...


class SyncResources:
    feedback: FeedbackResource
{extra}
"""
MODELS = """
from attrs import define as _attrs_define


@_attrs_define
class Feedback:
    id: str
{extra}
"""


def diff(tmp_path: Path, resources: tuple[str, str], models: tuple[str, str]) -> list[PyChange]:
    for side, resource_extra, model_extra in (
        ("old", resources[0], models[0]),
        ("new", resources[1], models[1]),
    ):
        package = tmp_path / side / "raia_agent_api"
        (package / "resources").mkdir(parents=True)
        (package / "models").mkdir()
        (package / "__init__.py").write_text("")
        (package / "resources" / "__init__.py").write_text(RESOURCES.format(extra=resource_extra))
        (package / "models" / "__init__.py").write_text(MODELS.format(extra=model_extra))
    return compare(tmp_path / "old", tmp_path / "new")


def test_a_new_resource_attribute_is_info(tmp_path: Path) -> None:
    """A tag added to the spec adds a client attribute: nothing a caller constructs, so not breaking."""
    rows = diff(tmp_path, ("", "    timeout: FeedbackResource"), ("", ""))
    row = next(r for r in rows if r.symbol == "resources.SyncResources.timeout")
    assert (row.level, row.message) == ("info", "attribute added")


def test_a_new_required_model_field_still_breaks(tmp_path: Path) -> None:
    """An attrs model still gets field rows: a new required field breaks constructors."""
    rows = diff(tmp_path, ("", ""), ("", "    name: str"))
    row = next(r for r in rows if r.symbol == "models.Feedback.name")
    assert row.level == "breaking", row
