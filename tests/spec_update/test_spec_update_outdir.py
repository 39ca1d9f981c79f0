"""update-spec's output folder: it writes only into a folder it made or marked, and refuses any other
OUT (the tree, a folder of someone's files, a link, a file) before it clears anything."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.spec_update_light import light_repo, result, run_tool, stubs, tree_state
from tests.support.spec_update_rig import frozen_base, spec_server
from tools.spec_update._outdir import MARK

USER_FILES = {"report.md": "my notes\n", "result.json": '{"mine": true}\n', "server.log": "my log\n"}


def user_folder(where: Path) -> Path:
    where.mkdir(parents=True)
    for name, text in USER_FILES.items():
        (where / name).write_text(text)
    return where


def assert_user_files_intact(folder: Path) -> None:
    assert {path.name: path.read_text() for path in folder.iterdir()} == USER_FILES


def test_make_update_spec_out_dot_with_a_bad_url_deletes_nothing(tmp_path: Path) -> None:
    """`make update-spec OUT=. URL=ftp://x`: refused (exit 2, one line naming OUT) and CHANGELOG.md is still there."""
    repo = light_repo(tmp_path)
    before = tree_state(repo)
    env = {**os.environ, "MAKEFLAGS": ""}
    done = subprocess.run(["make", "-s", "-o", ".venv/.installed", "update-spec", "OUT=.", "URL=ftp://x"],
                          cwd=repo, capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "OUT=. is inside the project tree" in done.stderr
    assert (repo / "CHANGELOG.md").is_file() and tree_state(repo) == before


@pytest.mark.parametrize("inside", [True, False], ids=["inside the tree", "outside the tree"])
def test_an_out_folder_of_someone_elses_files_is_refused_untouched(tmp_path: Path, inside: bool) -> None:
    """A folder holding report.md, result.json and server.log that update-spec did not make: refused, all kept."""
    repo = light_repo(tmp_path)
    folder = user_folder(repo / "my-reports" if inside else tmp_path / "reports")
    with spec_server() as server:
        code, stdout, stderr = run_tool(repo, server.put("/openapi.json", b"{}"), "--out", str(folder),
                                        **stubs(tmp_path / "stubs"))  # fmt: skip
    assert code == 2 and stdout == "", stderr
    (line,) = stderr.strip().splitlines()
    assert f"OUT={folder}" in line
    assert_user_files_intact(folder)


def test_an_out_that_is_a_link_to_a_folder_is_refused_and_the_folder_kept(tmp_path: Path) -> None:
    """OUT a symbolic link to a folder, even one carrying the mark: refused; the link, folder and files stay."""
    repo = light_repo(tmp_path)
    folder = user_folder(tmp_path / "real")
    (folder / MARK).write_text("marked\n")
    link = tmp_path / "link"
    link.symlink_to(folder)
    code, _, stderr = run_tool(repo, "ftp://x", "--out", str(link))
    assert code == 2 and "is a symbolic link" in stderr
    assert link.is_symlink() and (folder / "report.md").read_text() == USER_FILES["report.md"]
    assert len(list(folder.iterdir())) == len(USER_FILES) + 1


def test_an_out_that_is_a_regular_file_is_refused_and_kept(tmp_path: Path) -> None:
    """OUT naming a file: refused, the file unchanged."""
    repo = light_repo(tmp_path)
    target = tmp_path / "notes.txt"
    target.write_text("keep me\n")
    code, _, stderr = run_tool(repo, "ftp://x", "--out", str(target))
    assert code == 2 and "is not a folder" in stderr
    assert target.read_text() == "keep me\n"


def test_a_marked_folder_loses_only_the_tools_own_files_on_a_refusal(tmp_path: Path) -> None:
    """A previous run's folder: a refusal clears its result (no stale result outlives it); a file someone put there stays."""
    repo = light_repo(tmp_path)
    out = tmp_path / "out"
    same = (repo / "openapi.json").read_bytes()
    with spec_server() as server:
        code, _, stderr = run_tool(
            repo, server.put("/openapi.json", same), "--out", str(out), **stubs(tmp_path / "s")
        )
        assert code == 0 and result(repo, str(out))["status"] == 0, stderr
        (out / "kept.txt").write_text("mine\n")
        code, _, stderr = run_tool(repo, server.base + "/missing.json", "--out", str(out))
    assert code == 2 and "HTTP 404" in stderr
    assert sorted(path.name for path in out.iterdir()) == sorted([MARK, "kept.txt"])


def test_a_new_folder_outside_the_tree_is_made_and_marked(tmp_path: Path) -> None:
    """OUT naming a folder that does not exist: created, marked, and the result written there."""
    repo = light_repo(tmp_path)
    out = tmp_path / "new" / "out"
    spec = json.dumps(frozen_base(), indent=1).encode()
    with spec_server() as server:
        code, stdout, stderr = run_tool(repo, server.put("/openapi.json", spec), "--out", str(out))
    assert code == 0, stdout + stderr
    assert (out / MARK).is_file() and result(repo, str(out))["status"] == 0
    assert not (repo / ".spec-update").exists()
