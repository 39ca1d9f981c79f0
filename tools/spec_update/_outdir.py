"""The output folder: update-spec writes only into a folder it created or that carries its mark.

Every check runs before anything is cleared, so a refused OUT loses nothing: not `.` (the tree's
CHANGELOG.md), not a folder of someone's report.md and server.log, not the folder a link points at.
"""

from __future__ import annotations

import os
from pathlib import Path

MARK = ".spec-update-output"
MARK_TEXT = "This folder is make update-spec's output; it clears and rewrites the files it wrote here.\n"
# Everything the tool may put in the folder: only these are ever cleared from it.
FILES = ("report.md", "report.body.md", "CHANGELOG.md", "result.json", "result.json.tmp")
LOG_SUFFIX = ".log"


class OutRefused(Exception):
    """OUT is not a folder update-spec may write; str() is one line saying why."""


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def check(given: Path, root: Path, default: Path) -> Path:
    """The absolute folder to write, after refusing links, files, foreign folders and the project tree."""
    if given.is_symlink():
        raise OutRefused(f"OUT={given} is a symbolic link; name a real folder")
    out = Path(os.path.abspath(given))
    resolved = out.resolve()
    if resolved != default.resolve() and (
        _inside(resolved, root.resolve()) or _inside(root.resolve(), resolved)
    ):
        raise OutRefused(f"OUT={given} is inside the project tree (or holds it); only {default.name} may be")
    if os.path.lexists(out) and not out.is_dir():
        raise OutRefused(f"OUT={given} exists and is not a folder")
    if out.is_dir() and not (out / MARK).is_file() and any(out.iterdir()):
        raise OutRefused(
            f"OUT={given} is a folder update-spec did not make (no {MARK} in it); name a new or empty folder"
        )
    return resolved


def is_ours(out: Path) -> bool:
    return out.is_dir() and not out.is_symlink() and (out / MARK).is_file()


def claim(out: Path) -> None:
    """Create the folder (or adopt an empty one) and mark it, so a later run may clear it."""
    out.mkdir(parents=True, exist_ok=True)
    if not (out / MARK).is_file():
        (out / MARK).write_text(MARK_TEXT, encoding="utf-8")


def clear(out: Path) -> None:
    """Remove a previous run's files from a marked folder (never anything else); drop it if it is then empty."""
    if not is_ours(out):
        return
    for path in out.iterdir():
        if (
            path.is_file()
            and not path.is_symlink()
            and (path.name in FILES or path.name.endswith(LOG_SUFFIX))
        ):
            path.unlink()
    if {path.name for path in out.iterdir()} == {MARK}:
        (out / MARK).unlink()
        out.rmdir()
