"""The spec-update autopilot end to end, offline: vendor updates served over local HTTP, the update,
then the pull-request step against a fake `gh`, all in one repository copy on frozen inputs.

The copy's `main` never moves (the pull request stays open), so each run compares with the frozen
base, as the scheduled workflow does until someone merges: versions are computed from 1.4.2 each time.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.spec_update_rig import (
    BASE_VERSION,
    CHECK_SCRIPT,
    fake_gh,
    frozen_base,
    gh_calls,
    git,
    make_repo,
    run_pr,
    run_update,
    spec_server,
    with_changes,
)
from tools.spec_update._outdir import MARK

# The journey fixture runs five whole updates (each generates the client four times): its first
# test carries that setup, which takes minutes on a busy machine.
pytestmark = pytest.mark.timeout(1200)

BASE = frozen_base()
PATH, ITEM = next(iter(BASE["paths"].items()))
POST = ITEM["post"]
REQUEST = POST["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
STATUS = min(code for code in POST["responses"] if code.startswith("2"))
RESPONSE = POST["responses"][STATUS]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
# The response field the breaking update removes: optional in the request, so only readers break.
REMOVED = next(
    name
    for name in BASE["components"]["schemas"][RESPONSE]["properties"]
    if name in BASE["components"]["schemas"][REQUEST]["properties"]
    and name not in BASE["components"]["schemas"][REQUEST].get("required", [])
)
CHECK = f"{sys.executable} {CHECK_SCRIPT}"
PASSING = f"{sys.executable} -c \"print('7 passed')\""
FAILING = f"{sys.executable} -c \"import sys; print('1 failed: test_something'); sys.exit(1)\""


def add_rating(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"][REQUEST]["properties"]["rating"] = {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
    }


def add_get_by_id(spec: dict[str, Any]) -> None:
    controller = POST["operationId"].split("_", 1)[0]
    spec["paths"][PATH + "/{id}"] = {
        "get": {
            "operationId": f"{controller}_getFeedback",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": POST["responses"][STATUS]},
            "tags": POST["tags"],
        }
    }


def remove_response_field(spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"][RESPONSE]
    del schema["properties"][REMOVED]
    schema["required"] = [name for name in schema["required"] if name != REMOVED]


@dataclass
class Run:
    name: str
    code: int
    stdout: str
    result: dict[str, Any]
    report: str
    changelog: str
    version_file: str
    pr_code: int
    pr_output: str
    calls: list[dict[str, Any]]  # the gh calls this run made
    branch_files: dict[str, str]  # what origin/spec-update holds afterwards


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Five scheduled runs in one repository copy: unchanged, optional field, new endpoint, removed
    response field, and the same with a failing test suite; each followed by the pull-request step."""
    where = tmp_path_factory.mktemp("spec-update")
    repo = make_repo(where)
    bin_dir = fake_gh(where / "bin")
    # Written compactly: the same document in other bytes is no change.
    updates = [
        ("unchanged", BASE, PASSING),
        ("optional field", with_changes(add_rating), PASSING),
        ("new endpoint", with_changes(add_rating, add_get_by_id), PASSING),
        ("removed response field", with_changes(add_rating, add_get_by_id, remove_response_field), PASSING),
        ("tests fail", with_changes(add_rating, add_get_by_id, remove_response_field), FAILING),
    ]
    runs: dict[str, Run] = {}
    with spec_server() as server:
        for index, (name, spec, tests) in enumerate(updates):
            url = server.put(f"/v{index}/openapi.json", json.dumps(spec).encode())
            done = run_update(repo, url, UPDATE_SPEC_CHECK_CMD=CHECK, UPDATE_SPEC_TEST_CMD=tests)
            out = repo / ".spec-update"
            before = len(gh_calls(bin_dir))
            result = json.loads(read(out / "result.json") or "{}")
            report, changelog = read(out / "report.md"), read(out / "CHANGELOG.md")
            version_file = read(repo / "src" / "raia_agent" / "_version.py")
            pr = run_pr(repo, bin_dir)
            shown = git(repo, "ls-remote", "origin", "spec-update")
            files = {}
            if shown:
                for path in ("openapi.json", "src/raia_agent/_version.py", "CHANGELOG.md"):
                    files[path] = git(repo, "show", f"origin/spec-update:{path}")
            runs[name] = Run(name, done.returncode, done.stdout + done.stderr, result, report, changelog, version_file,
                             pr.returncode, pr.stdout + pr.stderr, gh_calls(bin_dir)[before:], files)  # fmt: skip
            git(repo, "checkout", "-q", "-f", "main")  # the next scheduled run starts from main
    return runs


