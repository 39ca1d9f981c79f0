"""The report a pull request shows is plain text: no ANSI escapes, no scratch paths, package-relative symbols."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.support.diff_specs import OVERLAY, SHAPE, Spec, frozen, report_for
from tools.apidiff._report import clean, render

BASE = frozen()
RESPONSES = BASE["paths"][SHAPE.path][SHAPE.method]["responses"]
# An error response whose schema the overlay does not touch: removing it removes a class and nothing else.
ERROR_CODE, ERROR_SCHEMA = next(
    (code, ref.rsplit("/", 1)[-1])
    for code, resp in RESPONSES.items()
    if not code.startswith("2")
    and (ref := resp["content"]["application/json"]["schema"]["$ref"])
    and ref.rsplit("/", 1)[-1] not in OVERLAY.read_text()
)


def remove_error_response(s: Spec) -> None:
    del s["paths"][SHAPE.path][SHAPE.method]["responses"][ERROR_CODE]
    del s["components"]["schemas"][ERROR_SCHEMA]


def test_report_with_a_removed_class_has_no_escapes_or_temp_paths(tmp_path: Path) -> None:
    """Removing a schema removes its class; markdown and JSON name it relative to the package, in plain text."""
    report = report_for(tmp_path, remove_error_response, python=True)
    removed = [p for p in report.python if p.message == "class removed"]
    assert removed, report.python
    assert all(p.symbol.startswith("models.") and p.level == "breaking" for p in removed)
    for fmt in ("markdown", "json"):
        text = render(report, fmt)
        assert "\x1b" not in text
        assert "\\u001b" not in text
        assert tempfile.gettempdir() + "/" not in text
        assert str(tmp_path) not in text
        assert "raia_agent_api." not in text


def test_clean_strips_escapes_and_scratch_directories() -> None:
    """The last line of defence: text from a tool with colours and scratch paths comes out plain."""
    scratch = Path(tempfile.gettempdir()) / "raia-diff-x1y2" / "new_client" / "models" / "__init__.py"
    noisy = f"\x1b[1m{scratch}\x1b[0m:4: Feedback: \x1b[33mPublic object was removed\x1b[39m"
    assert clean(noisy) == "new_client/models/__init__.py:4: Feedback: Public object was removed"
