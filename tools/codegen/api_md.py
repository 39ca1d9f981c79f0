"""api.md: every resource and method of the generated client with its signature, read from the package.

    python -m tools.codegen api-md            write api.md from generated_client/raia_agent_api
    python -m tools.codegen api-md --check    fail, naming the file, when api.md does not match it

The page is derived from what `make generate` wrote (not from the spec), so it can only say what the
client really offers. Summaries are spec text and are escaped like the `make diff` report; signatures
sit in fenced blocks longer than any backtick run they hold.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
import time
from pathlib import Path
from typing import Any

from tools.markdown import code, text

ROOT = Path(__file__).resolve().parents[2]
API_MD = ROOT / "api.md"
PACKAGE = "raia_agent_api"

HEADER = """\
# API reference

Generated from `openapi.json` by `make generate` (`tools/codegen/api_md.py`); do not edit. `make check` fails
when it no longer matches the generated client.

Every method exists on `Raia` and, with `await`, on `AsyncRaia`, and again as
`client.<resource>.with_raw_response.<method>(...)`, which returns `RawResponse[<model>]` (status,
headers, request id, `.parse()`). Every method also takes `timeout`, `max_retries`, `extra_headers`,
`extra_query` (and `extra_body` where the body is a JSON object): see the README.
"""


def _annotation(value: Any) -> str:
    shown = value if isinstance(value, str) else inspect.formatannotation(value)
    return re.sub(r"\b_models\.", "", shown)


def _signature(name: str, method: Any) -> str:
    signature = inspect.signature(method)
    lines, keyword_only_marked = [], False
    for parameter in signature.parameters.values():
        if parameter.name == "self":
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and not keyword_only_marked:
            lines.append("    *,")
            keyword_only_marked = True
        line = f"    {parameter.name}: {_annotation(parameter.annotation)}"
        if parameter.default is not inspect.Parameter.empty:
            line += f" = {parameter.default!r}"
        lines.append(line + ",")
    returns = _annotation(signature.return_annotation)
    body = "\n".join([f"def {name}(", *lines, f") -> {returns}"])
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}python\n{body}\n{fence}"


def _summary(method: Any) -> str:
    doc = inspect.getdoc(method) or ""
    first = doc.split("\n\n", 1)[0].strip()
    return text(first) if first else ""


def render() -> str:
    """The page for the package importable as raia_agent_api."""
    resources = importlib.import_module(f"{PACKAGE}.resources")
    by_name = importlib.import_module(f"{PACKAGE}.resources._operations").OPERATIONS
    out = [HEADER]
    for attribute, annotation in sorted(resources.SyncResources.__annotations__.items()):
        # each resource's module is imported on first use: the class is read from it
        cls = getattr(importlib.import_module(f"{PACKAGE}.resources.{attribute}"), str(annotation))
        out.append(f"## {code('client.' + attribute)}\n")
        for name, method in sorted(vars(cls).items()):
            if name.startswith("_") or not inspect.isfunction(method):
                continue
            op = by_name.get(f"{attribute}.{name}")
            out.append(f"### {code(f'client.{attribute}.{name}')}\n")
            if op is not None:
                out.append(f"{code(f'{op.method} {op.path}')}, answers {op.success}.\n")
                if getattr(op, "pagination", None) is not None:
                    out.append(
                        f"Paginated ({op.pagination.style}): iterate the page for every item; on `AsyncRaia` it "
                        "returns an `AsyncPaginator` (`await` it for the first page, or `async for`).\n"
                    )
            summary = _summary(method)
            if summary:
                out.append(summary + "\n")
            out.append(_signature(name, method) + "\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.codegen api-md", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="fail when api.md is stale")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    page = render()
    if args.check:
        current = API_MD.read_text(encoding="utf-8") if API_MD.exists() else ""
        if current != page:
            print(
                "api.md does not match the generated client: run `make generate` and commit it.",
                file=sys.stderr,
            )
            return 1
        print(f"generate: api.md up to date ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        return 0
    API_MD.write_text(page, encoding="utf-8")
    # the last step of `make generate`, reported as generate.sh reports its own
    print(f"generate: api.md written ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
