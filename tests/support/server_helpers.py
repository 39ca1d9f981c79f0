"""Helpers for the local-server tests: frozen fixture specs and what they say about themselves."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema_rs

SPECS = Path(__file__).resolve().parents[1] / "specs" / "server"
MESSAGE_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
USER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
# The create call's keyword arguments, the ones request_body() carries on the wire; read-only, so
# a test that wants others says so with {**CREATE_ARGS, ...}.
CREATE_ARGS: Mapping[str, Any] = MappingProxyType(
    {"conversation_message_id": MESSAGE_ID, "user_id": USER_ID, "vote_type": "up", "question": "Q"}
)


@cache
def _load(name: str) -> str:
    return (SPECS / f"{name}.json").read_text()


def spec(name: str) -> dict[str, Any]:
    """A fresh copy of a frozen spec under tests/specs/server/."""
    loaded: dict[str, Any] = json.loads(_load(name))
    return loaded


def auth_header(document: dict[str, Any]) -> str:
    """The header of the spec's (only) apiKey security scheme."""
    (scheme,) = document["components"]["securitySchemes"].values()
    name: str = scheme["name"]
    return name


def create_path(document: dict[str, Any]) -> str:
    """The path of the POST whose body has the required uuid fields: the create-or-update."""
    return next(path for path, item in document["paths"].items() if "post" in item and "{" not in path)


def request_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "conversationMessageId": MESSAGE_ID,
        "userId": USER_ID,
        "voteType": "up",
        "question": "How do I reset my password?",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def _nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def response_schema_problems(
    document: dict[str, Any], path: str, method: str, status: int, body: Any
) -> list[str]:
    """What is wrong with `body` as the documented response, checked by an independent validator."""
    media = document["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    root = {**_nullable(media["schema"]), "components": _nullable(document["components"])}
    validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
    return [error.message for error in validator.iter_errors(body)]


def read_until_closed(sock: socket.socket, timeout: float = 10.0) -> bytes:
    """Everything the server sends until it closes the connection (or `timeout` passes quietly)."""
    sock.settimeout(timeout)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return received


class LogCapture(logging.Handler):
    """Records from the server's loggers, whatever uvicorn did to their propagation."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record not in self.records:
            self.records.append(record)

    def __enter__(self) -> LogCapture:
        for name in ("", "uvicorn", "uvicorn.error"):
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in ("", "uvicorn", "uvicorn.error"):
            logging.getLogger(name).removeHandler(self)

    def lines(self) -> list[str]:
        """Every line these records print, tracebacks included."""
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        return [line for record in self.records for line in formatter.format(record).splitlines()]
