"""The spec changes of the seven compatible vendor updates of issue 19 (compatible.py uses them)."""

from __future__ import annotations

from typing import Any

from tests.support.vendor_updates.updates import BODY, COLLECTION, CONTROLLER, REPLY, _ok

TAG = "Conversation Message Feedbacks"
NOT_FOUND = "ExternalApiNotFoundErrorDTO"
METADATA = "ExternalApiConversationMessageFeedbackMetadataDTO"


def _not_found(spec: dict[str, Any]) -> dict[str, Any]:
    spec["components"]["schemas"][NOT_FOUND] = {
        "type": "object",
        "properties": {"statusCode": {"type": "number"}, "message": {"type": "string"}},
        "required": ["statusCode", "message"],
    }
    return {"description": "Not found.", **_ok(NOT_FOUND)}


def _uuid_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}


def nested_metadata(spec: dict[str, Any]) -> None:
    """An optional nested object in the request, as NestJS writes it, echoed as a required nullable field."""
    schemas = spec["components"]["schemas"]
    schemas[METADATA] = {
        "type": "object",
        "properties": {
            "source": {"type": "string", "description": "Where the feedback came from."},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["source"],
    }
    ref = {"allOf": [{"$ref": f"#/components/schemas/{METADATA}"}], "description": "Free metadata."}
    schemas[BODY]["properties"]["metadata"] = ref
    schemas[REPLY]["properties"]["metadata"] = {**ref, "nullable": True}
    schemas[REPLY]["required"].append("metadata")


def list_with_created_at(spec: dict[str, Any]) -> None:
    """A new list operation whose items carry `createdAt` as a date-time."""
    item = "ExternalApiConversationMessageFeedbackListItemDTO"
    spec["components"]["schemas"][item] = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "voteType": {"type": "string", "enum": ["up", "down"]},
            "createdAt": {"type": "string", "format": "date-time", "description": "Created at."},
        },
        "required": ["id", "voteType", "createdAt"],
    }
    spec["components"]["schemas"]["ExternalApiConversationMessageFeedbackListDTO"] = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "total": {"type": "integer", "minimum": 0},
        },
        "required": ["items", "total"],
    }
    spec["paths"][COLLECTION]["get"] = {
        "summary": "List conversation message feedbacks",
        "operationId": CONTROLLER + "listFeedbacks",
        "parameters": [],
        "responses": {"200": _ok("ExternalApiConversationMessageFeedbackListDTO")},
        "tags": [TAG],
    }


AGENTS = "/external/agents/{agentId}"


def new_path_with_overlay_fix(spec: dict[str, Any]) -> None:
    """A new path with a vendor bug (`agentId` declared an object); an overlay action fixes it."""
    spec["components"]["schemas"]["ExternalApiAgentDTO"] = {
        "type": "object",
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}},
        "required": ["id", "name"],
    }
    param = {"name": "agentId", "in": "path", "required": True, "schema": {"type": "object"}}
    spec["paths"][AGENTS] = {
        "get": {
            "summary": "Get an agent",
            "operationId": "ExternalApiAgentsController_getAgent",
            "parameters": [param],
            "responses": {"200": _ok("ExternalApiAgentDTO"), "404": _not_found(spec)},
            "tags": ["Agents"],
        }
    }


AGENT_ID_FIX = {
    "target": f"$.paths['{AGENTS}'].get.parameters[0].schema",
    "description": "The vendor declares the agent id an object; every real one is a uuid string.",
    "update": {"type": "string", "format": "uuid"},
}


def item_operations(spec: dict[str, Any]) -> None:
    """GET, PATCH and DELETE on one feedback, each with a documented 404."""
    patch = "ExternalApiUpdateConversationMessageFeedbackBodyDTO"
    spec["components"]["schemas"][patch] = {
        "type": "object",
        "properties": {
            "voteType": {"type": "string", "enum": ["up", "down"]},
            "comment": {"type": "string", "maxLength": 1000},
        },
    }
    missing = _not_found(spec)
    common = {"parameters": [_uuid_param("id")], "tags": [TAG]}
    spec["paths"][COLLECTION + "/{id}"] = {
        "get": {
            **common,
            "operationId": CONTROLLER + "getFeedback",
            "responses": {"200": _ok(REPLY), "404": missing},
        },
        "patch": {
            **common,
            "operationId": CONTROLLER + "updateFeedback",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{patch}"}}},
            },
            "responses": {"200": _ok(REPLY), "404": missing},
        },
        "delete": {
            **common,
            "operationId": CONTROLLER + "deleteFeedback",
            "responses": {"204": {"description": "Deleted."}, "404": missing},
        },
    }


def idempotency_key(spec: dict[str, Any]) -> None:
    """An optional `Idempotency-Key` header (at most 255 characters) on the create."""
    header = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Repeats with the same key do the create once.",
        "schema": {"type": "string", "maxLength": 255},
    }
    spec["paths"][COLLECTION]["post"]["parameters"].append(header)


def other_tag_collection(spec: dict[str, Any]) -> None:
    """A collection under another tag: a conversation's messages, with a documented 404."""
    message = "ExternalApiConversationMessageDTO"
    spec["components"]["schemas"][message] = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "role": {"type": "string", "enum": ["user", "assistant"]},
            "content": {"type": "string"},
        },
        "required": ["id", "role", "content"],
    }
    spec["paths"]["/external/conversations/{conversationId}/messages"] = {
        "get": {
            "summary": "List a conversation's messages",
            "operationId": "ExternalApiConversationsController_listMessages",
            "parameters": [
                _uuid_param("conversationId"),
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1},
                },
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"$ref": f"#/components/schemas/{message}"}}
                        }
                    },
                },
                "404": _not_found(spec),
            },
            "tags": ["Conversations"],
        }
    }


def deprecated_and_enum(spec: dict[str, Any]) -> None:
    """A new vote type in request and reply, and the `answer` field marked deprecated."""
    for name in (BODY, REPLY):
        properties = spec["components"]["schemas"][name]["properties"]
        properties["voteType"]["enum"].append("neutral")
        properties["answer"]["deprecated"] = True
