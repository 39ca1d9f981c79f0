"""The package version: read from and written to its one home, src/raia_agent/_version.py."""

from __future__ import annotations

import re
from pathlib import Path

VERSION_FILE = Path("src") / "raia_agent" / "_version.py"
LINE = re.compile(r'^__version__ = "(\d+)\.(\d+)\.(\d+)"$', re.MULTILINE)


def read(root: Path) -> str:
    text = (root / VERSION_FILE).read_text(encoding="utf-8")
    found = LINE.search(text)
    if found is None:
        raise ValueError(f'{VERSION_FILE} holds no `__version__ = "X.Y.Z"` line')
    return ".".join(found.groups())


def bump(version: str, verdict: str) -> str:
    """The next version by semver: breaking -> major (minor below 1.0), additions -> minor, else patch."""
    major, minor, patch = (int(part) for part in version.split("."))
    if verdict == "breaking" and major > 0:
        return f"{major + 1}.0.0"
    if verdict in ("breaking", "additions"):
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def write(root: Path, version: str) -> None:
    path = root / VERSION_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(LINE.sub(f'__version__ = "{version}"', text, count=1), encoding="utf-8")
