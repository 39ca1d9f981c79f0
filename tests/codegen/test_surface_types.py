"""mypy --strict holds every generated method to its operation: unknown keywords, missing arguments, wrong literals."""

from __future__ import annotations

import inspect
from pathlib import Path

from raia_agent_api.resources._operations import OPERATIONS

from raia_agent import AsyncRaia, Raia
from tests.support.typecheck import mypy_errors

ROOT = Path(__file__).resolve().parents[2]


def expectations() -> tuple[str, list[tuple[int, str]]]:
    """A snippet with one wrong call per line, and the mypy message each line must get."""
    lines = [
        "from raia_agent import AsyncRaia, Raia",
        "",
        "",
        "async def calls(client: Raia, aclient: AsyncRaia) -> None:",
    ]
    expected: list[tuple[int, str]] = []
    for cls, target, prefix in ((Raia, "client", ""), (AsyncRaia, "aclient", "await ")):
        probe = cls(secret_key="sk-types")
        for name in sorted(OPERATIONS):
            resource, method = name.split(".")
            for via in ("", ".with_raw_response"):
                call = f"{prefix}{target}.{resource}{via}.{method}"
                owner = getattr(probe, resource)
                params = inspect.signature(
                    getattr(owner.with_raw_response if via else owner, method)
                ).parameters
                lines.append(f"    {call}(zz_unknown=1)")
                expected.append((len(lines), 'Unexpected keyword argument "zz_unknown"'))
                for param in params.values():
                    if param.default is inspect.Parameter.empty:
                        lines.append(f"    {call}()")
                        kind = "positional" if param.kind is param.POSITIONAL_OR_KEYWORD else "named"
                        expected.append((len(lines), f'Missing {kind} argument "{param.name}"'))
                        break
                for param in params.values():
                    if "Literal[" in str(param.annotation):
                        lines.append(f"    {call}({param.name}='zz-not-a-value')")
                        expected.append((len(lines), f'Argument "{param.name}" to "{method}"'))
    return "\n".join(lines) + "\n", expected


def test_mypy_rejects_wrong_calls_of_every_generated_method(tmp_path: Path) -> None:
    """Each wrong call (unknown keyword, missing required argument, value outside a Literal) is a mypy error."""
    snippet, expected = expectations()
    errors, output = mypy_errors(snippet, tmp_path, name="wrong_calls.py")
    missed = [
        f"line {n}: {snippet.splitlines()[n - 1].strip()} (wanted {want!r})"
        for n, want in expected
        if want not in errors.get(n, "")
    ]
    assert not missed, "mypy accepted:\n" + "\n".join(missed) + "\n" + output[-2000:]
    assert len(expected) >= 3 * len(OPERATIONS)
