"""make spec-pr in a throwaway clone whose origin is a local bare repository, with a fake `gh` on PATH:
it commits exactly the files the update recorded, checks everything before pushing, and never
overwrites a commit on the branch that it did not make."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.spec_update_light import light_repo, new_spec, result, run_tool, stubs
from tests.support.spec_update_rig import fake_gh, gh_calls, git, run_pr

TRAILER = "Made-by: make spec-pr"


def updated_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A clone with a compatible update applied (not committed), and a folder holding a fake `gh`."""
    repo = light_repo(tmp_path)
    source = tmp_path / "vendor.json"
    source.write_bytes(new_spec())
    code, stdout, stderr = run_tool(repo, str(source), **stubs(tmp_path / "stubs"))
    assert code == 10, stdout + stderr
    return repo, fake_gh(tmp_path / "bin")


def remote_branch(repo: Path) -> str:
    return git(repo, "ls-remote", "origin", "refs/heads/spec-update").split("\t")[0]


def assert_refused_before_pushing(done: subprocess.CompletedProcess[str], bin_dir: Path, words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("spec-pr: ") and words in line, line
    assert [call for call in gh_calls(bin_dir) if call["args"][:2] != ["pr", "view"]] == []


def test_the_commit_holds_exactly_the_files_the_update_wrote(tmp_path: Path) -> None:
    """origin/spec-update is HEAD plus result.json's files (api.md among them), marked as the tool's; the
    checkout's branch, index and files are left as they were."""
    repo, bin_dir = updated_repo(tmp_path)
    status_before = git(repo, "status", "--porcelain")
    done = run_pr(repo, bin_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    files = result(repo)["files"]
    assert "api.md" in files
    pushed = remote_branch(repo)
    changed = git(repo, "diff", "--name-only", "main", pushed).split()
    assert sorted(changed) == sorted(files)
    assert git(repo, "rev-parse", f"{pushed}^").strip() == git(repo, "rev-parse", "main").strip()
    assert TRAILER in git(repo, "log", "-1", "--format=%B", pushed).splitlines()
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert git(repo, "status", "--porcelain") == status_before
    (create,) = [call for call in gh_calls(bin_dir) if call["args"][:2] == ["pr", "create"]]
    assert create["args"][create["args"].index("--base") + 1] == "main"


def test_a_rerun_replaces_only_its_own_commit(tmp_path: Path) -> None:
    """A second spec-pr replaces the commit the first one made: still one commit above main, PR edited."""
    repo, bin_dir = updated_repo(tmp_path)
    assert run_pr(repo, bin_dir).returncode == 0
    again = run_pr(repo, bin_dir)
    assert again.returncode == 0, again.stderr
    assert git(repo, "rev-list", "--count", f"main..{remote_branch(repo)}").strip() == "1"
    assert [call["args"][:2] for call in gh_calls(bin_dir) if call["args"][:2] != ["pr", "view"]] == [
        ["pr", "create"], ["pr", "edit"]
    ]  # fmt: skip


def test_a_commit_someone_else_pushed_to_the_branch_stops_the_run(tmp_path: Path) -> None:
    """A maintainer's fix on spec-update is never force-pushed over: spec-pr names it and stops."""
    repo, bin_dir = updated_repo(tmp_path)
    assert run_pr(repo, bin_dir).returncode == 0
    other = tmp_path / "maintainer"
    subprocess.run(
        ["git", "clone", "-q", "-b", "spec-update", str(tmp_path / "origin.git"), str(other)], check=True
    )
    (other / "api.md").write_text("# API\n\nfixed by hand\n")
    git(
        other,
        "-c",
        "user.name=Maintainer",
        "-c",
        "user.email=m@example.invalid",
        "commit",
        "-qam",
        "hand fix",
    )
    git(other, "push", "-q", "origin", "spec-update")
    theirs = remote_branch(repo)
    calls = len(gh_calls(bin_dir))
    done = run_pr(repo, bin_dir)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "did not make" in done.stderr and "by Maintainer" in done.stderr and theirs[:12] in done.stderr
    assert remote_branch(repo) == theirs
    assert [call for call in gh_calls(bin_dir)[calls:] if call["args"][:2] != ["pr", "view"]] == []


def test_an_openapi_json_changed_after_the_update_is_refused(tmp_path: Path) -> None:
    """The spec in the checkout is no longer the one the update wrote: refused, nothing pushed."""
    repo, bin_dir = updated_repo(tmp_path)
    with (repo / "openapi.json").open("ab") as spec:
        spec.write(b"\n")
    assert_refused_before_pushing(run_pr(repo, bin_dir), bin_dir, "openapi.json differs")
    assert remote_branch(repo) == ""


def test_a_stale_result_over_a_reverted_checkout_is_refused(tmp_path: Path) -> None:
    """result.json still says "update", but the checkout was reset: refused (no empty commit is pushed)."""
    repo, bin_dir = updated_repo(tmp_path)
    git(repo, "checkout", "-q", "-f", "main")
    git(repo, "clean", "-qfd", "--", "generated_client")
    assert_refused_before_pushing(run_pr(repo, bin_dir), bin_dir, "differs from what the update wrote")
    assert remote_branch(repo) == ""


def test_a_head_that_moved_since_the_update_is_refused(tmp_path: Path) -> None:
    """HEAD is no longer the commit result.json records: refused before pushing."""
    repo, bin_dir = updated_repo(tmp_path)
    (repo / "NOTES.txt").write_text("unrelated\n")
    git(repo, "add", "NOTES.txt")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "unrelated")
    assert_refused_before_pushing(
        run_pr(repo, bin_dir), bin_dir, "HEAD is not the commit the update was made on"
    )
    assert remote_branch(repo) == ""


def test_a_detached_head_is_refused(tmp_path: Path) -> None:
    """No branch to name as the pull request's base: refused (never `--base HEAD`)."""
    repo, bin_dir = updated_repo(tmp_path)
    git(repo, "checkout", "-q", "--detach")
    assert_refused_before_pushing(run_pr(repo, bin_dir), bin_dir, "HEAD is detached")
    assert remote_branch(repo) == ""


def test_without_gh_nothing_is_pushed(tmp_path: Path) -> None:
    """No `gh` on PATH: refused first, the branch is never pushed."""
    repo, _ = updated_repo(tmp_path)
    only_git = tmp_path / "only-git"
    only_git.mkdir()
    (only_git / "git").symlink_to(subprocess.run(["which", "git"], capture_output=True, text=True,
                                                 check=True).stdout.strip())  # fmt: skip
    env = {**os.environ, "PATH": str(only_git)}
    done = subprocess.run([sys.executable, "-m", "tools.spec_update.pr"], cwd=repo, capture_output=True, text=True,
                          env=env, check=False, timeout=120)  # fmt: skip
    assert done.returncode == 2 and "`gh`" in done.stderr and "not on PATH" in done.stderr, done.stderr
    assert remote_branch(repo) == ""
