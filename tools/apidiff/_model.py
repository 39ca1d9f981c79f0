"""The report's rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Level = Literal["breaking", "warning", "info"]
LEVELS: tuple[Level, ...] = ("breaking", "warning", "info")


@dataclass(frozen=True)
class Change:
    level: Level
    location: str
    message: str
    rule: str
    view: str = "corrected"  # or "upstream": seen only before the overlay applies


@dataclass(frozen=True)
class PyChange:
    level: Level
    symbol: str
    before: str
    after: str
    message: str
    cause: str = ""  # the spec change that explains it, when one does
    direction: str = ""  # "sent", "received", "sent and received", or "" when no operation reaches it


@dataclass
class Report:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    python: list[PyChange] = field(default_factory=list)
    behaviour: list[Change] = field(default_factory=list)
    overlay: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    operations: dict[str, str] = field(default_factory=dict)  # generated module -> operationId
    schema_sides: dict[str, set[str]] = field(default_factory=dict)  # schema -> sent/received
    failure: str = ""  # set when the report cannot be trusted (the new spec does not generate)
    renamed: dict[str, str] = field(default_factory=dict)  # class the clash rule suffixed -> why

    @property
    def breaking(self) -> bool:
        rows: list[Change | PyChange] = [*self.changes, *self.python, *self.behaviour, *self.overlay]
        return any(row.level == "breaking" for row in rows)

    def counts(self, items: Sequence[Change | PyChange]) -> dict[str, int]:
        return {level: sum(1 for item in items if item.level == level) for level in LEVELS}

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "failure": self.failure or None,
            "summary": {
                "spec": self.counts(self.changes),
                "python": self.counts(self.python),
                "behaviour": self.counts(self.behaviour),
            },
            "changes": [
                {k: v for k, v in asdict(c).items() if k in {"level", "location", "message", "rule"}}
                | ({"view": c.view} if c.view != "corrected" else {})
                for c in self.changes
            ],
            "python": [asdict(p) for p in self.python],
            "behaviour": [{k: v for k, v in asdict(c).items() if k != "view"} for c in self.behaviour],
            "overlay": [asdict(o) for o in self.overlay],
            "notes": self.notes,
        }
