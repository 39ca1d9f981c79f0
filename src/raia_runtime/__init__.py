"""What generated code needs at run time, written by hand: the types of call arguments and options
(`arguments`), operation descriptions and the index that loads them (`operations`), raw responses
(`responses`), the protocol a client implements (`protocol`), non-JSON replies (`media`), pages
(`pages`) and the pagination rule (`paging`).

The generated package (raia_agent_api) imports it, as the hand-written client (raia_agent) does;
it imports neither of them, nor anything else of this project's.
"""

from raia_runtime.arguments import (
    NOT_GIVEN,
    Body,
    FileContent,
    FileTypes,
    Headers,
    NotGiven,
    Query,
    TimeoutTypes,
    deprecated,
)
from raia_runtime.media import (
    AsyncStream,
    AsyncStreamedResponse,
    BinaryResponse,
    ServerSentEvent,
    Stream,
    StreamedResponse,
)
from raia_runtime.operations import (
    Credential,
    Operation,
    OperationIndex,
    Pagination,
    Param,
    Reply,
    RequestMedia,
    ResponseHeader,
    ServerVariable,
    forget_resources,
    load_resource,
)
from raia_runtime.pages import AsyncPage, AsyncPaginator, NoNextPageError, PaginationWarning, SyncPage
from raia_runtime.protocol import AsyncClient, SyncClient
from raia_runtime.responses import RawResponse, RawResponseWithHeaders

__all__ = [
    "NOT_GIVEN",
    "AsyncClient",
    "AsyncPage",
    "AsyncPaginator",
    "AsyncStream",
    "AsyncStreamedResponse",
    "BinaryResponse",
    "Body",
    "Credential",
    "FileContent",
    "FileTypes",
    "Headers",
    "NoNextPageError",
    "NotGiven",
    "Operation",
    "OperationIndex",
    "Pagination",
    "PaginationWarning",
    "Param",
    "Query",
    "RawResponse",
    "RawResponseWithHeaders",
    "Reply",
    "RequestMedia",
    "ResponseHeader",
    "ServerSentEvent",
    "ServerVariable",
    "Stream",
    "StreamedResponse",
    "SyncClient",
    "SyncPage",
    "TimeoutTypes",
    "deprecated",
    "forget_resources",
    "load_resource",
]
