"""A cheap rig for the spec-update transaction tests: a repository copy on the frozen spec without
regeneration, and stand-ins for the slow steps (generate, diff, check, tests) so a test pays only for
the lock, the staging copy, the journal, the output folder and spec-pr's checks.

The stand-ins do what the real steps do to the files: generation rewrites a file under
generated_client/ and api.md from openapi.json, the diff prints a JSON report with one added method.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.spec_update_rig import BASE_CHANGELOG, BASE_VERSION, SPECS, git, with_changes

ROOT = Path(__file__).resolve().parents[2]
GENERATED = "generated_client/raia_agent_api/_spec_stand_in.txt"

STUB_GENERATE = f"""
import hashlib, pathlib
digest = hashlib.sha256(pathlib.Path("openapi.json").read_bytes()).hexdigest()
pathlib.Path({GENERATED!r}).write_text(digest + "\\n", encoding="utf-8")
pathlib.Path("api.md").write_text("# API\\n\\nfrom the spec " + digest + "\\n", encoding="utf-8")
"""
REPORT = {
    "old": "old", "new": "new", "breaking": False, "changes": [], "behaviour": [], "overlay": [], "notes": [],
    "python": [{"level": "info", "symbol": "resources.things.ThingsResource.ping", "before": "",
                "after": "ping(self) -> None", "message": "function added", "cause": "", "direction": ""}],
}  # fmt: skip
STUB_DIFF = f"import sys\nsys.stdout.write({json.dumps(REPORT)!r})\n"
# The test step that waits: it says it started, then waits (bounded) until the test lets it go.
STUB_WAIT = """
import os, pathlib, time
pathlib.Path(os.environ["STUB_STARTED"]).write_text(str(os.getpid()), encoding="utf-8")
for _ in range(6000):
    if pathlib.Path(os.environ["STUB_GO"]).exists():
        break
    time.sleep(0.1)
print("7 passed")
"""
PASS = f"{sys.executable} -c \"print('7 passed')\""


def stubs(where: Path, wait: bool = False) -> dict[str, str]:
    """The environment that replaces the slow steps with the stand-ins above."""
    where.mkdir(parents=True, exist_ok=True)
    scripts = {"generate": STUB_GENERATE, "diff": STUB_DIFF, "wait": STUB_WAIT}
    for name, text in scripts.items():
        (where / f"{name}.py").write_text(text, encoding="utf-8")
    return {
        "UPDATE_SPEC_GENERATE_CMD": f"{sys.executable} {where / 'generate.py'}",
        "UPDATE_SPEC_DIFF_CMD": f"{sys.executable} {where / 'diff.py'}",
        "UPDATE_SPEC_CHECK_CMD": PASS,
        "UPDATE_SPEC_TEST_CMD": f"{sys.executable} {where / 'wait.py'}" if wait else PASS,
        "STUB_STARTED": str(where / "started"),
        "STUB_GO": str(where / "go"),
    }


def light_repo(where: Path) -> Path:
    """The working tree's files on the frozen spec, version BASE_VERSION, committed on `main` and
    pushed to a bare `origin`; generated_client/ is left as it is (the stand-ins never read it)."""
    repo = where / "repo"
    listed = subprocess.run(["git", "ls-files", "-z", "-c", "-o", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout  # fmt: skip
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, repo / name)
            shutil.copymode(source, repo / name)
    shutil.copyfile(SPECS / "openapi.frozen.json", repo / "openapi.json")
    (repo / "src" / "raia_agent" / "_version.py").write_text(f'__version__ = "{BASE_VERSION}"\n')
    (repo / "CHANGELOG.md").write_text(BASE_CHANGELOG)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    remote = where / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / ".git" / "info" / "exclude").write_text(".venv\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "frozen base")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    return repo


def new_spec() -> bytes:
    """A compatible vendor update: one more optional request field on the first schema with properties."""

    def add(spec: dict[str, Any]) -> None:
        schema = next(s for s in spec["components"]["schemas"].values() if "properties" in s)
        schema["properties"]["rating_added_by_test"] = {"type": "integer"}

    return json.dumps(with_changes(add)).encode()


def tree_state(repo: Path) -> dict[str, str]:
    """Path -> sha256 of every file git sees in the checkout (tracked or not ignored), and HEAD."""
    listed = git(repo, "ls-files", "-z", "-c", "-o", "--exclude-standard").split("\0")
    state = {
        name: hashlib.sha256((repo / name).read_bytes()).hexdigest()
        for name in filter(None, listed)
        if (repo / name).is_file() and not (repo / name).is_symlink()
    }
    return {**state, "HEAD": git(repo, "rev-parse", "HEAD").strip()}


def tool(repo: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """`python -m tools.spec_update ARGS` in the copy, in its own process group, output captured."""
    return subprocess.Popen([sys.executable, "-m", "tools.spec_update", *args], cwd=repo, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env},
                            start_new_session=True)  # fmt: skip


def run_tool(repo: Path, *args: str, **env: str) -> tuple[int, str, str]:
    process = tool(repo, *args, **env)
    stdout, stderr = process.communicate(timeout=300)
    return process.returncode, stdout, stderr


def result(repo: Path, out: str = ".spec-update") -> dict[str, Any]:
    return json.loads((repo / out / "result.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
