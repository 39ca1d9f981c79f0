"""The ASGI app: the feedback endpoint as the spec and the real API describe it."""

from __future__ import annotations

import json
import secrets
import uuid
from collections import Counter
from typing import Any

from raia_agent_api.resources._operations import AUTH_HEADERS
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as OP
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._schema import Validator
from ._store import FeedbackStore

FORBIDDEN = {"status": 403, "name": "FORBIDDEN_ERROR", "message": "INVALID_CREDENTIALS", "details": []}


def new_request_id() -> str:
    return str(uuid.uuid4())


def bad_request(messages: list[str]) -> JSONResponse:
    # NestJS's ValidationPipe shape.
    return JSONResponse({"statusCode": 400, "message": messages, "error": "Bad Request"}, status_code=400)


class RequestIdMiddleware:
    """Gives every response an x-request-id, as the real API's gateway does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", new_request_id().encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)


def build_app(
    store: FeedbackStore, secret_key: str, counter: dict[str, int], upserts: Counter[tuple[str, str]]
) -> Starlette:
    op = OP
    assert OP.body_schema is not None
    validator = Validator(OP.body_schema)
    key_header = AUTH_HEADERS[0]

    async def create_or_update(request: Request) -> Response:
        counter["requests"] += 1
        given = request.headers.get(key_header, "")
        if not secrets.compare_digest(given.encode(), secret_key.encode()):
            return JSONResponse(FORBIDDEN, status_code=403)
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return bad_request([f"Unexpected token in JSON: {exc.msg if hasattr(exc, 'msg') else exc}"])
        problems = validator.problems(body)
        if problems:
            return bad_request([str(p) for p in problems])
        upserts[(body["conversationMessageId"].lower(), body["userId"].lower())] += 1
        return JSONResponse(store.upsert(body), status_code=201)

    return Starlette(routes=[Route(op.path, create_or_update, methods=[op.method])])
