"""What the generated resources need from a client: the protocol `raia_agent.Raia` and `AsyncRaia`
implement. The generated package cannot import the hand-written one (layers point one way), so the
contract between the two lives here."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Protocol, TypeVar

from raia_runtime.arguments import Body, Headers, NotGiven, Query, TimeoutTypes
from raia_runtime.media import AsyncStream, AsyncStreamedResponse, Stream, StreamedResponse
from raia_runtime.operations import Operation
from raia_runtime.responses import RawResponse

T = TypeVar("T")


class SyncClient(Protocol):
    def _request(
        self,
        operation: Operation[T],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RawResponse[T]: ...

    def _events(
        self,
        operation: Operation[Any],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RawResponse[Stream[Any]]: ...

    def _stream(
        self,
        operation: Operation[Any],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> AbstractContextManager[StreamedResponse[Any]]: ...


class AsyncClient(Protocol):
    async def _request(
        self,
        operation: Operation[T],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RawResponse[T]: ...

    async def _events(
        self,
        operation: Operation[Any],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RawResponse[AsyncStream[Any]]: ...

    def _stream(
        self,
        operation: Operation[Any],
        args: dict[str, Any],
        *,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> AbstractAsyncContextManager[AsyncStreamedResponse[Any]]: ...
