"""Pages of a list operation that iterate across pages: the generated methods return them.

A paginated method returns a SyncPage (the first page, fetched) or an AsyncPaginator (await it for
the first page, or `async for` over every item). Iterating a page yields its items, then fetches the
next page with the same arguments and options, changing only the cursor (or the offset), and so on
until the server says there is no more. A failed page raises the client's typed errors.

A walk ends too where a server would keep it going for ever: an empty page, a cursor the walk has
already used (a -> b -> a: a PaginationWarning, then the walk stops), an offset past the total.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any, Generic, TypeVar

from raia_runtime.operations import Operation, Pagination
from raia_runtime.protocol import AsyncClient, SyncClient
from raia_runtime.responses import RawResponse

T = TypeVar("T")


class NoNextPageError(LookupError):
    """next_page() on the last page; has_next_page() says so beforehand."""


class PaginationWarning(RuntimeWarning):
    """The server sent a cursor this walk had already used: the walk stopped instead of looping."""


class _Walk:
    """What the pages of one walk share: each cursor sent, with the number of the page it fetched."""

    __slots__ = ("cursors",)

    def __init__(self) -> None:
        self.cursors: dict[str, int] = {}


class _Page(Generic[T]):
    """What both flavours share: the items, and the arguments of the next page (None: this is the last)."""

    def __init__(
        self,
        operation: Operation[Any],
        args: dict[str, Any],
        options: dict[str, Any],
        raw: RawResponse[Any],
        walk: tuple[_Walk, int] | None = None,
    ) -> None:
        pagination = operation.pagination
        assert pagination is not None  # the generator passes only paginated operations
        self._operation, self._args, self._options = operation, args, options
        self._pagination: Pagination = pagination
        self.raw_response = raw
        self.response: Any = raw.parsed
        """The parsed page, every documented field included (for example its total)."""
        items = pagination.items(raw.parsed)
        self.items: list[T] = list(items) if isinstance(items, list) else []
        self._walk, self._number = walk or (_Walk(), 1)
        cursor = args.get(pagination.param)
        if pagination.style == "cursor" and isinstance(cursor, str):
            self._walk.cursors.setdefault(cursor, self._number)
        self._next: dict[str, Any] | None = None
        self._decided = False

    @property
    def _request_id(self) -> str | None:
        """The x-request-id of the response this page came from, as on a model a call returns."""
        return self.raw_response.request_id

    def _next_args(self) -> dict[str, Any] | None:
        if not self._decided:  # worked out once, so a repeated cursor warns once
            self._next, self._decided = self._following(), True
        return self._next

    def _following(self) -> dict[str, Any] | None:
        pagination = self._pagination
        value = pagination.field(self.response)
        if not self.items:  # an empty page ends the walk, whatever it says: no endless loop
            return None
        if pagination.style == "cursor":
            if not isinstance(value, str) or not value:
                return None
            used = self._walk.cursors.get(value)
            if used is not None and used <= self._number:
                # The cursor text is the server's: left out of the message, which names pages only.
                warnings.warn(
                    f"{self._operation.name}: page {self._number} names as the next cursor the one "
                    f"that fetched page {used}; the walk stops here instead of looping",
                    PaginationWarning,
                    stacklevel=4,
                )
                return None
            return {**self._args, pagination.param: value}
        offset = self._args.get(pagination.param) or 0
        following = offset + len(self.items)
        if isinstance(value, bool) or not isinstance(value, int | float) or following >= value:
            return None
        return {**self._args, pagination.param: following}

    def has_next_page(self) -> bool:
        """Whether the server says another page follows this one."""
        return self._next_args() is not None

    def _step(self) -> tuple[_Walk, int]:
        """The walk the next page belongs to, and its number in it."""
        return self._walk, self._number + 1

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._operation.name}: {len(self.items)} items>"


class SyncPage(_Page[T]):
    """One page of a list call; `for item in page` walks this page and every following one."""

    def __init__(
        self,
        client: SyncClient,
        operation: Operation[Any],
        args: dict[str, Any],
        options: dict[str, Any],
        raw: RawResponse[Any] | None = None,
        walk: tuple[_Walk, int] | None = None,
    ) -> None:
        self._client = client
        if raw is None:
            raw = client._request(operation, args, **options)
        super().__init__(operation, args, options, raw, walk)

    def next_page(self) -> SyncPage[T]:
        """Fetch the page after this one (same arguments and options); NoNextPageError when none follows."""
        args = self._next_args()
        if args is None:
            raise NoNextPageError(f"{self._operation.name}: no page follows this one")
        return SyncPage(self._client, self._operation, args, self._options, walk=self._step())

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """This page, then each following page, fetched as the loop reaches it."""
        page: SyncPage[T] | None = self
        while page is not None:
            yield page
            page = page.next_page() if page.has_next_page() else None

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items


class AsyncPage(_Page[T]):
    """One page of an async list call; `async for item in page` walks this page and every following one."""

    def __init__(
        self,
        client: AsyncClient,
        operation: Operation[Any],
        args: dict[str, Any],
        options: dict[str, Any],
        raw: RawResponse[Any],
        walk: tuple[_Walk, int] | None = None,
    ) -> None:
        self._client = client
        super().__init__(operation, args, options, raw, walk)

    async def next_page(self) -> AsyncPage[T]:
        """Fetch the page after this one (same arguments and options); NoNextPageError when none follows."""
        args = self._next_args()
        if args is None:
            raise NoNextPageError(f"{self._operation.name}: no page follows this one")
        return await AsyncPaginator[T](self._client, self._operation, args, self._options, self._step())

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """This page, then each following page, fetched as the loop reaches it."""
        page: AsyncPage[T] | None = self
        while page is not None:
            yield page
            page = await page.next_page() if page.has_next_page() else None

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item


class AsyncPaginator(Generic[T]):
    """What an async list call returns: `await` it for the first page, or `async for` over every item."""

    def __init__(
        self,
        client: AsyncClient,
        operation: Operation[Any],
        args: dict[str, Any],
        options: dict[str, Any],
        walk: tuple[_Walk, int] | None = None,
    ) -> None:
        self._client, self._operation, self._args, self._options = client, operation, args, options
        self._walk = walk

    async def _first(self) -> AsyncPage[T]:
        raw = await self._client._request(self._operation, self._args, **self._options)
        return AsyncPage(self._client, self._operation, self._args, self._options, raw, self._walk)

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self._first()
        async for item in page:
            yield item
