"""The spec-update autopilot's parts: semver from the verdict, changelog lines from `make diff`'s JSON,
the bounded fetch, the one home of the version, the workflow file, the licence."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.spec_update_rig import spec_server
from tools.spec_update import _changelog, _version
from tools.spec_update._fetch import FetchFailed, fetch

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "spec-update.yml"


@pytest.mark.parametrize(
    ("version", "verdict", "expected"),
    [
        ("1.4.2", "breaking", "2.0.0"),
        ("1.4.2", "additions", "1.5.0"),
        ("1.4.2", "other", "1.4.3"),
        ("0.1.0", "breaking", "0.2.0"),
        ("0.1.3", "additions", "0.2.0"),
        ("0.1.3", "other", "0.1.4"),
    ],
)
def test_the_next_version_follows_semver_from_the_verdict(version: str, verdict: str, expected: str) -> None:
    """Breaking -> major (minor below 1.0), additions -> minor, anything else -> patch."""
    assert _version.bump(version, verdict) == expected


@pytest.mark.parametrize(
    ("breaking", "spec_added", "pending", "expected"),
    [
        (True, [], {}, "breaking"),
        (False, ["x"], {}, "additions"),
        (False, [], {}, "other"),
        (False, [], {"Added": ["- by hand"]}, "additions"),
        (False, ["x"], {"Removed": ["- by hand"]}, "breaking"),
        (False, [], {"Fixed": ["- by hand"]}, "other"),
    ],
)
def test_the_verdict_counts_the_unreleased_entries_a_release_takes(
    breaking: bool, spec_added: list[str], pending: dict[str, list[str]], expected: str
) -> None:
    """make diff's verdict, plus [Unreleased]: an Added entry is an addition, a Removed one breaks."""
    from tools.spec_update.__main__ import _verdict

    lines = {**{k: [] for k in _changelog.KINDS}, "Added": spec_added}
    assert (
        _verdict({"breaking": breaking}, lines, {**{k: [] for k in _changelog.KINDS}, **pending}) == expected
    )


