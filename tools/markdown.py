"""Spec text in markdown (make diff's report, api.md, the changelog a spec update writes): shown as
text, never as markup, HTML, a link or a control. The one escaping every tool uses.

The report goes into a pull request's job summary, and a pull request can change the spec, so
every string in a row is treated as hostile. Our messages quote names in backticks; `cell()`
keeps those as code spans when the backticks pair up, and escapes everything else:
- control characters (CR, ESC, other C0 and C1, line separators, bidi overrides) become visible
  escapes such as `\\r`; LF and tab become spaces (a cell is one line);
- `&`, `<`, `>` become HTML entities, the marks that make markup are backslash-escaped;
- anything that looks like a URL becomes a code span, so GitHub makes no link or image of it.
"""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
URL = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*:/{1,3}|www\.|mailto:|data:)\S*")
ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Marks that make emphasis, code, links, images, tables, strikethrough, math, headings or
# mentions in GitHub markdown; the rest of ASCII punctuation is left as it is, for readability.
MARKUP = set("\\`*_[]!|~$#@")


def visible(text: str) -> str:
    """One line with every control character shown as its escape."""
    text = text.replace("\r\n", "\n").replace("\n", " ").replace("\t", " ")
    return CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def code(text: str, *, table: bool = True) -> str:
    """A code span holding text literally: fenced by more backticks than any run inside it.

    In a table cell `|` ends the cell even inside a code span, so there it is escaped (GitHub drops
    the backslash); elsewhere a backslash in a code span is shown, so `table=False` leaves `|` alone."""
    text = visible(text)
    text = text.replace("|", "\\|") if table else text
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}" if text else " "


def _plain(text: str) -> str:
    out = []
    for char in text:
        if char in ENTITIES:
            out.append(ENTITIES[char])
        elif char in MARKUP:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def text(value: str) -> str:
    """Plain text: no markup, HTML or link survives; URLs are shown as code."""
    value = visible(value)
    out, at = [], 0
    for found in URL.finditer(value):
        out += [_plain(value[at : found.start()]), code(found.group())]
        at = found.end()
    out.append(_plain(value[at:]))
    return "".join(out)


def cell(value: str, *, table: bool = True) -> str:
    """A table cell (or, with table=False, a list item) from a message: its paired backtick spans stay
    code, the rest is text."""
    parts = value.split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: no pairing can be trusted
        return text(value) or " "
    return "".join(code(part, table=table) if i % 2 else text(part) for i, part in enumerate(parts)) or " "