def test_exit_codes_follow_the_verdicts(journey: dict[str, Run]) -> None:
    """No change, an optional field, a new endpoint, a removed response field: 0, 10, 10, 11."""
    codes = {name: run.code for name, run in journey.items()}
    assert codes == {"unchanged": 0, "optional field": 10, "new endpoint": 10,
                     "removed response field": 11, "tests fail": 1}, {n: r.stdout for n, r in journey.items()}  # fmt: skip


def test_versions_follow_semver_from_the_verdict(journey: dict[str, Run]) -> None:
    """Additions bump the minor version, a change that breaks Python callers the major; no change, none."""
    expected = {"unchanged": BASE_VERSION, "optional field": "1.5.0", "new endpoint": "1.5.0",
                "removed response field": "2.0.0", "tests fail": "2.0.0"}  # fmt: skip
    for name, version in expected.items():
        run = journey[name]
        assert run.result["version"] == version, name
        assert run.result["previous_version"] == BASE_VERSION
        assert f'__version__ = "{version}"' in run.version_file, name


def test_each_changelog_section_names_the_change_for_python_callers(journey: dict[str, Run]) -> None:
    """The new section sits under [Unreleased], above the previous release, with one line per change."""
    optional = journey["optional field"].changelog
    assert "## [1.5.0] - " in optional and "### Added" in optional
    assert "- `client.feedback.create_or_update(rating=...)`: parameter added (optional)" in optional
    assert optional.index("## [Unreleased]") < optional.index("## [1.5.0]") < optional.index("## [1.4.2]")
    # what [Unreleased] held is released with it
    assert (
        optional.index("## [1.5.0]") < optional.index("- a hand-written fix") < optional.index("## [1.4.2]")
    )
    endpoint = journey["new endpoint"].changelog
    assert "- `client.feedback.retrieve(id)` added" in endpoint
    removed = journey["removed response field"].changelog
    section = removed[removed.index("## [2.0.0]") : removed.index("## [1.4.2]")]
    assert "### Removed" in section and f".{REMOVED}`: field removed" in section.split("### Removed", 1)[1]
    assert journey["unchanged"].changelog == ""


def test_the_report_carries_the_verdict_the_diff_and_the_test_result(journey: dict[str, Run]) -> None:
    """report.md is the pull request's body: verdict and versions, the changelog entry, make diff's report."""
    report = journey["removed response field"].report
    assert report.startswith("# Vendor spec update: BREAKING update, 1.4.2 → 2.0.0")
    assert "Checks and tests passed" in report and "## API change report" in report
    assert "**Verdict: BREAKING.**" in report
    compatible = journey["new endpoint"].report
    assert compatible.startswith("# Vendor spec update: compatible update, 1.4.2 → 1.5.0")
    assert "**Verdict: not breaking.**" in compatible


def test_a_failing_suite_still_writes_everything_marked_failing(journey: dict[str, Run]) -> None:
    """Exit 1: the report says FAILING and shows the suite's last lines; the PR is updated and the step fails."""
    run = journey["tests fail"]
    assert run.result["tests"] == "failed" and run.result["failed_steps"] == ["tests"]
    assert "**FAILING**: `tests` failed" in run.report and "1 failed: test_something" in run.report
    assert "## [2.0.0]" in run.changelog
    assert run.pr_code == 1
    (edit,) = [call for call in run.calls if call["args"][:2] == ["pr", "edit"]]
    assert edit["args"][edit["args"].index("--title") + 1].startswith("[failing] ")
    assert "**FAILING**" in edit["body"]


def test_gh_creates_the_pull_request_once_then_edits_it(journey: dict[str, Run]) -> None:
    """One pull request from spec-update: created by the first change, edited by every later run."""
    assert journey["unchanged"].calls == [] and journey["unchanged"].pr_code == 0
    kinds = {
        name: [c["args"][:2] for c in run.calls if c["args"][:2] != ["pr", "view"]]
        for name, run in journey.items()
    }
    assert kinds["optional field"] == [["pr", "create"]]
    assert kinds["new endpoint"] == [["pr", "edit"]]
    assert kinds["removed response field"] == [["label", "create"], ["pr", "edit"]]
    (create,) = [c for c in journey["optional field"].calls if c["args"][:2] == ["pr", "create"]]
    args = create["args"]
    assert args[args.index("--head") + 1] == "spec-update" and args[args.index("--base") + 1] == "main"
    assert create["body"] == journey["optional field"].report


