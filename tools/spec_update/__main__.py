"""make update-spec URL=<http(s) URL | file:// URL | path> [OUT=dir]

Fetch the vendor's spec, refuse it under the untrusted-spec rules, write it verbatim to openapi.json,
regenerate, run `make check`, the test suite and `make diff`, then write the version, CHANGELOG.md and
an output folder (report.md, CHANGELOG.md, result.json, one log per step).

Exit status: 0 nothing changed, 10 compatible update, 11 breaking update, 2 refused (one line, nothing
written), 1 a check or test failed (everything still written, the report marked failing).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from tools.apidiff._build import summarise
from tools.spec_guard import MAX_BYTES, SpecRefused, load_untrusted

from . import _changelog, _report, _steps, _version
from ._fetch import FetchFailed, fetch

ROOT = Path(__file__).resolve().parents[2]
UNCHANGED, COMPATIBLE, BREAKING, REFUSED, FAILED = 0, 10, 11, 2, 1
FETCH_SECONDS = 60.0


class Refused(Exception):
    """The update stops before writing anything; str() is the one line printed."""


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


def _dry_run(root: Path, scratch: Path) -> None:
    step = _steps.validate(root, scratch / "openapi.json", scratch / "dry-run")
    if not step.ok:
        raise Refused(f"refused: generation fails: {summarise(step.output, scratch)}")


def update(source: str, root: Path, out: Path, check_cmd: list[str], test_cmd: list[str]) -> int:
    previous_version = _version.read(root)
    spec_path = root / "openapi.json"
    with tempfile.TemporaryDirectory(prefix="raia-spec-update-") as tmp:
        scratch = Path(tmp)
        data, document = _fetch_guarded(source, scratch)
        sha256 = hashlib.sha256(data).hexdigest()
        old = spec_path.read_bytes() if spec_path.exists() else b""
        if old == data or _same_document(old, document):
            outcome = _report.Outcome(UNCHANGED, "unchanged", previous_version, previous_version, sha256)
            _report.write(out, outcome, None)
            print(f"update-spec: no change (openapi.json already holds this document); see {out}/report.md")
            return UNCHANGED
        _dry_run(root, scratch)
        previous = scratch / "openapi.before.json"
        previous.write_bytes(old)
        spec_path.write_bytes(data)
        steps = [_steps.generate(root)]
        if steps[0].ok:
            steps.append(_steps.run("make check", check_cmd, root))
            steps.append(_steps.run("tests", test_cmd, root))
        diffed = _steps.diff(root, previous)
        try:
            report: dict[str, Any] = json.loads(diffed.output)
        except ValueError:
            report = {"breaking": False, "failure": (diffed.errors or diffed.output).strip()[-500:]}
        steps.append(dataclasses.replace(diffed, ok=not report.get("failure")))
    lines = _changelog.entries(report)
    changelog_path = root / "CHANGELOG.md"
    current = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else None
    verdict = _verdict(report, lines, _changelog.pending(current))
    version = _version.bump(previous_version, verdict)
    date = datetime.datetime.now(datetime.UTC).date().isoformat()
    changelog, section = _changelog.release(current, version, date, lines)
    changelog_path.write_text(changelog, encoding="utf-8")
    _version.write(root, version)
    status = FAILED if any(not s.ok for s in steps) else BREAKING if verdict == "breaking" else COMPATIBLE
    word = "breaking" if verdict == "breaking" else "compatible"
    outcome = _report.Outcome(
        status, word, previous_version, version, sha256, steps, section, _report.diff_markdown(report)
    )
    _report.write(out, outcome, changelog)
    failing = f"; FAILING: {', '.join(s.name for s in outcome.failed)}" if outcome.failed else ""
    print(
        f"update-spec: {word} update, version {previous_version} -> {version}{failing}; see {out}/report.md"
    )
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make update-spec", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("source", help="http(s):// URL, file:// URL or path of the vendor's openapi.json")
    parser.add_argument("--out", type=Path, default=ROOT / ".spec-update", help="output folder")
    parser.add_argument("--check-cmd", help="instead of `make check` (also UPDATE_SPEC_CHECK_CMD)")
    parser.add_argument("--test-cmd", help="instead of the whole pytest suite (also UPDATE_SPEC_TEST_CMD)")
    args = parser.parse_args(argv)
    # first, so a stale result never outlives a refusal (make spec-pr would act on it)
    _report.clear(args.out.resolve())
    if not args.source:
        parser.exit(REFUSED, "update-spec: refused: give the spec's URL or path (make update-spec URL=...)\n")
    check_cmd = _steps.command(args.check_cmd, "UPDATE_SPEC_CHECK_CMD", _steps.DEFAULT_CHECK)
    test_cmd = _steps.command(args.test_cmd, "UPDATE_SPEC_TEST_CMD", _steps.DEFAULT_TESTS)
    try:
        return update(args.source, ROOT, args.out.resolve(), check_cmd, test_cmd)
    except Refused as exc:
        print("update-spec: " + " ".join(str(exc).split()), file=sys.stderr)
        return REFUSED


if __name__ == "__main__":
    sys.exit(main())
