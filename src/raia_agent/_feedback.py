"""`client.feedback`: the conversation-message-feedback operation, sync and async."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID

from ._options import NOT_GIVEN, NotGiven, TimeoutTypes
from ._response import RawResponse
from ._validation import build_body

if TYPE_CHECKING:
    from raia_agent_api.models import Feedback, FeedbackRequestVoteType

    from ._client import AsyncRaia, Raia

P = ParamSpec("P")
T = TypeVar("T")

_DOC = """Create the feedback of `user_id` on `conversation_message_id`, or update it if one exists.

        The pair (conversation message, user) identifies the feedback, so the call is idempotent:
        repeating it updates the same feedback, which is why failed attempts are retried safely.
        Arguments are checked against the spec before anything is sent (TypeError/ValueError
        naming the field). `timeout` and `max_retries` override the client's for this call.
        """


class FeedbackWithRawResponse:
    """`client.feedback.with_raw_response`: the same calls, returning a RawResponse."""

    def __init__(self, client: Raia) -> None:
        self._client = client

    def create_or_update(
        self,
        *,
        conversation_message_id: str | UUID,
        user_id: str | UUID,
        vote_type: FeedbackRequestVoteType,
        question: str,
        answer: str | None = None,
        comment: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> RawResponse[Feedback]:
        return self._client._request(build_body(locals()), timeout=timeout, max_retries=max_retries)

    create_or_update.__doc__ = _DOC


class AsyncFeedbackWithRawResponse:
    """`client.feedback.with_raw_response` of AsyncRaia."""

    def __init__(self, client: AsyncRaia) -> None:
        self._client = client

    async def create_or_update(
        self,
        *,
        conversation_message_id: str | UUID,
        user_id: str | UUID,
        vote_type: FeedbackRequestVoteType,
        question: str,
        answer: str | None = None,
        comment: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> RawResponse[Feedback]:
        return await self._client._request(build_body(locals()), timeout=timeout, max_retries=max_retries)

    create_or_update.__doc__ = _DOC


def _parsed(method: Callable[Concatenate[Any, P], RawResponse[T]]) -> Callable[Concatenate[Any, P], T]:
    @functools.wraps(method)
    def call(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return method(self.with_raw_response, *args, **kwargs).parsed

    return call


def _async_parsed(
    method: Callable[Concatenate[Any, P], Awaitable[RawResponse[T]]],
) -> Callable[Concatenate[Any, P], Awaitable[T]]:
    @functools.wraps(method)
    async def call(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return (await method(self.with_raw_response, *args, **kwargs)).parsed

    return call


class FeedbackResource:
    """`client.feedback`."""

    def __init__(self, client: Raia) -> None:
        self.with_raw_response = FeedbackWithRawResponse(client)

    create_or_update = _parsed(FeedbackWithRawResponse.create_or_update)


class AsyncFeedbackResource:
    """`client.feedback` of AsyncRaia."""

    def __init__(self, client: AsyncRaia) -> None:
        self.with_raw_response = AsyncFeedbackWithRawResponse(client)

    create_or_update = _async_parsed(AsyncFeedbackWithRawResponse.create_or_update)
