"""The Server-Sent Events parser follows the HTML standard's rules, however the bytes are cut into chunks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raia_agent import _streaming
from raia_agent._streaming import _LINES as LINES
from raia_agent._streaming import Parser

STREAM = (
    "\ufeff: a comment\r\n"
    "event: delta\r\nid: 1\r\ndata: first line\r\ndata:second line\r\n\r\n"
    "retry: 2500\rdata: caf\u00e9\r\r"
    "id\nevent: done\ndata\n\n"
    "data: unfinished"
).encode()
EXPECTED = [
    ("delta", "first line\nsecond line", "1", None),
    ("message", "caf\u00e9", "1", 2500),
    ("done", "", None, 2500),
]


def parse(chunks: list[bytes]) -> list[tuple[str, str, str | None, int | None]]:
    parser = Parser()
    events = [event for chunk in chunks for event in parser.feed(chunk)]
    return events + parser.feed(b"", final=True)


def test_a_stream_in_one_chunk_gives_the_standards_events() -> None:
    """BOM and comment ignored, multi-line data joined, CR/LF/CRLF ends, id kept, an unfinished event dropped."""
    assert parse([STREAM]) == EXPECTED


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_cut_into_chunks_gives_the_same_events(cuts: list[int]) -> None:
    """Cut anywhere (inside a CRLF, a UTF-8 character, the BOM), the stream gives the same events."""
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert parse(chunks) == EXPECTED


def test_byte_by_byte_gives_the_same_events() -> None:
    """One byte at a time is the most awkward cut of all."""
    assert parse([STREAM[i : i + 1] for i in range(len(STREAM))]) == EXPECTED


def test_an_event_with_no_data_is_not_dispatched() -> None:
    """An event name and id without a data line dispatch nothing, but the id is kept for the next event."""
    assert parse([b"event: x\nid: 9\n\ndata: y\n\n"]) == [("message", "y", "9", None)]


@pytest.mark.parametrize("body", [b"data: " + b"x" * 200 + b"\n", b"x" * 200], ids=["data", "line"])
def test_an_event_past_the_bound_is_refused_before_it_fills_memory(body: bytes) -> None:
    """Data or a line longer than the parser's bound raises instead of growing without end."""
    parser = Parser(max_bytes=100)
    with pytest.raises(OverflowError):
        for start in range(0, len(body), 10):
            parser.feed(body[start : start + 10])


def test_only_the_first_bom_is_dropped() -> None:
    """A BOM opens the stream at most once; one inside data is data."""
    assert parse([b"\xef\xbb\xbfdata: \xef\xbb\xbfx\n\n"]) == [("message", "\ufeffx", None, None)]


def test_an_endless_line_in_small_chunks_is_split_once_not_once_per_chunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A line with no end, sent in small chunks, costs the parser work linear in its length, up to the bound."""
    scanned = []

    class Counting:
        def split(self, text: str) -> list[str]:
            scanned.append(len(text))
            return LINES.split(text)

    monkeypatch.setattr(_streaming, "_LINES", Counting())
    parser, chunk = Parser(max_bytes=100_000), b"x" * 100
    with pytest.raises(OverflowError):
        for _ in range(2000):
            parser.feed(chunk)
    assert sum(scanned) <= 2 * 100_000


@pytest.mark.parametrize("digits", [19, 5000, 100_000])
def test_a_retry_too_long_to_be_a_reconnection_time_is_ignored_not_a_bare_valueerror(digits: int) -> None:
    """A retry of more digits than any reconnection time is ignored, as a retry that is no number is."""
    body = b"retry: 7\n\nretry: " + b"9" * digits + b"\ndata: x\n\n"
    assert parse([body]) == [("message", "x", None, 7)]
