"""A Keep a Changelog section from `make diff`'s JSON report, in the words a Python caller needs.

Resource methods are named as callers write them (`client.feedback.retrieve(id)`); their
async and raw-response twins, and the low-level `raia_agent_api.api` functions that mirror every
operation, collapse into that one line. Models are named by class.
"""

from __future__ import annotations

import re
from typing import Any

from tools import markdown

KINDS = ("Added", "Changed", "Deprecated", "Removed", "Fixed")
HEADER = (
    "# Changelog\n\nAll notable changes to this project are documented here. The format follows\n"
    "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and versions follow\n"
    "[Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n"
)
RESOURCE_CLASS = re.compile(r"^(Async)?(?P<base>\w+?)Resource(WithRawResponse|WithStreamingResponse)?$")
SKIPPED_MESSAGES = ("signature changed: its keyword parameters are judged on their own rows",)
# Behaviour rows that only restate an added or removed function, which the Python rows name.
RESTATED_RULES = {"operation-added", "operation-removed"}
DIRECTIONS = {
    "sent": " (in requests)",
    "received": " (in responses)",
    "sent and received": " (in requests and responses)",
}


def _split_top(text: str) -> list[str]:
    """Split a parameter list on the commas outside brackets."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()] if current.strip() else parts


def _required_keywords(signature: str) -> list[str]:
    """`name(self, id: str, *, a: int, b: str = ...) -> X` -> ["id", "a="]: what a caller must pass,
    positional (path parameters) then by keyword."""
    inner = signature.split("(", 1)[1].rsplit(") ->", 1)[0] if "(" in signature else ""
    params = _split_top(inner)
    star = params.index("*") if "*" in params else len(params)
    return [
        p.split(":", 1)[0].strip() + ("=" if i > star else "")
        for i, p in enumerate(params)
        if i != star and "=" not in p and not p.startswith("*") and p.split(":", 1)[0].strip() != "self"
    ]


def _call(attribute: str, method: str, arguments: list[str]) -> str:
    shown = ", ".join(name if not name.endswith("=") else f"{name}..." for name in arguments)
    return f"`client.{attribute}.{method}({shown})`"


def _describe(row: dict[str, Any]) -> tuple[str, str] | None:
    """(key that merges twins, line) for one Python row, or None for a row callers need not read."""
    symbol, message = str(row["symbol"]), str(row["message"])
    if message in SKIPPED_MESSAGES or symbol.startswith("api."):
        return None
    name, _, parameter = symbol.partition("(")
    parameter = parameter.rstrip(")")
    parts = name.split(".")
    if parts[0] == "resources" and (
        (len(parts) == 3 and RESOURCE_CLASS.match(parts[2]))
        or parts[1] in ("SyncResources", "AsyncResources")
    ):
        return None  # a resource class or attribute: its methods' rows say what callers write
    if parts[0] == "resources" and len(parts) == 4 and RESOURCE_CLASS.match(parts[2]):
        attribute, method = parts[1], parts[3]
        if parameter:
            key, where = f"{attribute}.{method}({parameter})", _call(attribute, method, [parameter + "="])
            return key, f"{where}: {message}"
        if message == "function added":
            return (
                f"{attribute}.{method}",
                f"{_call(attribute, method, _required_keywords(row['after']))} added",
            )
        return f"{attribute}.{method}", f"{_call(attribute, method, [])}: {message}"
    is_model = parts[0] == "models" and len(parts) >= 3
    # a whole model is named by its import path; its fields by class, as readers meet them
    label = ".".join(parts[2:]) if is_model and len(parts) > 3 else f"raia_agent_api.{symbol}"
    if is_model and len(parts) == 3:
        label = f"raia_agent_api.models.{parts[2]}"
    where = DIRECTIONS.get(str(row.get("direction") or ""), "")
    if message in ("class added", "function added"):
        return symbol, f"`{label}` added"
    return symbol, f"`{label}`: {message}{where}"


def _kind(level: str, message: str) -> str:
    words = message.lower()
    if "deprecat" in words:
        return "Deprecated"
    if "removed" in words:
        return "Removed"
    if "added" in words and level != "breaking":
        return "Added"
    return "Changed"


def entries(report: dict[str, Any]) -> dict[str, list[str]]:
    """Kind -> lines, from the JSON report; every kind present, possibly empty."""
    out: dict[str, list[str]] = {kind: [] for kind in KINDS}
    seen: set[str] = set()
    rows = report.get("python", [])
    # the members of a class that came or went are in that class's own line; a resource's methods are
    # named as callers write them (`client.conversations.stream_reply()` added), not by their class
    whole = {
        str(r["symbol"])
        for r in rows
        if r["message"] in ("class added", "class removed") and not str(r["symbol"]).startswith("resources.")
    }
    for row in sorted(rows, key=lambda r: not str(r["symbol"]).startswith("resources.")):
        described = _describe(row)
        if described is None or described[0] in seen or str(row["symbol"]).rsplit(".", 1)[0] in whole:
            continue
        seen.add(described[0])
        out[_kind(str(row["level"]), str(row["message"]))].append(described[1])
    for row in report.get("behaviour", []):
        if row.get("rule") in ("server-variable-added", "credential-option-added"):
            out["Added"].append(f"{row['location']} {row['message']}")
        elif row.get("rule") not in RESTATED_RULES:
            out["Changed"].append(f"client behaviour, {row['location']}: {row['message']}")
    for row in report.get("changes", []):
        if "deprecat" in f"{row['location']} {row['message']}".lower():
            out["Deprecated"].append(f"{row['location']}: {row['message']}")
    for row in report.get("overlay", []):
        if row.get("rule") == "overlay-action-unnecessary":
            out["Fixed"].append(
                f"the vendor's spec now gets right what an overlay action corrected: {row['location']}"
            )
    if not any(out.values()):
        count = len(report.get("changes", []))
        out["Changed"].append(
            f"the vendor's spec changed ({count} spec-level change{'s' * (count != 1)}); the Python API did not"
        )
    return out


def has_additions(lines: dict[str, list[str]]) -> bool:
    return bool(lines["Added"])


def _escape(line: str) -> str:
    # spec text stays text in the rendered changelog (no markup, HTML or link), on one line
    return markdown.cell(" ".join(line.split()), table=False)


def _blocks(body: str) -> list[str]:
    """A subsection's bullets, each with its continuation lines, as written."""
    blocks: list[str] = []
    for line in body.strip("\n").splitlines():
        if line.startswith(("- ", "* ")) or not blocks:
            blocks.append(line)
        elif line.strip():
            blocks[-1] += "\n" + line
    return [block for block in blocks if block.strip()]


