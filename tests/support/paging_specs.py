"""Vendor-like list operations for the pagination tests, each a change to the frozen base spec.

`offset`: limit/offset and `{items, total}` (the list_with_query vendor update). `cursor`: limit/cursor
and `{items, nextCursor}`; `inline`: the cursor list with its page schema written inline in the
response instead of as a component. All add a second list, `GET .../search` answering `{results, lastId}`
to an `after_id` parameter, which the rule does not recognise: `DECLARED` declares it.
"""

from __future__ import annotations

from typing import Any

from tests.support.vendor_updates.updates import COLLECTION, REPLY, list_with_query

LIST = "ExternalApiListConversationMessageFeedbacksResponseDTO"
SEARCH = COLLECTION + "/search"
DECLARED = {f"GET {SEARCH}": {"style": "cursor", "items": "results", "param": "after_id", "field": "lastId"}}


def _with_search(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ExternalApiSearchFeedbacksResponseDTO"] = {
        "type": "object",
        "properties": {
            "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{REPLY}"}},
            "lastId": {"type": "string", "nullable": True},
        },
        "required": ["results"],
    }
    operation = dict(spec["paths"][COLLECTION]["get"])
    operation["operationId"] = "ExternalApiConversationMessageFeedbacksController_searchFeedbacks"
    operation["parameters"] = [
        {"name": "after_id", "in": "query", "required": False, "schema": {"type": "string"}}
    ]
    operation["responses"] = {
        "200": {
            "description": "OK",
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/ExternalApiSearchFeedbacksResponseDTO"}
                }
            },
        }
    }
    spec["paths"][SEARCH] = {"get": operation}


def offset_list(spec: dict[str, Any]) -> None:
    list_with_query(spec)
    _with_search(spec)


def cursor_list(spec: dict[str, Any]) -> None:
    list_with_query(spec)
    get = spec["paths"][COLLECTION]["get"]
    get["parameters"] = [
        {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}}
        if p["name"] == "offset"
        else p
        for p in get["parameters"]
    ]
    spec["components"]["schemas"][LIST]["properties"] = {
        "items": spec["components"]["schemas"][LIST]["properties"]["items"],
        "nextCursor": {"type": "string", "nullable": True},
    }
    spec["components"]["schemas"][LIST]["required"] = ["items"]
    _with_search(spec)


def inline_list(spec: dict[str, Any]) -> None:
    cursor_list(spec)
    page = spec["components"]["schemas"].pop(LIST)
    content = spec["paths"][COLLECTION]["get"]["responses"]["200"]["content"]
    content["application/json"]["schema"] = page
