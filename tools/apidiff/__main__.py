"""make diff BASE=<ref> | OLD=<file> NEW=<file> [FORMAT=markdown|json] [ALLOW_BREAKING=1]"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tools.codegen.config import ConfigError
from tools.codegen.guard import SpecRefused, load_untrusted
from tools.codegen.overlay import OverlayError
from tools.progress import Steps

from ._build import ROOT, add_python, git_show, spec_report
from ._report import clean, render


def shown(path: Path) -> str:
    """A file as the report names it: relative to the repository, or just its name (no scratch paths)."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else path.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make diff", description=__doc__)
    parser.add_argument("--base", help="git ref whose openapi.json is the old spec")
    parser.add_argument("--old", type=Path)
    parser.add_argument("--new", type=Path)
    parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
    parser.add_argument("--allow-breaking", action="store_true")
    parser.add_argument(
        "--overlay", type=Path, default=ROOT / "spec" / "overlay.yaml", help="the current overlay"
    )
    args = parser.parse_args(argv)
    if bool(args.base) == bool(args.old):
        parser.error("give BASE=<git ref>, or OLD=<file> (with NEW=<file>, default openapi.json)")
    current_overlay = args.overlay.resolve()
    steps = Steps("make diff")
    with tempfile.TemporaryDirectory(prefix="raia-diff-") as tmp:
        work = Path(tmp)
        if args.base:
            spec = git_show(args.base, "openapi.json")
            if spec is None:
                parser.error(f"{args.base} has no openapi.json")
            old_spec = work / "base.openapi.json"
            old_spec.write_bytes(spec)
            overlay = git_show(args.base, "spec/overlay.yaml")
            old_overlay = work / "base.overlay.yaml"
            old_overlay.write_bytes(overlay if overlay is not None else current_overlay.read_bytes())
            names = (f"{args.base}:openapi.json", "openapi.json")
        else:
            old_spec, old_overlay = args.old.resolve(), current_overlay
            names = (shown(args.old), shown(args.new) if args.new else "openapi.json")
        new_spec = (args.new or ROOT / "openapi.json").resolve()
        # Untrusted input: checked before Redocly, the validator or the generator reads either.
        for given in (old_spec, new_spec):
            try:
                load_untrusted(given)
            except SpecRefused as exc:
                parser.exit(2, f"make diff: {shown(given)} is refused: {exc}\n")
        steps.done("specs read and checked")
        try:
            report = spec_report(old_spec, old_overlay, new_spec, current_overlay, work, names)
        except SpecRefused as exc:
            parser.exit(2, f"make diff: refused: {exc}\n")
        except (OverlayError, ConfigError) as exc:
            parser.exit(2, f"make diff: {exc}\n")
        steps.done("spec changes compared")
        add_python(report, old_spec, old_overlay, new_spec, current_overlay, work, steps)
        report.failure = clean(report.failure)
    sys.stdout.write(render(report, args.format))
    if report.failure:
        print(f"make diff: failed: {report.failure}", file=sys.stderr)
        return 2
    if report.breaking and not args.allow_breaking:
        print("make diff: breaking changes found (ALLOW_BREAKING=1 to accept)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
