"""Read the vendor's spec from an http(s) URL, a file:// URL or a path, within a size and a time bound.

The bytes are returned as they came: the caller writes them verbatim once the guard accepts them.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

MAX_REDIRECTS = 5


class FetchFailed(Exception):
    """The spec could not be read; str() is one line saying why."""


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FetchFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise FetchFailed(f"{path} is larger than {max_bytes} bytes")
    return data


def _read_http(url: str, max_bytes: int, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    # identity: a compressed body could expand far past the bound inside one decoded chunk
    headers = {"Accept-Encoding": "identity", "Accept": "application/json"}
    try:
        with (
            httpx.Client(timeout=seconds, follow_redirects=True, max_redirects=MAX_REDIRECTS) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise FetchFailed(f"the server answered HTTP {response.status_code}, not 200")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchFailed(f"the spec is larger than {max_bytes} bytes ({declared} declared)")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed(f"the spec is larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"the download took longer than {seconds:g} s")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        # the exception's text can quote the URL's query string: name only its kind
        raise FetchFailed(f"the download failed ({type(exc).__name__})") from None
    return b"".join(chunks)


def fetch(source: str, max_bytes: int, seconds: float) -> bytes:
    """The spec's bytes from an http(s) URL, a file:// URL or a local path."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https"):
        if not parts.hostname:
            raise FetchFailed("the URL names no host")
        return _read_http(source, max_bytes, seconds)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise FetchFailed("a file:// URL must name a local file (file:///path)")
        return _read_file(Path(unquote(parts.path)), max_bytes)
    # a Windows drive letter parses as a one-letter scheme; anything longer is a URL we do not read
    if parts.scheme and len(parts.scheme) > 1:
        raise FetchFailed(f"unsupported URL scheme {parts.scheme!r}: use http(s)://, file:// or a path")
    return _read_file(Path(source), max_bytes)
