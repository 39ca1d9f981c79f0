"""make spec-pr [OUT=dir]: after `make update-spec`, commit its result to the branch `spec-update`,
push it, and open or update the one pull request from that branch with `gh`.

Everything the spec-update workflow does besides checking out the repository is here or in
`make update-spec`, so it runs the same way locally (with a real or a fake `gh` on PATH).

Exit status: 0 done (or nothing to do), 1 the update's checks or tests failed (the pull request is
still opened, marked failing), 2 no usable result (the update was refused or did not finish).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BRANCH = "spec-update"
LABEL = "breaking"
# What `make update-spec` changes in the repository; nothing else is ever committed.
PATHS = ["openapi.json", "generated_client", "CHANGELOG.md", "src/raia_agent/_version.py"]
BODY_LIMIT = 60_000  # GitHub refuses a pull request body over 65,536 characters
BOT = [
    "-c",
    "user.name=github-actions[bot]",
    "-c",
    "user.email=41898282+github-actions[bot]@users.noreply.github.com",
]


class Failed(Exception):
    """A git or gh command failed; str() says which."""


def _run(argv: list[str], root: Path, capture: bool = False) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv, cwd=root, capture_output=capture, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0 and argv[:3] != ["gh", "pr", "view"]:
        raise Failed(
            f"`{' '.join(argv[:3])} ...` failed (exit {done.returncode}){': ' + done.stderr.strip()[-300:] if capture else ''}"
        )
    return done


def _git(root: Path, *args: str, capture: bool = False) -> str:
    identity = [] if _has_identity(root) else BOT
    return _run(["git", *identity, *args], root, capture).stdout or ""


def _has_identity(root: Path) -> bool:
    done = subprocess.run(
        ["git", "config", "user.email"], cwd=root, capture_output=True, text=True, check=False
    )
    return bool(done.stdout.strip())


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


def commit_and_push(root: Path, result: dict[str, Any]) -> str:
    """Commit the update on BRANCH, force-push it; the branch it started from is the pull request's base."""
    base = _git(root, "rev-parse", "--abbrev-ref", "HEAD", capture=True).strip()
    _git(root, "checkout", "-B", BRANCH)
    _git(root, "add", "--all", "--", *PATHS)
    message = f"{title(result)}\n\nopenapi.json sha256 {result['spec_sha256']}; see the pull request for the report."
    _git(root, "commit", "--quiet", "--allow-empty", "-m", message)
    # the branch is the bot's: each run replaces it with main + the current vendor spec
    _git(root, "push", "--force", "--quiet", "origin", BRANCH)
    return base


def open_or_update(root: Path, out: Path, result: dict[str, Any], base: str) -> None:
    breaking = result["verdict"] == "breaking"
    viewed = _run(["gh", "pr", "view", BRANCH, "--json", "number,state,labels"], root, capture=True)
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
        argv = [
            "gh",
            "pr",
            "create",
            "--head",
            BRANCH,
            "--base",
            base,
            "--title",
            title(result),
            "--body-file",
            body,
        ]
        _run(argv + (["--label", LABEL] if breaking else []), root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make spec-pr", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / ".spec-update", help="update-spec's output folder")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    try:
        result: dict[str, Any] = json.loads((out / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(
            f"spec-pr: no result in {out}: the update was refused or did not finish (see its log)",
            file=sys.stderr,
        )
        return 2
    if result.get("status") == 0:
        print("spec-pr: the vendor's spec has not changed; no pull request")
        return 0
    try:
        base = commit_and_push(ROOT, result)
        open_or_update(ROOT, out, result, base)
    except Failed as exc:
        print(f"spec-pr: {exc}", file=sys.stderr)
        return 2
    print(f"spec-pr: pull request from {BRANCH} is up to date ({result['verdict']})")
    return 1 if result.get("tests") == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