def test_the_version_lives_in_one_file_that_the_package_and_user_agent_read(tmp_path: Path) -> None:
    """hatch reads src/raia_agent/_version.py; raia_agent.__version__ and the User-Agent come from it."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["hatch"]["version"]["path"] == _version.VERSION_FILE.as_posix()
    assert "version" in pyproject["project"]["dynamic"]
    # a copy of the package whose version file the updater rewrote: nothing else may hold the number
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    _version.write(tmp_path, "7.8.9")
    assert _version.read(tmp_path) == "7.8.9"
    code = "import raia_agent; from raia_agent._options import user_agent; print(raia_agent.__version__, user_agent())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(tmp_path / "src")})  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown, agent = done.stdout.split(" ", 1)
    assert shown == "7.8.9" and agent.startswith("raia-agent/7.8.9 ")


def row(
    symbol: str, message: str, level: str = "info", after: str = "", direction: str = ""
) -> dict[str, Any]:
    return {"level": level, "symbol": symbol, "before": "", "after": after, "message": message,
            "cause": "", "direction": direction}  # fmt: skip


def test_changelog_lines_name_what_python_callers_write() -> None:
    """Resource methods as client.<attr>.<method>(required=...); twins, api.* and members of new classes merge."""
    report = {
        "python": [
            row("api.things.get_thing.sync", "function added"),
            row(
                "resources.things.AsyncThingsResource.get_thing",
                "function added",
                after="get_thing(self, *, thing_id: str | UUID, verbose: bool | None = None) -> _models.Thing",
            ),
            row(
                "resources.things.ThingsResource.get_thing",
                "function added",
                after="get_thing(self, *, thing_id: str | UUID, verbose: bool | None = None) -> _models.Thing",
            ),
            row(
                "resources.things.ThingsResourceWithRawResponse.get_thing",
                "function added",
                after="get_thing(self, *, thing_id: str | UUID, verbose: bool | None = None) -> RawResponse[Thing]",
            ),
            row("models.thing.Thing", "class added", direction="received"),
            row("models.thing.Thing.name", "field added", direction="received"),
            row(
                "models.other.Other.size",
                "field removed: readers of it fail",
                "breaking",
                direction="received",
            ),
            row("resources.things.ThingsResource.make(kind)", "parameter added (required)", "breaking"),
            row(
                "resources.things.ThingsResource.make",
                "signature changed: its keyword parameters are judged on their own rows",
            ),
        ],
        "behaviour": [
            {"level": "info", "location": "op", "message": "new operation", "rule": "operation-added"},
            {
                "level": "warning",
                "location": "things.make",
                "message": "now retried",
                "rule": "retry-changed",
            },
        ],
        "changes": [
            {
                "level": "warning",
                "location": "GET /things deprecated",
                "message": "added deprecated",
                "rule": "x",
            }
        ],
        "overlay": [
            {"level": "info", "location": "action 1", "message": "m", "rule": "overlay-action-unnecessary"}
        ],
    }
    lines = _changelog.entries(report)
    assert lines["Added"] == [
        "`client.things.get_thing(thing_id=...)` added",
        "`raia_agent_api.models.Thing` added",
    ]
    assert lines["Removed"] == ["`Other.size`: field removed: readers of it fail (in responses)"]
    assert lines["Changed"] == [
        "`client.things.make(kind=...)`: parameter added (required)",
        "client behaviour, things.make: now retried",
    ]
    assert lines["Deprecated"] == ["GET /things deprecated: added deprecated"]
    assert lines["Fixed"] and "action 1" in lines["Fixed"][0]
    assert _changelog.has_additions(lines)


def test_a_spec_change_without_python_changes_still_gets_one_line() -> None:
    """A description-only update: one Changed line saying the Python API did not change; no additions."""
    lines = _changelog.entries(
        {"python": [], "changes": [{"level": "info", "location": "x", "message": "y"}]}
    )
    assert lines["Changed"] == ["the vendor's spec changed (1 spec-level change); the Python API did not"]
    assert not _changelog.has_additions(lines)


def test_a_release_goes_under_unreleased_taking_its_entries_and_spec_text_stays_text() -> None:
    """The new version sits below [Unreleased], above the newest release, and takes the hand-written
    entries along (other text stays); markup in spec text is escaped."""
    current = (
        "# Changelog\n\n## [Unreleased]\n\nA note that stays.\n\n### Added\n\n- hand-written,\n  two lines\n\n"
        "### Migration notes\n\n- stays too\n\n## [1.0.0] - 2026-01-01\n\n- first\n"
    )
    assert _changelog.pending(current)["Added"] == ["- hand-written,\n  two lines"]
    lines = {**{k: [] for k in _changelog.KINDS}, "Added": ["`x` added <script>\nnext line"]}
    text, section = _changelog.release(current, "1.1.0", "2026-02-02", lines)
    unreleased, rest = text.split("## [1.1.0] - 2026-02-02", 1)
    assert "A note that stays." in unreleased and "### Migration notes\n\n- stays too" in unreleased
    assert "hand-written" not in unreleased
    assert "### Added\n\n- `x` added &lt;script&gt; next line\n- hand-written,\n  two lines\n" in rest
    assert rest.index("hand-written") < rest.index("## [1.0.0]")
    assert section in text and _changelog.pending(text)["Added"] == []
    fresh, _ = _changelog.release(None, "1.1.0", "2026-02-02", lines)
    assert fresh.startswith("# Changelog") and "## [1.1.0]" in fresh


def test_fetch_reads_a_path_a_file_url_and_local_http(tmp_path: Path) -> None:
    """The same bytes from a path, a file:// URL and an HTTP server on 127.0.0.1."""
    spec = tmp_path / "my spec.json"
    spec.write_bytes(b'{"openapi": "3.0.3"}')
    assert fetch(str(spec), 100, 5) == spec.read_bytes()
    assert fetch(spec.as_uri(), 100, 5) == spec.read_bytes()
    with spec_server() as server:
        assert fetch(server.put("/s.json", spec.read_bytes()), 100, 5) == spec.read_bytes()
        with pytest.raises(FetchFailed, match="HTTP 404"):
            fetch(server.base + "/missing.json", 100, 5)
        with pytest.raises(FetchFailed, match="larger than 10 bytes"):
            fetch(server.put("/big.json", b"x" * 11), 10, 5)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("ftp://127.0.0.1/openapi.json", "unsupported URL scheme 'ftp'"),
        ("file://elsewhere/openapi.json", "must name a local file"),
        ("http:///openapi.json", "names no host"),
        ("/no/such/openapi.json", "cannot read /no/such/openapi.json"),
    ],
)
def test_fetch_refuses_what_it_cannot_read_locally_with_one_line(source: str, message: str) -> None:
    """Other schemes, remote file:// hosts, host-less URLs and missing files fail with a clear line."""
    with pytest.raises(FetchFailed, match=message) as caught:
        fetch(source, 100, 5)
    assert "\n" not in str(caught.value)


