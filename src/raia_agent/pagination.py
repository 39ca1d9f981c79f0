"""The pages a paginated list method returns, for annotations: `from raia_agent.pagination import SyncPage`.

A list operation pages when the spec shows a cursor (or offset and total) shape, or generator.yaml
declares one. `client.x.list(...)` then returns a SyncPage, and `AsyncRaia().x.list(...)` an
AsyncPaginator: `await` it for the first AsyncPage, or `async for` over every item. A walk that a
server would keep going round (a cursor repeated) stops with a PaginationWarning.
"""

from raia_runtime import AsyncPage, AsyncPaginator, NoNextPageError, PaginationWarning, SyncPage

__all__ = ["AsyncPage", "AsyncPaginator", "NoNextPageError", "PaginationWarning", "SyncPage"]