def test_the_breaking_label_only_on_the_breaking_update(journey: dict[str, Run]) -> None:
    """--label/--add-label breaking appears only in the breaking runs' calls."""
    for name, run in journey.items():
        labelled = any(flag in c["args"] and c["args"][c["args"].index(flag) + 1] == "breaking"
                       for c in run.calls for flag in ("--label", "--add-label"))  # fmt: skip
        assert labelled == (name in ("removed response field", "tests fail")), name


def test_the_branch_holds_main_plus_the_vendor_spec(journey: dict[str, Run]) -> None:
    """origin/spec-update holds the served spec verbatim, the new version and the new changelog."""
    run = journey["removed response field"]
    served = json.dumps(with_changes(add_rating, add_get_by_id, remove_response_field))
    assert run.branch_files["openapi.json"] == served
    assert '__version__ = "2.0.0"' in run.branch_files["src/raia_agent/_version.py"]
    assert run.branch_files["CHANGELOG.md"] == run.changelog
    assert run.result["spec_sha256"] == hashlib.sha256(served.encode()).hexdigest()


@pytest.fixture(scope="module")
def refusal_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository copy on the frozen base that the tests below leave as they found it."""
    return make_repo(tmp_path_factory.mktemp("refusals"))


def snapshot(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all") + git(repo, "rev-parse", "HEAD")


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        ("external $ref", "external", "external reference"),
        ("over the size bound", "huge", "larger than"),
        ("not an OpenAPI document generation accepts", "invalid", "generation fails"),
    ],
)
def test_a_refused_spec_exits_2_with_one_line_and_writes_nothing(refusal_repo: Path, tmp_path: Path, name: str, body: str, reason: str) -> None:  # fmt: skip
    """External $ref, over the size bound, or refused by generation: exit 2, one line, nothing written,
    and the pull-request step then has nothing to act on."""
    from tools.codegen.guard import MAX_BYTES

    spec = frozen_base()
    if body == "external":
        spec["components"]["schemas"][RESPONSE]["properties"]["id"] = {
            "$ref": "https://example.invalid/x.json"
        }
        data = json.dumps(spec).encode()
    elif body == "huge":
        data = b'{"openapi": "3.0.3", "x": "' + b"a" * MAX_BYTES + b'"}'
    else:
        spec["components"]["schemas"][RESPONSE]["properties"]["id"] = {"type": "no-such-type"}
        data = json.dumps(spec).encode()
    before = snapshot(refusal_repo)
    stale = refusal_repo / ".spec-update"
    stale.mkdir(exist_ok=True)
    (stale / MARK).write_text("an earlier run's folder\n")
    (stale / "result.json").write_text('{"status": 10}')  # an earlier run's: must not outlive this one
    with spec_server() as server:
        done = run_update(refusal_repo, server.put("/openapi.json", data))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and lines[0].startswith("update-spec: "), done.stderr
    assert done.stdout == ""
    assert snapshot(refusal_repo) == before
    assert not (refusal_repo / ".spec-update").exists()
    bin_dir = fake_gh(tmp_path / "bin")
    pr = run_pr(refusal_repo, bin_dir)
    assert pr.returncode == 2 and "no result" in pr.stderr
    assert gh_calls(bin_dir) == []


def test_make_update_spec_takes_a_plain_path_and_spec_pr_does_nothing_when_unchanged(
    refusal_repo: Path, tmp_path: Path
) -> None:
    """`make update-spec URL=<path>` with the same document: result 0 recorded, and no pull request."""
    same = tmp_path / "vendor spec's copy.json"
    same.write_text(json.dumps(frozen_base()), encoding="utf-8")
    env = {**os.environ, "MAKEFLAGS": ""}
    done = subprocess.run(["make", "-s", "-o", ".venv/.installed", "update-spec", f"URL={same}"],
                          cwd=refusal_repo, capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((refusal_repo / ".spec-update" / "result.json").read_text())["status"] == 0
    bin_dir = fake_gh(tmp_path / "bin")
    pr = subprocess.run(["make", "-s", "-o", ".venv/.installed", "spec-pr"], cwd=refusal_repo, capture_output=True,
                        text=True, check=False, env={**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"})  # fmt: skip
    assert pr.returncode == 0 and "no pull request" in pr.stdout
    assert gh_calls(bin_dir) == []