def test_fetch_stops_reading_a_file_past_the_bound(tmp_path: Path) -> None:
    """A file over the bound is refused without reading all of it."""
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 101)
    with pytest.raises(FetchFailed, match="larger than 100 bytes"):
        fetch(str(big), 100, 5)


def test_the_workflow_file_passes_the_github_actions_schema() -> None:
    """check-jsonschema's vendored GitHub workflow schema accepts the file and rejects a broken copy."""
    tool = Path(sys.executable).parent / "check-jsonschema"
    good = subprocess.run([str(tool), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr


def test_a_broken_workflow_fails_the_schema_check(tmp_path: Path) -> None:
    """The check can fail: a job without runs-on and a step with neither run nor uses is rejected."""
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    del doc["jobs"]["update"]["runs-on"]
    doc["jobs"]["update"]["steps"].append({"name": "nothing"})
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump(doc), encoding="utf-8")
    tool = Path(sys.executable).parent / "check-jsonschema"
    bad = subprocess.run([str(tool), "--builtin-schema", "vendor.github-workflows", str(broken)],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert bad.returncode != 0


def test_the_workflow_uses_only_checkout_gh_and_make_with_github_token() -> None:
    """Schedule and dispatch; actions/checkout is the only action; run steps are make targets; no secrets."""
    text = WORKFLOW.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    triggers = doc[True]  # YAML 1.1 reads the key `on` as True
    assert set(triggers) == {"schedule", "workflow_dispatch"} and triggers["schedule"][0]["cron"]
    steps = doc["jobs"]["update"]["steps"]
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s] == ["actions/checkout"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0].startswith('make update-spec URL="$URL"') and runs[1] == "make spec-pr"
    assert "secrets." not in text and "${{ github.token }}" in text and "${{ vars.RAIA_SPEC_URL }}" in text
    # the URL reaches the shell through the environment, never pasted into the script
    assert all("${{" not in run for run in runs)


def test_the_licence_is_mit_and_declared() -> None:
    """LICENSE holds the MIT licence; pyproject declares it and ships the file."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_the_changelog_follows_keep_a_changelog() -> None:
    """CHANGELOG.md: the format's preamble, an [Unreleased] section, then releases newest first."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog") and "keepachangelog.com" in text
    headings = [line for line in text.splitlines() if line.startswith("## [")]
    assert headings[0] == "## [Unreleased]"
    versions = [tuple(int(p) for p in h[4:].split("]")[0].split(".")) for h in headings[1:]]
    assert versions == sorted(versions, reverse=True) and versions
    kinds = {line[4:] for line in text.splitlines() if line.startswith("### ")}
    assert kinds <= set(_changelog.KINDS)
