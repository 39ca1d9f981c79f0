"""make diff's markdown shows spec text as text: no image, link, HTML or control character from the spec."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.support.frozen import RESPONSE, diff, frozen_spec, write_spec
from tools import markdown as _escape

PIXEL = "\r\r![pixel](https://attacker.example/t.png) <!--"
IMG = '<img src="https://attacker.example/i.png">'
APPROVE = "[Approve](https://attacker.example/approve)"
# GitHub renders raw HTML in markdown; a parser with HTML on shows what would get through.
GITHUB_LIKE = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def hostile_doc() -> dict[str, object]:
    doc = frozen_spec()
    schema = doc["components"]["schemas"][RESPONSE]
    schema["properties"][PIXEL] = {"type": "string", "description": IMG}
    schema["properties"]["comment"]["description"] = f"{APPROVE} {IMG} @octocat $x$"
    return doc


OWN_HTML = re.compile(r"(<details><summary>All \d+ rows, one per symbol and flavour</summary>|</details>)\n?")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(markdown, JSON) of make diff from the frozen spec to one with hostile names and descriptions."""
    tmp = tmp_path_factory.mktemp("report")
    spec = write_spec(tmp / "openapi.json", hostile_doc())
    markdown, as_json = diff(spec), diff(spec, fmt="json")
    assert markdown.returncode in (0, 1), markdown.stderr
    assert as_json.returncode in (0, 1), as_json.stderr
    return markdown.stdout, as_json.stdout


def tokens(items: list[Token]) -> Iterator[Token]:
    for token in items:
        yield token
        yield from tokens(token.children or [])


def test_the_markdown_report_renders_no_image_link_or_html_from_the_spec(reports: tuple[str, str]) -> None:
    """Parsed as GitHub would, the report has no image, link or raw HTML, and its text holds no URL outside code."""
    markdown, _ = reports
    assert "pixel" in markdown and "Approve" in markdown  # the rows are there, escaped
    found = list(tokens(GITHUB_LIKE.parse(markdown)))
    kinds = {token.type for token in found}
    assert not kinds & {"image", "link_open"}, kinds
    # The only HTML is the report's own <details> fold around the per-flavour rows, never spec text.
    html = [token.content for token in found if token.type in ("html_inline", "html_block")]
    assert all(OWN_HTML.fullmatch(content) for content in html), html
    texts = " ".join(token.content for token in found if token.type == "text")
    assert "://" not in texts  # URLs only in code spans, so nothing autolinks them
    assert "<img" not in markdown and "![" not in markdown


def test_the_markdown_report_holds_no_control_characters(reports: tuple[str, str]) -> None:
    """No CR, ESC or other C0/C1 control from the spec reaches the markdown; LF only ends lines."""
    markdown, _ = reports
    assert not [c for c in markdown if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]


def test_the_json_report_keeps_spec_text_exact(reports: tuple[str, str]) -> None:
    """The JSON output is data: the property name with its CRs and markup is there as the spec wrote it."""
    _, as_json = reports
    assert any(row["location"].endswith(f" {PIXEL}") for row in json.loads(as_json)["changes"])


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        (PIXEL, ["![", "\r", "<!--"]),
        (IMG, ["<img"]),
        (APPROVE, ["[Approve]("]),
        ("`code` then `x ![i](u)` and `odd", ["!["]),
        ("a | b \x1b[31m \u202e", ["\x1b", "\u202e", "a | b"]),
    ],
)
def test_a_cell_escapes_markup_html_and_controls(text: str, forbidden: list[str]) -> None:
    """cell() leaves no image, link, comment, HTML tag, bare pipe or control character."""
    escaped = _escape.cell(text)
    for bad in forbidden:
        assert bad not in escaped, (bad, escaped)
    rendered = list(tokens(GITHUB_LIKE.parse(f"| h |\n|---|\n| {escaped} |\n")))
    assert not {t.type for t in rendered} & {"image", "link_open", "html_inline", "html_block"}
    assert sum(t.type == "td_open" for t in rendered) == 1


def test_a_code_span_holds_backticks_without_ending_early() -> None:
    """A code span around text with backtick runs is fenced by a longer run, so it reads back whole."""
    rendered = [t for t in tokens(GITHUB_LIKE.parse(_escape.code("a `` b ` c"))) if t.type == "code_inline"]
    assert [t.content for t in rendered] == ["a `` b ` c"]


def test_a_list_item_leaves_a_pipe_in_code_alone_where_a_table_cell_escapes_it() -> None:
    """Only a table ends at `|` inside a code span; in a list item (the changelog's) a backslash would show."""
    assert _escape.cell("`a|b` <x>") == "`a\\|b` &lt;x&gt;"
    assert _escape.cell("`a|b` <x>", table=False) == "`a|b` &lt;x&gt;"
