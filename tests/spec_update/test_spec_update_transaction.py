"""update-spec as a transaction: prepared in a staging copy, applied whole or not at all, one run per
checkout, a rerun that is idempotent and completes what a killed run committed to. The slow steps are
stand-ins (tests/support/spec_update_light.py): these tests are about the files, not the regeneration."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.spec_update_light import (
    GENERATED,
    light_repo,
    new_spec,
    result,
    run_tool,
    stubs,
    tool,
    tree_state,
)
from tests.support.spec_update_rig import git, spec_server

WAIT_STEPS = 3000  # polls of 0.1 s: a bound on the work, far above what a run needs


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    """Until the stand-in test step has started (or the run ended early, which the caller then sees)."""
    for _ in range(WAIT_STEPS):
        if path.exists() or process.poll() is not None:
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} never appeared")


def worktrees(repo: Path) -> list[str]:
    return [
        line
        for line in git(repo, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def test_an_update_records_the_spec_the_commit_and_every_file_it_wrote(tmp_path: Path) -> None:
    """result.json: the served spec's sha256, HEAD, and each written file's digest (api.md included), as the tree holds them."""
    repo = light_repo(tmp_path)
    env = stubs(tmp_path / "stubs")
    spec = new_spec()
    with spec_server() as server:
        code, stdout, stderr = run_tool(repo, server.put("/openapi.json", spec), **env)
    assert code == 10, stdout + stderr
    recorded = result(repo)
    assert recorded["spec_sha256"] == hashlib.sha256(spec).hexdigest()
    assert recorded["commit"] == git(repo, "rev-parse", "HEAD").strip()
    files = recorded["files"]
    assert {"openapi.json", "api.md", "CHANGELOG.md", "src/raia_agent/_version.py", GENERATED} == set(files)
    for name, digest in files.items():
        assert hashlib.sha256((repo / name).read_bytes()).hexdigest() == digest, name
    assert (repo / "openapi.json").read_bytes() == spec
    # what git sees changed is exactly what the update says it wrote
    changed = {line[3:] for line in git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()}
    assert changed == set(files)
    assert len(worktrees(repo)) == 1  # the staging copy is gone


def test_a_rerun_of_the_same_spec_is_idempotent(tmp_path: Path) -> None:
    """The second run with the same spec reports the same verdict and changes nothing: one new changelog section."""
    repo = light_repo(tmp_path)
    env = stubs(tmp_path / "stubs")
    with spec_server() as server:
        url = server.put("/openapi.json", new_spec())
        first = run_tool(repo, url, **env)
        after_first = tree_state(repo)
        first_result = result(repo)
        second = run_tool(repo, url, **env)
    assert first[0] == second[0] == 10, first[2] + second[2]
    assert "already applied" in second[1] and "no change" not in second[1]
    assert tree_state(repo) == after_first and result(repo) == first_result
    assert (repo / "CHANGELOG.md").read_text().count("## [1.5.0]") == 1


def test_sigterm_to_the_process_group_mid_update_leaves_the_tree_as_it_was(tmp_path: Path) -> None:
    """A real SIGTERM to the whole group while the tests run: nothing in the checkout changed, no staging
    copy is left, and the rerun makes the whole update (never "no change")."""
    repo = light_repo(tmp_path)
    env = stubs(tmp_path / "stubs", wait=True)
    before = tree_state(repo)
    with spec_server() as server:
        url = server.put("/openapi.json", new_spec())
        process = tool(repo, url, **env)
        wait_for(Path(env["STUB_STARTED"]), process)
        assert process.poll() is None, process.communicate()
        os.killpg(process.pid, signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 128 + signal.SIGTERM, stdout + stderr
        assert "stopped by signal" in stderr
        assert tree_state(repo) == before
        assert not (repo / ".spec-update" / "result.json").exists()
        assert len(worktrees(repo)) == 1
        code, stdout, stderr = run_tool(repo, url, **stubs(tmp_path / "stubs"))
    assert code == 10, stdout + stderr
    assert "compatible update" in stdout and result(repo)["status"] == 10
    assert (repo / "CHANGELOG.md").read_text().count("## [1.5.0]") == 1


def test_a_run_killed_while_applying_is_completed_by_the_rerun(tmp_path: Path) -> None:
    """A journal committed but only half applied (openapi.json written, the rest not): the rerun applies
    the rest and reports the update, not "no change"."""
    from tools.spec_update import _outdir, _staging, _txn

    repo = light_repo(tmp_path)
    spec = new_spec()
    with _staging.staging(repo) as tree:
        before = _staging.snapshot(tree)
        (tree / "openapi.json").write_bytes(spec)
        (tree / "api.md").write_text("# API\n\nregenerated\n")
        files = _staging.changed(before, _staging.snapshot(tree))
        _txn.stage(repo, tree, files)
    outcome = {"status": 10, "verdict": "compatible", "tests": "passed", "failed_steps": [], "version": "1.5.0",
               "previous_version": "1.4.2", "spec_sha256": hashlib.sha256(spec).hexdigest(),
               "commit": git(repo, "rev-parse", "HEAD").strip(), "files": files}  # fmt: skip
    out = repo / ".spec-update"
    _outdir.claim(out)  # the run wrote its report before the commit point
    _txn.commit(repo, {"out": str(out), "result": outcome})
    (repo / "openapi.json").write_bytes(spec)  # the kill came after the first file
    with spec_server() as server:
        code, stdout, stderr = run_tool(repo, server.put("/openapi.json", spec), **stubs(tmp_path / "stubs"))
    assert "completed the update an interrupted run had begun applying" in stderr
    assert code == 10 and "no change" not in stdout, stdout + stderr
    assert (repo / "api.md").read_text() == "# API\n\nregenerated\n"
    assert result(repo)["files"] == files and _txn.pending(repo) is None


def test_a_second_update_while_one_runs_is_refused_naming_the_first(tmp_path: Path) -> None:
    """Two runs at once: the second exits 2 naming the first's pid and writes nothing; the first finishes;
    the changelog gets one new section."""
    repo = light_repo(tmp_path)
    env = stubs(tmp_path / "stubs", wait=True)
    with spec_server() as server:
        url = server.put("/openapi.json", new_spec())
        first = tool(repo, url, **env)
        wait_for(Path(env["STUB_STARTED"]), first)
        assert first.poll() is None, first.communicate()
        code, stdout, stderr = run_tool(repo, url, **env)
        Path(env["STUB_GO"]).write_text("go")
        first_out, first_err = first.communicate(timeout=120)
        again = run_tool(repo, url, **env)
    assert code == 2 and stdout == "", stderr
    (line,) = stderr.strip().splitlines()
    assert f"pid {first.pid}" in line and "another update holds this checkout" in line
    assert first.returncode == 10, first_out + first_err
    assert again[0] == 10 and "already applied" in again[1]
    changelog = (repo / "CHANGELOG.md").read_text()
    assert changelog.count("## [1.5.0]") == 1 and changelog.count("## [") == 3


def test_generation_that_fails_in_the_staging_copy_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    """The staging copy takes the failure: exit 2, one line, the checkout and the output folder untouched."""
    repo = light_repo(tmp_path)
    env = stubs(tmp_path / "stubs")
    failing = tmp_path / "fail.py"
    failing.write_text("import sys\nsys.exit('generate.sh: the spec names a type that does not exist')\n")
    env["UPDATE_SPEC_GENERATE_CMD"] = f"{os.sys.executable} {failing}"
    before = tree_state(repo)
    with spec_server() as server:
        code, stdout, stderr = run_tool(repo, server.put("/openapi.json", new_spec()), **env)
    assert code == 2, stdout + stderr
    (line,) = stderr.strip().splitlines()
    assert line.startswith("update-spec: refused: generation fails") and "does not exist" in line
    assert tree_state(repo) == before and not (repo / ".spec-update").exists()
    assert len(worktrees(repo)) == 1


@pytest.mark.parametrize("status", [0])
def test_result_json_is_valid_json_for_no_change(tmp_path: Path, status: int) -> None:
    """The same document, reformatted: exit 0 and result.json records the spec and the commit."""
    repo = light_repo(tmp_path)
    same = json.dumps(json.loads((repo / "openapi.json").read_text()), indent=4).encode()
    with spec_server() as server:
        code, stdout, stderr = run_tool(repo, server.put("/openapi.json", same), **stubs(tmp_path / "stubs"))
    assert code == status and "no change" in stdout, stderr
    recorded = result(repo)
    assert recorded["spec_sha256"] == hashlib.sha256(same).hexdigest() and recorded["files"] == {}
    assert recorded["commit"] == git(repo, "rev-parse", "HEAD").strip()


def test_the_staging_copy_keeps_the_checkouts_file_times(tmp_path: Path) -> None:
    """Files in the staging copy carry the checkout's times, so a sub-make there (make check runs one)
    sees the shared virtualenv's stamp as up to date, as it is in the checkout, and never reinstalls it."""
    from tools.spec_update import _staging

    repo = light_repo(tmp_path)
    (repo / "NOTES.txt").write_text("uncommitted\n")
    old = time.time_ns() - 2 * 86_400 * 10**9
    for name in ("pyproject.toml", "Makefile", "NOTES.txt"):
        os.utime(repo / name, ns=(old, old))
    with _staging.staging(repo) as tree:
        for name in ("pyproject.toml", "Makefile", "NOTES.txt"):
            assert (tree / name).stat().st_mtime_ns == old, name
        assert (tree / "NOTES.txt").read_text() == "uncommitted\n"
