"""make update-spec URL=<http(s) URL | file:// URL | path> [OUT=dir]

Fetch the vendor's spec and refuse it under the untrusted-spec rules; then, in a staging copy outside
the checkout, write it verbatim to openapi.json, regenerate, run `make diff`, write the version and
CHANGELOG.md, run `make check` and the test suite. Only when every step has finished are the files
the update wrote applied to the checkout (all of them, or none: an interrupted run is completed by
the next), and the output folder filled (report.md, CHANGELOG.md, one log per step, result.json).
One update runs per checkout at a time; a second is refused, naming the first.

Exit status: 0 nothing changed, 10 compatible update, 11 breaking update, 2 refused (one line, nothing
written), 1 a check or test failed (everything still written, the report marked failing).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import json
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from tools.codegen.guard import MAX_BYTES, SpecRefused, load_untrusted

from . import _changelog, _outdir, _report, _staging, _steps, _txn, _version
from ._fetch import FetchFailed, fetch

ROOT = Path(__file__).resolve().parents[2]
UNCHANGED, COMPATIBLE, BREAKING, REFUSED, FAILED = 0, 10, 11, 2, 1
FETCH_SECONDS = 60.0
STOPPING = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Refused(Exception):
    """The update stops before writing anything; str() is the one line printed."""


class Interrupted(BaseException):
    """A signal asked the update to stop; cleanup runs on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold stopping signals while the update is applied; they take effect once it is complete."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)


def _same_document(old: bytes, new: Any) -> bool:
    try:
        return bool(json.loads(old) == new)
    except ValueError:
        return False


def _verdict(report: dict[str, Any], lines: dict[str, list[str]], pending: dict[str, list[str]]) -> str:
    """The spec's verdict; entries the release takes from [Unreleased] count too (Removed breaks)."""
    if report.get("breaking") or pending["Removed"]:
        return "breaking"
    return "additions" if _changelog.has_additions(lines) or pending["Added"] else "other"


def _fetch_guarded(source: str, scratch: Path) -> tuple[bytes, Any]:
    """The spec's bytes and document, fetched within bounds and accepted by the guard; else Refused."""
    if not source:
        raise Refused("refused: give the spec's URL or path (make update-spec URL=...)")
    try:
        data = fetch(source, MAX_BYTES, FETCH_SECONDS)
    except FetchFailed as exc:
        raise Refused(f"cannot fetch the spec: {exc}") from None
    fetched = scratch / "openapi.json"
    fetched.write_bytes(data)
    try:
        document = load_untrusted(fetched)
    except SpecRefused as exc:
        raise Refused(f"refused: {exc}") from None
    return data, document


def _previous(out: Path) -> dict[str, Any] | None:
    try:
        loaded = (
            json.loads((out / "result.json").read_text(encoding="utf-8")) if _outdir.is_ours(out) else None
        )
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _still_applied(root: Path, result: dict[str, Any], sha256: str, commit: str) -> bool:
    """The previous result is this spec's, made on this commit, and the checkout still holds its files."""
    files = result.get("files")
    return (
        result.get("status") in (COMPATIBLE, BREAKING, FAILED)
        and result.get("spec_sha256") == sha256
        and result.get("commit") == commit
        and isinstance(files, dict)
        and all(_txn.sha256(root / name) == digest for name, digest in files.items())
    )


def _complete_pending(root: Path) -> dict[str, Any] | None:
    """Finish applying an update that a killed run had committed to (its journal is in .git)."""
    if _txn.pending(root) is None:
        return None
    with _uninterrupted():
        plan = _txn.apply(root)
        out = Path(plan["out"])
        if _outdir.is_ours(out):
            _report.write_result(out, plan["result"])
        _txn.finish(root)
    print(f"update-spec: completed the update an interrupted run had begun applying ({plan['result']['verdict']} "
          f"-> {plan['result']['version']})", file=sys.stderr)  # fmt: skip
    result: dict[str, Any] = plan["result"]
    return result


def _without_make(output: str) -> str:
    return "\n".join(line for line in output.splitlines() if not line.startswith(("make: ", "make[")))


def _prepare(root: Path, tree: Path, out: Path, data: bytes, previous: Path, commands: _steps.Commands,
             progress: _steps.Progress) -> dict[str, Any]:  # fmt: skip
    """Every step, in the staging copy; returns the result. Nothing in the checkout is touched."""
    before = _staging.snapshot(tree)
    previous_version = _version.read(tree)
    (tree / "openapi.json").write_bytes(data)
    env = _staging.env(tree)
    generated = _steps.timed(progress, "make generate", commands.generate, tree, env)
    if not generated.ok:
        from tools.apidiff._build import summarise  # only now: it loads the generator (seconds)

        raise Refused(f"refused: generation fails: {summarise(_without_make(generated.output), tree)}")
    argv = _steps.diff_argv(commands.diff, previous)
    diffed = _steps.timed(progress, "make diff", argv, tree, env, separate=True)
    try:
        report: dict[str, Any] = json.loads(diffed.output)
    except ValueError:
        report = {"breaking": False, "failure": (diffed.errors or diffed.output).strip()[-500:]}
    lines = _changelog.entries(report)
    changelog_path = tree / "CHANGELOG.md"
    current = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else None
    verdict = _verdict(report, lines, _changelog.pending(current))
    version = _version.bump(previous_version, verdict)
    date = datetime.datetime.now(datetime.UTC).date().isoformat()
    changelog, section = _changelog.release(current, version, date, lines)
    changelog_path.write_text(changelog, encoding="utf-8")
    _version.write(tree, version)
    files = _staging.changed(before, _staging.snapshot(tree))
    # kept now, so whatever the checks and tests leave behind is never applied
    _txn.stage(root, tree, files)
    steps = [generated]
    steps.append(_steps.timed(progress, "make check", commands.check, tree, env))
    steps.append(_steps.timed(progress, "tests", commands.tests, tree, env))
    steps.append(dataclasses.replace(diffed, ok=not report.get("failure")))
    status = FAILED if any(not s.ok for s in steps) else BREAKING if verdict == "breaking" else COMPATIBLE
    word = "breaking" if verdict == "breaking" else "compatible"
    sha256 = hashlib.sha256(data).hexdigest()
    outcome = _report.Outcome(status, word, previous_version, version, sha256, steps, section,
                              _report.diff_markdown(report), _txn.head(root), files)  # fmt: skip
    _report.write(out, outcome, changelog)
    return outcome.as_json()