def _unreleased(text: str) -> tuple[int, int, str, dict[str, list[str]]]:
    """Where [Unreleased] starts and ends, what stays in it, and its entries by kind (moved on release)."""
    found = re.search(r"^## \[Unreleased\][^\n]*\n", text, re.MULTILINE | re.IGNORECASE)
    if found is None:
        first = re.search(r"^## \[", text, re.MULTILINE)
        at = first.start() if first else len(text)
        return at, at, "", {kind: [] for kind in KINDS}
    following = re.search(r"^## \[", text[found.end() :], re.MULTILINE)
    end = found.end() + following.start() if following else len(text)
    parts = re.split(r"^### +([^\n]*)\n", text[found.end() : end], flags=re.MULTILINE)
    kept = [parts[0].strip("\n")]
    moved: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        kind = title.strip().capitalize()
        if kind in moved:
            moved[kind] += _blocks(body)
        else:
            kept.append(f"### {title}\n{body}".strip("\n"))
    stays = "\n\n".join(part for part in kept if part)
    return found.start(), end, found.group(0) + (f"\n{stays}\n" if stays else ""), moved


def pending(current: str | None) -> dict[str, list[str]]:
    """The entries under [Unreleased] that the next release takes along."""
    return _unreleased(current or "")[3]


def release(current: str | None, version: str, date: str, lines: dict[str, list[str]]) -> tuple[str, str]:
    """(the changelog, the new section): the spec's lines plus what [Unreleased] held, as the newest release.

    [Unreleased] stays on top, emptied of the entries the release now lists.
    """
    text = current if current and current.strip() else HEADER
    start, end, stays, moved = _unreleased(text)
    out = [f"## [{version}] - {date}", ""]
    for kind in KINDS:
        entries = [f"- {_escape(line)}" for line in lines[kind]] + moved[kind]
        if entries:
            out += [f"### {kind}", "", *entries, ""]
    section = "\n".join(out)
    before = text[:start].rstrip("\n") + "\n\n" + (f"{stays.rstrip()}\n\n" if stays else "")
    after = text[end:].lstrip("\n")
    return before + section.rstrip() + "\n" + (f"\n{after}" if after else ""), section
