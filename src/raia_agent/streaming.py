"""What calls return for replies that are not JSON: downloads, streamed responses and Server-Sent Events."""

from raia_runtime import (
    AsyncStream,
    AsyncStreamedResponse,
    BinaryResponse,
    ServerSentEvent,
    Stream,
    StreamedResponse,
)

__all__ = [
    "AsyncStream",
    "AsyncStreamedResponse",
    "BinaryResponse",
    "ServerSentEvent",
    "Stream",
    "StreamedResponse",
]
