"""The values a generated method's arguments take besides the spec's: NOT_GIVEN for "left out", the
call options' types, and the file argument's."""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import IO, TYPE_CHECKING, Any, Final, TypeAlias

import httpx

if TYPE_CHECKING:
    # PEP 702, so `mypy --enable-error-code deprecated` flags the calls
    from typing_extensions import deprecated as deprecated
else:

    def deprecated(message: str, /) -> Any:
        """At run time only a marker: the generated method itself warns, once per call site."""

        def mark(function: Any) -> Any:
            function.__deprecated__ = message
            return function

        return mark


class NotGiven:
    """Marks an argument left out, where None means "no timeout"."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
TimeoutTypes = float | httpx.Timeout | None
Headers = Mapping[str, str]
"""extra_headers: sent with the call, checked like default_headers; never the key's header."""
Query = Mapping[str, object]
"""extra_query: query parameters the spec does not document (str, number, bool or a list of them)."""
Body = Mapping[str, object]
"""extra_body: fields added to a JSON object body, after the documented arguments are checked."""


FileContent: TypeAlias = bytes | IO[bytes] | PathLike[str]
"""A file's bytes: bytes, a file opened in binary mode, or a path (pathlib.Path) to read."""
FileTypes: TypeAlias = (
    FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str | None]
)
"""A file argument: its content, or (filename, content) or (filename, content, content_type)."""