def _say(result: dict[str, Any], out: Path, prefix: str = "") -> None:
    if result["status"] == UNCHANGED:
        print(
            f"update-spec: {prefix}no change (openapi.json already holds this document); see {out}/report.md"
        )
        return
    failing = f"; FAILING: {', '.join(result['failed_steps'])}" if result["failed_steps"] else ""
    print(f"update-spec: {prefix}{result['verdict']} update, version {result['previous_version']} -> "
          f"{result['version']}{failing}; see {out}/report.md")  # fmt: skip


def update(source: str, root: Path, out: Path, commands: _steps.Commands, progress: _steps.Progress) -> int:
    with _txn.locked(root, "make update-spec"):
        completed = _complete_pending(root)
        commit = _txn.head(root)
        previous = completed or _previous(out)
        try:
            with tempfile.TemporaryDirectory(prefix="raia-spec-update-") as tmp:
                scratch = Path(tmp)
                started = progress.start("fetch")
                data, document = _fetch_guarded(source, scratch)
                progress.end("fetch", started)
                sha256 = hashlib.sha256(data).hexdigest()
                spec_path = root / "openapi.json"
                old = spec_path.read_bytes() if spec_path.exists() else b""
                if old == data or _same_document(old, document):
                    if previous is not None and _still_applied(root, previous, sha256, commit):
                        _say(previous, out, "already applied: ")
                        return int(previous["status"])
                    _outdir.clear(out)
                    version = _version.read(root)
                    outcome = _report.Outcome(UNCHANGED, "unchanged", version, version, sha256, commit=commit)
                    _report.write(out, outcome, None)
                    _report.write_result(out, outcome.as_json())
                    _say(outcome.as_json(), out)
                    return UNCHANGED
                _outdir.clear(out)
                (scratch / "openapi.before.json").write_bytes(old)
                with _staging.staging(root) as tree:
                    result = _prepare(
                        root, tree, out, data, scratch / "openapi.before.json", commands, progress
                    )
        except Refused:
            _outdir.clear(out)
            _txn.unstage(root)
            raise
        except BaseException:
            _txn.unstage(root)
            raise
        started = progress.start("apply to the checkout")
        with _uninterrupted():
            _txn.commit(root, {"out": str(out), "result": result})
            _txn.apply(root)
            _report.write_result(out, result)
            _txn.finish(root)
        progress.end("apply to the checkout", started)
    _say(result, out)
    return int(result["status"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make update-spec", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("source", help="http(s):// URL, file:// URL or path of the vendor's openapi.json")
    parser.add_argument("--out", type=Path, help="output folder (default .spec-update)")
    parser.add_argument("--progress", action="store_true", help="a line on stderr per step, with its time")
    parser.add_argument("--check-cmd", help="instead of `make check` (also UPDATE_SPEC_CHECK_CMD)")
    parser.add_argument("--test-cmd", help="instead of the whole pytest suite (also UPDATE_SPEC_TEST_CMD)")
    args = parser.parse_args(argv)
    for signum in STOPPING:
        signal.signal(signum, _interrupt)
    default = ROOT / ".spec-update"
    commands = _steps.Commands(
        generate=_steps.command(None, "UPDATE_SPEC_GENERATE_CMD", _steps.DEFAULT_GENERATE),
        check=_steps.command(args.check_cmd, "UPDATE_SPEC_CHECK_CMD", _steps.DEFAULT_CHECK),
        tests=_steps.command(args.test_cmd, "UPDATE_SPEC_TEST_CMD", _steps.DEFAULT_TESTS),
        diff=_steps.command(None, "UPDATE_SPEC_DIFF_CMD", _steps.DEFAULT_DIFF),
    )
    try:
        # every check on OUT runs before anything in it is cleared
        out = _outdir.check(args.out if args.out is not None else default, ROOT, default)
        return update(args.source, ROOT, out, commands, _steps.Progress(args.progress))
    except (Refused, _outdir.OutRefused, _txn.Busy, _txn.NotACheckout) as exc:
        print("update-spec: " + " ".join(str(exc).split()), file=sys.stderr)
        return REFUSED
    except Interrupted as exc:
        print(f"update-spec: stopped by signal {exc.signum}: the checkout holds its old files or the whole "
              "update, never part of it; run again to redo or finish it", file=sys.stderr)  # fmt: skip
        return 128 + exc.signum


if __name__ == "__main__":
    sys.exit(main())
