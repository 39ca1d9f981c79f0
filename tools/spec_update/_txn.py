"""One update per checkout, applied all at once: a lock, and a journal that a rerun completes.

The update is prepared in a staging copy outside the tree. Only when every step has finished are
its files copied into a journal in the checkout's git directory; renaming that journal into place is
the commit point. Applying it replaces each file atomically; a run killed while applying leaves the
journal, and the next run completes it before anything else. So the tree holds the old files or the
new ones, never a mix that a rerun would mistake for "no change".
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

LOCK_NAME = "spec-update.lock"
JOURNAL_NAME = "spec-update-pending"


class Busy(Exception):
    """Another update holds the checkout; str() names it."""


class NotACheckout(Exception):
    """The project is not a git checkout; str() says so."""


def git_dir(root: Path) -> Path:
    """This checkout's own git directory (a worktree has its own, so each checkout has one lock)."""
    done = subprocess.run(["git", "rev-parse", "--absolute-git-dir"], cwd=root, capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise NotACheckout(f"{root} is not a git checkout: the update records the commit it was made on")
    return Path(done.stdout.strip())


def head(root: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=root, capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise NotACheckout(f"{root} has no commit yet: the update records the commit it was made on")
    return done.stdout.strip()


@contextmanager
def locked(root: Path, what: str) -> Iterator[None]:
    """Hold the checkout's lock, or raise Busy naming its holder. The kernel drops it when the process
    dies, however it dies, so a killed run never leaves a stale lock; children do not inherit it."""
    path = git_dir(root) / LOCK_NAME
    handle: IO[str] = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = " ".join(handle.read(300).split()) or "another process"
            raise Busy(f"another update holds this checkout ({holder}); wait for it to finish") from None
        handle.seek(0)
        handle.truncate()
        since = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        handle.write(f"{what}, pid {os.getpid()}, since {since}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def sha256(path: Path) -> str | None:
    """The file's digest, or None when it does not exist (a deletion in a file list)."""
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def journal(root: Path) -> Path:
    return git_dir(root) / JOURNAL_NAME


def _building(root: Path) -> Path:
    return journal(root).with_name(JOURNAL_NAME + ".building")


def stage(root: Path, staged: Path, files: dict[str, str | None]) -> None:
    """Copy the files the update wrote out of the staging copy into a journal not yet committed."""
    building = _building(root)
    shutil.rmtree(building, ignore_errors=True)
    (building / "files").mkdir(parents=True)
    for name, digest in files.items():
        if digest is not None:
            target = building / "files" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged / name, target)
    (building / "files.json").write_text(json.dumps(files), encoding="utf-8")


def unstage(root: Path) -> None:
    shutil.rmtree(_building(root), ignore_errors=True)


def commit(root: Path, plan: dict[str, Any]) -> None:
    """The commit point: once the journal is renamed into place, the update is applied, now or by a rerun."""
    building = _building(root)
    files = json.loads((building / "files.json").read_text(encoding="utf-8"))
    (building / "plan.json").write_text(json.dumps({**plan, "files": files}, indent=2), encoding="utf-8")
    _fsync_tree(building)
    final = journal(root)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(building, final)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def pending(root: Path) -> dict[str, Any] | None:
    """The plan of an update that was committed but not (fully) applied, if any."""
    plan = journal(root) / "plan.json"
    if not plan.is_file():
        return None
    loaded: dict[str, Any] = json.loads(plan.read_text(encoding="utf-8"))
    return loaded


def apply(root: Path) -> dict[str, Any]:
    """Put the journal's files into the tree (each replaced atomically; idempotent), then drop it."""
    folder = journal(root)
    plan: dict[str, Any] = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    for name, digest in plan["files"].items():
        target = root / name
        if digest is None:
            target.unlink(missing_ok=True)
            _drop_empty_folders(target.parent, root)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.spec-update-tmp")
        shutil.copyfile(folder / "files" / name, temporary)
        os.replace(temporary, target)
    return plan


def finish(root: Path) -> None:
    shutil.rmtree(journal(root), ignore_errors=True)


def _drop_empty_folders(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
