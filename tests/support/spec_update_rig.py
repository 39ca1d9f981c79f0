"""The spec-update autopilot's test rig: a repository copy on frozen inputs with a git remote, a
local HTTP server for the vendor's spec, and a fake `gh` that records its calls."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The frozen spec, overlay and generator config shared by the generation tests (tests/specs/README.md).
SPECS = Path(__file__).resolve().parents[1] / "specs"
CHECK_SCRIPT = Path(__file__).with_name("spec_update_check.py")
BASE_VERSION = "1.4.2"
BASE_CHANGELOG = """# Changelog

## [Unreleased]

### Fixed

- a hand-written fix, released with the next version

## [1.4.2] - 2026-01-01

### Added

- the frozen base release
"""

FAKE_GH = """#!{python}
# Records each call; keeps one pull request's state, as `gh` would see it on GitHub.
import json, pathlib, shutil, sys

here = pathlib.Path(__file__).resolve().parent
args = sys.argv[1:]
calls = here / "gh-calls.jsonl"
state = here / "gh-pr.json"
entry = {{"args": args}}
if "--body-file" in args:
    entry["body"] = pathlib.Path(args[args.index("--body-file") + 1]).read_text(encoding="utf-8")
with calls.open("a", encoding="utf-8") as log:
    log.write(json.dumps(entry) + "\\n")

def values(flag):
    return [args[i + 1] for i, a in enumerate(args) if a == flag]

if args[:2] == ["pr", "view"]:
    if not state.exists():
        sys.exit('no pull requests found for branch "spec-update"')
    print(state.read_text(encoding="utf-8"))
elif args[:2] == ["pr", "create"]:
    labels = [{{"name": name}} for name in values("--label")]
    state.write_text(json.dumps({{"number": 1, "state": "OPEN", "labels": labels}}), encoding="utf-8")
elif args[:2] == ["pr", "edit"]:
    pr = json.loads(state.read_text(encoding="utf-8"))
    names = ({{label["name"] for label in pr["labels"]}} | set(values("--add-label"))) - set(values("--remove-label"))
    pr["labels"] = [{{"name": name}} for name in sorted(names)]
    state.write_text(json.dumps(pr), encoding="utf-8")
"""


def frozen_base() -> dict[str, Any]:
    return json.loads((SPECS / "openapi.frozen.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout


def make_repo(where: Path) -> Path:
    """A repository copy on the frozen spec, overlay and generator config, version BASE_VERSION,
    committed on `main` and pushed to a bare `origin`; it shares the installed virtualenv."""
    repo = where / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "*cache*",
                                                               "__pycache__", ".spec-update"))  # fmt: skip
    (repo / ".venv").symlink_to(ROOT / ".venv")
    (repo / "node_modules").symlink_to(ROOT / "node_modules")
    shutil.copyfile(SPECS / "openapi.frozen.json", repo / "openapi.json")
    shutil.copyfile(SPECS / "overlay.frozen.yaml", repo / "spec" / "overlay.yaml")
    shutil.copyfile(SPECS / "generator.frozen.yaml", repo / "spec" / "generator.yaml")
    (repo / "src" / "raia_agent" / "_version.py").write_text(f'__version__ = "{BASE_VERSION}"\n')
    (repo / "CHANGELOG.md").write_text(BASE_CHANGELOG)
    generated = subprocess.run(
        [str(repo / "generate.sh")], cwd=repo, capture_output=True, text=True, check=False
    )
    assert generated.returncode == 0, generated.stderr
    remote = where / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / ".git" / "info" / "exclude").write_text(".venv\nnode_modules\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "frozen base")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    return repo


def fake_gh(bin_dir: Path) -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(0o755)
    return bin_dir


def gh_calls(bin_dir: Path) -> list[dict[str, Any]]:
    log = bin_dir / "gh-calls.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


class SpecServer:
    """Serves the bytes put at a path; anything else is 404. Binds 127.0.0.1 only."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                with contextlib.suppress(OSError):  # the client stopped reading (the size bound)
                    self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def put(self, path: str, body: bytes) -> str:
        self.routes[path] = body
        return self.base + path


@contextmanager
def spec_server() -> Iterator[SpecServer]:
    server = SpecServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join()


def run_update(repo: Path, source: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tools.spec_update", source], cwd=repo, capture_output=True,
                          text=True, env={**os.environ, **env}, check=False, timeout=600)  # fmt: skip


def run_pr(repo: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([sys.executable, "-m", "tools.spec_update.pr"], cwd=repo, capture_output=True,
                           text=True, env=env, check=False, timeout=120)  # fmt: skip


def with_changes(*changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(frozen_base())
    for change in changes:
        change(spec)
    return spec
