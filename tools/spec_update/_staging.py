"""The staging copy an update is prepared in: a detached git worktree of HEAD, outside the tree,
holding the checkout's uncommitted changes too, sharing its virtualenv.

Steps run there with the copy's `src/` and `generated_client/` first on PYTHONPATH, so its checks
and tests judge the regenerated client, not the checkout's editable install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Shared with the checkout rather than copied: installed once, never written by an update.
LINKS = (".venv", "node_modules")
# No hook of the checkout runs for the worktree update-spec makes and removes.
GIT = ["git", "-c", "core.hooksPath=/dev/null"]


def _git(cwd: Path, *args: str) -> bytes:
    done = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise OSError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def _names(cwd: Path, *flags: str) -> list[str]:
    listed = _git(cwd, "ls-files", "-z", "--exclude-standard", *flags).split(b"\0")
    return sorted({os.fsdecode(name) for name in listed if name})


def _sync(root: Path, tree: Path) -> None:
    """Bring the checkout's uncommitted edits, new files and deletions into the staging copy, and its
    files' times: make judges the shared virtualenv's stamp by them, and a checkout made now would
    look newer than the install, so a sub-make (`make check` runs one) would try to reinstall it."""
    edited = _names(root, "-m", "-o", "-d")
    for name in sorted(set(_names(root, "-c")) - set(edited)):
        source, target = root / name, tree / name
        if source.is_file() and not source.is_symlink() and target.is_file():
            times = source.stat()
            os.utime(target, ns=(times.st_atime_ns, times.st_mtime_ns), follow_symlinks=False)
    for name in edited:
        source, target = root / name, tree / name
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
        elif not source.exists():
            target.unlink(missing_ok=True)


def env(tree: Path) -> dict[str, str]:
    """What a step in the staging copy runs with: the copy's packages before the editable install's."""
    paths = [str(tree / "src"), str(tree / "generated_client")]
    return {"PYTHONPATH": os.pathsep.join(paths)}


@contextmanager
def staging(root: Path) -> Iterator[Path]:
    """A staging copy of the checkout, removed afterwards however the block ends."""
    holder = Path(tempfile.mkdtemp(prefix="raia-spec-update-"))
    tree = holder / "tree"
    try:
        _git(root, "worktree", "add", "--quiet", "--detach", str(tree), "HEAD")
        _sync(root, tree)
        for name in LINKS:
            if (root / name).exists() and not (tree / name).exists():
                (tree / name).symlink_to((root / name).resolve())
        yield tree
    finally:
        subprocess.run([*GIT, "worktree", "remove", "--force", str(tree)], cwd=root, capture_output=True,
                       check=False)  # fmt: skip
        # never `git worktree prune`: it would also drop other worktrees whose folders are away
        shutil.rmtree(holder, ignore_errors=True)


def snapshot(tree: Path) -> dict[str, str]:
    """Path -> sha256 of every regular file git would see (tracked or not ignored); links are skipped."""
    digests = {}
    for name in _names(tree, "-c", "-o"):
        path = tree / name
        if path.is_file() and not path.is_symlink():
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def changed(before: dict[str, str], after: dict[str, str]) -> dict[str, str | None]:
    """The files the update wrote: path -> new sha256, or None for a file it removed."""
    return {
        name: after.get(name)
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }
