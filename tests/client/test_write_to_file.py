"""write_to_file takes the target's place only once the body is whole: an interrupted download leaves
what was there, and no scratch file; a device is written directly, a link's file is the one replaced."""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from raia_runtime.media import AsyncStreamedResponse, BinaryResponse, StreamedResponse

FLAVOURS = ["sync", "async"]


def chunks(*parts: bytes, fail: bool) -> tuple[Iterator[bytes], AsyncIterator[bytes]]:
    """The same body as a sync and an async iterator, raising ReadError after it when `fail`."""

    def sync() -> Iterator[bytes]:
        yield from parts
        if fail:
            raise httpx.ReadError("connection dropped")

    async def asynchronous() -> AsyncIterator[bytes]:
        for part in parts:
            yield part
        if fail:
            raise httpx.ReadError("connection dropped")

    return sync(), asynchronous()


async def write(flavour: str, target: Path, *parts: bytes, fail: bool = False) -> None:
    """Stream `parts` into `target` through the streamed response of `flavour`."""
    sync, asynchronous = chunks(*parts, fail=fail)
    response = httpx.Response(200)
    if flavour == "sync":
        StreamedResponse(response, lambda: sync, lambda: None).write_to_file(target)
    else:
        await AsyncStreamedResponse(response, lambda: asynchronous, lambda: None).write_to_file(target)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_an_interrupted_download_leaves_the_old_file_and_no_scratch_file(
    flavour: str, tmp_path: Path
) -> None:
    """A stream failing after some bytes raises, and the file holds what it held before, alone in its folder."""
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the whole old report")
    with pytest.raises(httpx.ReadError):
        await write(flavour, target, b"half of the ", b"new", fail=True)
    assert target.read_bytes() == b"the whole old report"
    assert sorted(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_whole_download_replaces_the_file_and_keeps_its_permissions(
    flavour: str, tmp_path: Path
) -> None:
    """The new bytes take the old file's place with the old file's mode, and no scratch file is left."""
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    target.chmod(0o640)
    await write(flavour, target, b"new ", b"report")
    assert target.read_bytes() == b"new report"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_new_file_gets_the_mode_the_umask_allows(flavour: str, tmp_path: Path) -> None:
    """A file that did not exist is created as open() would create it (0666 less the umask)."""
    target = tmp_path / "new.bin"
    umask = os.umask(0o022)
    try:
        await write(flavour, target, b"bytes")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_through_a_link_the_linked_file_is_replaced_and_the_link_kept(
    flavour: str, tmp_path: Path
) -> None:
    """Writing to a symlink updates the file it names; the link stays a link."""
    real = tmp_path / "real.bin"
    real.write_bytes(b"old")
    link = tmp_path / "link.bin"
    link.symlink_to(real)
    await write(flavour, link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_device_is_written_directly_not_replaced(flavour: str) -> None:
    """/dev/null takes the bytes and stays a character device."""
    await write(flavour, Path(os.devnull), b"discarded")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_binary_response_replaces_the_file_whole(tmp_path: Path) -> None:
    """BinaryResponse.write_to_file writes its content through the same replacement."""
    target = tmp_path / "image.png"
    target.write_bytes(b"old")
    BinaryResponse(httpx.Response(200), b"\x89PNG new").write_to_file(target)
    assert target.read_bytes() == b"\x89PNG new"
    assert sorted(tmp_path.iterdir()) == [target]
