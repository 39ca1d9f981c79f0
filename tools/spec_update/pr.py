"""make spec-pr [OUT=dir]: after `make update-spec`, commit the files the update wrote (as its
result.json lists them) to the branch `spec-update`, push it, and open or update the one pull request
from that branch with `gh`.

Everything is checked before anything is pushed: `gh` is on PATH, HEAD is a branch and the commit the
update was made on, and every file the update wrote still holds what it wrote. The commit is built
from those files alone (a temporary index: the checkout's branch, index and files are left alone),
on top of HEAD. The branch is replaced only if every commit on it that HEAD lacks was made by this
tool; a commit pushed by anyone else stops the run, which says so.

Exit status: 0 done (or nothing to do), 1 the update's checks or tests failed (the pull request is
still opened, marked failing), 2 refused or no usable result (nothing pushed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import _outdir, _txn

ROOT = Path(__file__).resolve().parents[2]
BRANCH = "spec-update"
LABEL = "breaking"
# The trailer that marks a commit as this tool's: only such commits are ever replaced.
TRAILER = "Made-by: make spec-pr"
BODY_LIMIT = 60_000  # GitHub refuses a pull request body over 65,536 characters
BOT = {
    "GIT_AUTHOR_NAME": "github-actions[bot]",
    "GIT_AUTHOR_EMAIL": "41898282+github-actions[bot]@users.noreply.github.com",
}


class Failed(Exception):
    """A check or a git or gh command failed; str() says which."""


def _run(argv: list[str], root: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})  # fmt: skip
    if done.returncode != 0 and argv[:3] != ["gh", "pr", "view"]:
        raise Failed(
            f"`{' '.join(argv[:3])} ...` failed (exit {done.returncode}): {done.stderr.strip()[-300:]}"
        )
    return done


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return _run(["git", *args], root, env).stdout.strip()


def title(result: dict[str, Any]) -> str:
    words = "breaking " if result["verdict"] == "breaking" else ""
    failing = "[failing] " if result["tests"] == "failed" else ""
    return f"{failing}Vendor spec update: {words}{result['previous_version']} -> {result['version']}"


def body_file(out: Path) -> Path:
    """report.md, cut to what GitHub accepts; the full report stays in the output folder."""
    text = (out / "report.md").read_text(encoding="utf-8")
    if len(text) <= BODY_LIMIT:
        return out / "report.md"
    cut = out / "report.body.md"
    cut.write_text(
        text[:BODY_LIMIT] + "\n\n(cut: the full report is in the workflow's log)\n", encoding="utf-8"
    )
    return cut


def verify(root: Path, result: dict[str, Any]) -> tuple[str, dict[str, str | None]]:
    """(the branch HEAD is on, the files to commit), or Failed saying why nothing may be pushed."""
    if shutil.which("gh") is None:
        raise Failed("`gh` (GitHub's CLI) is not on PATH; nothing was pushed")
    branch = subprocess.run(["git", "symbolic-ref", "-q", "--short", "HEAD"], cwd=root, capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    if not branch:
        raise Failed("HEAD is detached: check out the branch the pull request should target")
    files = result.get("files")
    if not isinstance(files, dict) or "openapi.json" not in files:
        raise Failed("result.json lists no files the update wrote: rerun make update-spec")
    if _txn.head(root) != result.get("commit"):
        raise Failed(
            f"HEAD is not the commit the update was made on ({str(result.get('commit'))[:12]}): rerun make update-spec"
        )
    for name, digest in files.items():
        if _txn.sha256(root / name) != digest:
            raise Failed(f"{name} differs from what the update wrote: rerun make update-spec")
    return branch, files


def _foreign_commits(root: Path) -> tuple[str, list[str]]:
    """(the remote branch's commit, or "" if none; the commits on it HEAD lacks that this tool did not make)."""
    listed = _git(root, "ls-remote", "origin", f"refs/heads/{BRANCH}")
    if not listed:
        return "", []
    remote = listed.split()[0]
    _git(
        root, "fetch", "--quiet", "--no-tags", "origin", f"+refs/heads/{BRANCH}:refs/remotes/origin/{BRANCH}"
    )
    log = _git(root, "log", "--format=%H%x00%an%x00%B%x01", f"HEAD..{remote}")
    foreign = []
    for entry in filter(None, (part.strip("\n") for part in log.split("\x01"))):
        sha, author, message = entry.split("\x00", 2)
        if TRAILER not in message.splitlines():
            foreign.append(f"{sha[:12]} by {author}")
    return remote, foreign


def commit_and_push(root: Path, result: dict[str, Any], files: dict[str, str | None]) -> None:
    """One commit on HEAD holding exactly the update's files, pushed to BRANCH with a lease."""
    remote, foreign = _foreign_commits(root)
    if foreign:
        raise Failed(
            f"origin/{BRANCH} has commits make spec-pr did not make ({', '.join(foreign[:3])}); not overwriting "
            "them: merge or close that pull request, or delete the branch, then rerun"
        )
    with tempfile.TemporaryDirectory(prefix="raia-spec-pr-") as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git(root, "read-tree", "HEAD", env=index)
        names = "".join(f"{name}\0" for name in files)
        done = subprocess.run(["git", "update-index", "--add", "--remove", "-z", "--stdin"], cwd=root, input=names,
                              text=True, capture_output=True, check=False, env={**os.environ, **index})  # fmt: skip
        if done.returncode != 0:
            raise Failed(f"`git update-index` failed: {done.stderr.strip()[-300:]}")
        tree = _git(root, "write-tree", env=index)
    if tree == _git(root, "rev-parse", "HEAD^{tree}"):
        raise Failed("the update's files are already committed on HEAD: nothing to push")
    message = (
        f"{title(result)}\n\nopenapi.json sha256 {result['spec_sha256']}; see the pull request for the report."
        f"\n\n{TRAILER}\n"
    )
    identity = {} if _git_config(root, "user.email") else {**BOT, "GIT_COMMITTER_NAME": BOT["GIT_AUTHOR_NAME"],
                                                          "GIT_COMMITTER_EMAIL": BOT["GIT_AUTHOR_EMAIL"]}  # fmt: skip
    made = _git(root, "commit-tree", tree, "-p", "HEAD", "-m", message, env=identity)
    # the lease: if the branch moved since it was read, the push fails instead of overwriting
    _git(root, "push", "--quiet", f"--force-with-lease=refs/heads/{BRANCH}:{remote}", "origin",
         f"{made}:refs/heads/{BRANCH}")  # fmt: skip


def _git_config(root: Path, key: str) -> str:
    done = subprocess.run(["git", "config", key], cwd=root, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def open_or_update(root: Path, out: Path, result: dict[str, Any], base: str) -> None:
    breaking = result["verdict"] == "breaking"
    viewed = _run(["gh", "pr", "view", BRANCH, "--json", "number,state,labels"], root)
    existing: dict[str, Any] = json.loads(viewed.stdout) if viewed.returncode == 0 else {}
    body = str(body_file(out))
    if breaking:
        _run(["gh", "label", "create", LABEL, "--force", "--color", "B60205",
              "--description", "the vendor's update breaks Python callers"], root)  # fmt: skip
    if existing.get("state") == "OPEN":
        labels = {str(label.get("name")) for label in existing.get("labels", [])}
        argv = ["gh", "pr", "edit", BRANCH, "--title", title(result), "--body-file", body]
        if breaking:
            argv += ["--add-label", LABEL]
        elif LABEL in labels:
            argv += ["--remove-label", LABEL]
        _run(argv, root)
    else:
        argv = ["gh", "pr", "create", "--head", BRANCH, "--base", base, "--title", title(result),
                "--body-file", body]  # fmt: skip
        _run(argv + (["--label", LABEL] if breaking else []), root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make spec-pr", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / ".spec-update", help="update-spec's output folder")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    try:
        if not _outdir.is_ours(out):
            raise ValueError
        result: dict[str, Any] = json.loads((out / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"spec-pr: no result in {out}: the update was refused or did not finish (see its log)",
              file=sys.stderr)  # fmt: skip
        return 2
    if result.get("status") == 0:
        print("spec-pr: the vendor's spec has not changed; no pull request")
        return 0
    try:
        with _txn.locked(ROOT, "make spec-pr"):
            base, files = verify(ROOT, result)
            commit_and_push(ROOT, result, files)
            open_or_update(ROOT, out, result, base)
    except (Failed, _txn.Busy, _txn.NotACheckout) as exc:
        print(f"spec-pr: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    print(f"spec-pr: pull request from {BRANCH} is up to date ({result['verdict']})")
    return 1 if result.get("tests") == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
