"""Answers that are not JSON: a binary download, a text body, an event stream sent event by event.

Which replies these are is raia_spec's media rule (the one the generator and the client follow).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from starlette.types import Send

from ._instances import instance
from ._routes import Operation
from ._shapes import Answer, Handler
from ._store import DocumentStore

EVENTS = 3
"""Events in each streamed answer."""
EVENT_GAP = 0.05
"""Seconds between two events, so a client's loop sees them arrive one at a time."""
# Just enough of each format for a viewer to know it: a PDF header and trailer, a PNG signature.
_MAGIC = {"application/pdf": (b"%PDF-1.4\n", b"\n%%EOF\n"), "image/png": (b"\x89PNG\r\n\x1a\n", b"")}


@dataclass(frozen=True)
class Body:
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Events:
    chunks: tuple[bytes, ...]


def handler(op: Operation, store: DocumentStore | None = None) -> Handler | None:
    """The answer of an operation whose success is binary, text or events; None for JSON.

    A binary download whose path names the id an upload answered returns that upload's bytes."""
    found = op.media.get(op.success)
    if found is None:
        return None
    media, kind, schema, example = found
    if kind == "binary":

        def binary(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
            for value in path.values():
                stored = store.file(value) if store is not None else None
                if stored is not None:
                    return op.success, Body(stored.content_type or media, stored.content)
            head, tail = _MAGIC.get(media.split(";")[0].strip().lower(), (b"", b""))
            seed = "/".join(f"{k}={v}" for k, v in sorted(path.items())).encode()
            filler = b"".join(hashlib.sha256(seed + bytes([n])).digest() for n in range(8))
            return op.success, Body(media, head + filler + tail)

        return binary
    if kind == "text":
        text = example if isinstance(example, str) else None
        if text is None and schema is not None:
            built = instance(schema)
            text = built if isinstance(built, str) else None
        encoded = (text or "A summary from the local server.").encode()

        def plain(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
            return op.success, Body(f"{media.split(';')[0]}; charset=utf-8", encoded)

        return plain

    def stream(path: dict[str, str], query: dict[str, Any], body: Any) -> Answer:
        chunks = []
        for n in range(1, EVENTS + 1):
            data = json.dumps(instance(schema), separators=(",", ":")) if schema is not None else f"event {n}"
            lines = "".join(f"data: {line}\n" for line in data.split("\n"))
            chunks.append(f"id: {n}\n{lines}\n".encode())
        return op.success, Events(tuple(chunks))

    return stream


async def send_answer(send: Send, status: int, answer: Body | Events) -> None:
    if isinstance(answer, Body):
        headers = [
            (b"content-type", answer.content_type.encode()),
            (b"content-length", str(len(answer.content)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.content})
        return
    headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    try:
        for n, chunk in enumerate(answer.chunks):
            if n:
                await asyncio.sleep(EVENT_GAP)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    except OSError:
        return  # the client left mid-stream (it broke out of its loop): nothing more to send
