"""Read the vendor's spec from an http(s) URL, a file:// URL or a path, within a size and a time bound.

The bytes are returned as they came: the caller writes them verbatim once the guard accepts them.
The time bound covers the whole download (connecting, every header byte, the body), not each read:
a server that sends one byte every few seconds is cut off at the deadline all the same.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

MAX_REDIRECTS = 5
# Control characters, and whitespace in a URL: urllib silently drops a newline from a URL, so the
# document fetched would not be the one named.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FetchFailed(Exception):
    """The spec could not be read; str() is one line saying why."""


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FetchFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    # checked on the opened file, so it cannot be swapped between the check and the read
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FetchFailed(f"{path} is not a regular file (a FIFO, device or folder is never read)")
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise FetchFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise FetchFailed(f"{path} is larger than {max_bytes} bytes")
    return data


async def _download(url: str, max_bytes: int, seconds: float) -> bytes:
    # identity only: a compressed body can expand past any bound inside one decoded chunk
    headers = {"Accept-Encoding": "identity", "Accept": "application/json"}
    async with (
        httpx.AsyncClient(timeout=seconds, follow_redirects=True, max_redirects=MAX_REDIRECTS) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        if response.status_code != 200:
            raise FetchFailed(f"the server answered HTTP {response.status_code}, not 200")
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise FetchFailed(
                f"the server sent Content-Encoding {encoding[:40]!r}; only an uncompressed body is read"
            )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchFailed(f"the spec is larger than {max_bytes} bytes ({declared} declared)")
        chunks: list[bytes] = []
        size = 0
        # raw bytes: nothing is decoded, so what is counted is what is kept
        async for chunk in response.aiter_raw():
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed(f"the spec is larger than {max_bytes} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


async def _bounded(url: str, max_bytes: int, seconds: float) -> bytes:
    try:
        async with asyncio.timeout(seconds):
            return await _download(url, max_bytes, seconds)
    except TimeoutError:
        raise FetchFailed(f"the download took longer than {seconds:g} s (headers included)") from None


def _read_http(url: str, max_bytes: int, seconds: float) -> bytes:
    try:
        return asyncio.run(_bounded(url, max_bytes, seconds))
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        # the exception's text can quote the URL's query string: name only its kind
        raise FetchFailed(f"the download failed ({type(exc).__name__})") from None


def fetch(source: str, max_bytes: int, seconds: float) -> bytes:
    """The spec's bytes from an http(s) URL, a file:// URL or a local path."""
    bad = CONTROL.search(source)
    if bad:
        raise FetchFailed(f"the spec's URL or path holds a control character at position {bad.start()}")
    try:
        parts = urlsplit(source)
        host, _port = parts.hostname, parts.port  # both parse lazily and raise on a malformed host
    except ValueError as exc:
        raise FetchFailed(f"malformed URL: {str(exc)[:80]}") from None
    if parts.scheme in ("http", "https"):
        if not host:
            raise FetchFailed("the URL names no host")
        if any(char.isspace() for char in source):
            raise FetchFailed("the URL holds whitespace: write a space as %20")
        return _read_http(source, max_bytes, seconds)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise FetchFailed("a file:// URL must name a local file (file:///path)")
        return _read_file(Path(unquote(parts.path)), max_bytes)
    # a Windows drive letter parses as a one-letter scheme; anything longer is a URL we do not read
    if parts.scheme and len(parts.scheme) > 1:
        raise FetchFailed(f"unsupported URL scheme {parts.scheme!r}: use http(s)://, file:// or a path")
    return _read_file(Path(source), max_bytes)
