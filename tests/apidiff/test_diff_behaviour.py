"""make diff's client-behaviour section: what changes for code using Raia while no Python symbol changes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.diff_specs import OVERLAY, SHAPE, Spec, frozen, minimal_overlay, report_for, write_pair
from tools.apidiff.__main__ import main
from tools.apidiff._report import render

BASE = frozen()
HOST = urlsplit(BASE["servers"][0]["url"]).netloc
MOVED_HOST = "moved." + HOST
OLD_HEADER = BASE["components"]["securitySchemes"][SHAPE.scheme]["name"]
NEW_HEADER = "X-" + OLD_HEADER
OPERATION_ID = BASE["paths"][SHAPE.path][SHAPE.method]["operationId"]


def move_server_and_rename_header(s: Spec) -> None:
    s["servers"][0]["url"] = f"https://{MOVED_HOST}/v2"
    s["components"]["securitySchemes"][SHAPE.scheme]["name"] = NEW_HEADER


def test_server_url_and_auth_header_changes_are_listed(tmp_path: Path) -> None:
    """A moved host, a new base path and a renamed auth header each get a client-behaviour row."""
    report = report_for(tmp_path, move_server_and_rename_header)
    rows = {b.rule: b.message for b in report.behaviour}
    assert set(rows) == {"base-url-host", "base-url-path", "auth-header-name"}
    assert f"`{HOST}` -> `{MOVED_HOST}`" in rows["base-url-host"]
    assert "`/` -> `/v2`" in rows["base-url-path"]
    assert f"`{OLD_HEADER}` -> `{NEW_HEADER}`" in rows["auth-header-name"]


def test_operation_route_and_status_changes_are_listed(tmp_path: Path) -> None:
    """An operation that moves or answers with another success status is listed under its operationId."""

    def mutate(s: Spec) -> None:
        op = s["paths"].pop(SHAPE.path)
        op[SHAPE.method]["responses"]["200"] = op[SHAPE.method]["responses"].pop(SHAPE.status)
        s["paths"][SHAPE.path + "/v2"] = op

    overlay = tmp_path / "overlay.yaml"  # the frozen one pins the operationId by path, which moves here
    overlay.write_text(minimal_overlay())
    report = report_for(tmp_path, mutate, overlay=overlay)
    assert {(b.location, b.rule) for b in report.behaviour} == {
        (OPERATION_ID, "operation-route"),
        (OPERATION_ID, "operation-status"),
    }
    status = next(b for b in report.behaviour if b.rule == "operation-status")
    assert status.message.startswith(f"success status {SHAPE.status} -> 200")


def test_unchanged_spec_has_no_behaviour_rows(tmp_path: Path) -> None:
    """The section says "No changes." when the spec is the same."""
    report = report_for(tmp_path, None)
    assert report.behaviour == []
    section = render(report, "markdown").split("### Client behaviour", 1)[1].split("###", 1)[0]
    assert "No changes." in section


def test_make_diff_lists_behaviour_under_its_own_heading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: the markdown report puts the URL and header changes in the client-behaviour section."""
    old, new = write_pair(tmp_path, move_server_and_rename_header)
    main(["--old", str(old), "--new", str(new), "--overlay", str(OVERLAY)])
    out = capsys.readouterr().out
    section = out.split("### Client behaviour", 1)[1].split("### Overlay", 1)[0]
    assert MOVED_HOST in section
    assert "/v2" in section
    assert NEW_HEADER in section
    assert "No changes." in out.split("### Python API changes", 1)[1].split("###", 1)[0]
