"""`make diff` shows one row per change a caller sees, naming the flavours (sync, async, raw) it applies to.

The detailed rows (one per symbol and flavour) stay behind a `<details>` block and in the JSON.
"""

from __future__ import annotations

import pytest

from tests.support.diff_specs import SHAPE, Spec, operation, report_for, schema
from tools.apidiff._group import flavour, group
from tools.apidiff._model import PyChange, Report
from tools.apidiff._report import markdown

NEW_FIELD = "rating"
NEW_PATH = "/external/widgets/{widgetId}"


def new_field_and_tag(spec: Spec) -> None:
    """An optional request field, and an operation under a new tag returning a new schema."""
    schema(spec, SHAPE.request)["properties"][NEW_FIELD] = {"type": "integer"}
    spec["components"]["schemas"]["ExternalApiWidgetDTO"] = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "label": {"type": "string"}, "size": {"type": "integer"}},
        "required": ["id", "label", "size"],
    }
    reply = {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExternalApiWidgetDTO"}}}}  # fmt: skip
    widget = {"name": "widgetId", "in": "path", "required": True, "schema": {"type": "string"}}
    get = {
        "operationId": "ExternalApiWidgetsController_getWidget",
        "tags": ["Widgets"],
        "parameters": [widget],
    }
    spec["paths"][NEW_PATH] = {"get": {**get, "responses": {"200": reply}, "security": operation(spec).get("security", [])}}  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return report_for(tmp_path_factory.mktemp("grouping"), new_field_and_tag, python=True)


def summary(text: str) -> str:
    return text.split("### Python API changes", 1)[1].split("<details>", 1)[0]


def details(text: str) -> str:
    return text.split("<details>", 1)[1].split("</details>", 1)[0]


def test_a_new_parameter_is_one_row_naming_its_flavours(report: Report) -> None:
    """The parameter added to every flavour of the method is one summary row: `sync, async, raw, stream`."""
    text = markdown(report)
    rows = [line for line in summary(text).splitlines() if f"({NEW_FIELD})`" in line]
    assert len(rows) == 1, rows
    assert "| sync, async, raw, stream |" in rows[0] and "parameter added (optional)" in rows[0]
    assert len([line for line in details(text).splitlines() if f"({NEW_FIELD})`" in line]) == 6


def test_attribute_and_field_rows_of_new_classes_are_detail_only(report: Report) -> None:
    """`with_raw_response`, the fields of a new model and a signature judged per parameter are not summary rows."""
    text = markdown(report)
    assert "with_raw_response" not in summary(text)
    assert "with_raw_response" in details(text)
    widget_rows = [line for line in summary(text).splitlines() if line.startswith("| info | `models.widget")]
    assert len(widget_rows) == 1 and "class added" in widget_rows[0], widget_rows
    assert "judged on their own rows" not in summary(text)
    # named as callers write it (issue 24), not by the generated class that holds it
    assert "`client.widgets.retrieve()` | sync, async, raw, stream |" in summary(text)


def test_the_verdict_counts_summary_rows_and_the_details_keep_every_row(report: Report) -> None:
    """The Python count in the verdict is the summary's rows; the details list every detailed row."""
    text = markdown(report)
    shown = [line for line in summary(text).splitlines() if line.startswith("| info")]
    assert f"Python API: 0 breaking, 0 warning, {len(shown)} info." in text
    assert len(shown) < len(report.python)
    assert len([line for line in details(text).splitlines() if line.startswith("| info")]) == len(
        report.python
    )
    assert f"All {len(report.python)} rows" in text


R = "resources.feedback."


@pytest.mark.parametrize(
    ("symbol", "spelled", "kinds"),
    [
        (R + "FeedbackResource.create_or_update", R + "FeedbackResource.create_or_update", {"sync"}),
        (R + "AsyncFeedbackResourceWithRawResponse.m(x)", R + "FeedbackResource.m(x)", {"async", "raw"}),
        (R + "FeedbackResourceWithRawResponse", R + "FeedbackResource", {"sync", "raw"}),
        ("resources.AsyncResources.widgets", "resources.SyncResources.widgets", {"async"}),
        ("api.widgets.get_widget.asyncio_detailed", "api.widgets.get_widget", {"async", "raw"}),
        ("models.widget.Widget.label", "models.widget.Widget.label", set()),
    ],
)
def test_flavours_are_read_from_the_generated_names(symbol: str, spelled: str, kinds: set[str]) -> None:
    """Async and WithRawResponse classes, the Async/Sync resource holders and the `_detailed` functions are flavours."""
    assert flavour(symbol) == (spelled, frozenset(kinds))


def test_rows_that_differ_in_more_than_flavour_stay_apart() -> None:
    """Sync and async rows with different changes or causes are two rows, never merged."""
    sync = PyChange("info", "resources.t.TResource.m(a)", "", "int", "parameter added", "x")
    other = PyChange("breaking", "resources.t.AsyncTResource.m(a)", "", "str", "parameter added", "x")
    assert [(r.symbol, r.flavours) for r in group([sync, other])] == [
        ("client.t.m(a)", ("sync",)),
        ("client.t.m(a)", ("async",)),
    ]
