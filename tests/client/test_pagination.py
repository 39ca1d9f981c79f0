"""Auto-pagination by rule: a list with a cursor (or offset and total) returns a page that walks every page.

Each package is generated once per module from the frozen vendor base spec plus a list operation
(tests/support/paging_specs.py), with the frozen overlay and a copy of the frozen generator config that
declares one pagination the rule misses. tests/support/paging_script.py then walks 25 feedbacks, ten a page,
with Raia and AsyncRaia against local_server(), and mypy --strict checks how the pages are typed;
tests/support/paging_cycle.py walks a server whose cursors come back round.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from raia_runtime.paging import declared, recognise
from tests.codegen.test_vendor_updates import BIN, ROOT, package_env
from tests.support.frozen import frozen_generator, generate, generate_frozen
from tests.support.paging_specs import DECLARED, cursor_list, inline_list, offset_list
from tests.support.vendor_updates.updates import BASE

pytestmark = pytest.mark.timeout(900)
STYLES = {"offset": offset_list, "cursor": cursor_list}
# and the cursor list whose page schema is inline in the response, not a component
SPECS = {**STYLES, "inline": inline_list}
SCRIPT = Path(__file__).resolve().parents[1] / "support" / "paging_script.py"
CYCLE = Path(__file__).resolve().parents[1] / "support" / "paging_cycle.py"


def _spec(style: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    SPECS[style](spec)
    return spec


def _generator(tmp: Path, pagination: dict[str, Any]) -> Path:
    path = tmp / "generator.yaml"
    path.write_text(yaml.safe_dump({**frozen_generator(), "pagination": pagination}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The directory holding the generated raia_agent_api for a list style, generated once per module."""
    made: dict[str, Path] = {}

    def package(style: str) -> Path:
        if style not in made:
            tmp = tmp_path_factory.mktemp(f"paging_{style}")
            made[style] = generate_frozen(
                _spec(style), tmp / "generated", generator=_generator(tmp, DECLARED)
            )
        return made[style]

    return package


def _paginations(out: Path) -> dict[str, Any]:
    """Each generated Operation's pagination (the attributes it reads), in a process importing that package."""
    # An object whose every attribute is its own name shows which attribute `items` and `field` read.
    code = """
import json
from raia_agent_api.resources._operations import OPERATIONS
class Names:
    def __getattr__(self, name): return name
def described(p):
    return {"style": p.style, "items": p.items(Names()), "param": p.param, "field": p.field(Names())}
print(json.dumps({k: described(v.pagination) if v.pagination else None for k, v in OPERATIONS.items()}))
"""
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=package_env(out),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found: dict[str, Any] = json.loads(run.stdout)
    return found


@pytest.mark.parametrize("style", sorted(STYLES))
def test_the_generator_writes_the_recognised_style_and_the_declared_one(
    packages: Callable[[str], Path], style: str
) -> None:
    """The rule's style goes into the Operation description; generator.yaml's entry covers the list it misses."""
    found = _paginations(packages(style))
    param = {"offset": "offset", "cursor": "cursor"}[style]
    field = {"offset": "total", "cursor": "next_cursor"}[style]
    assert found["feedback.list"] == {
        "style": style,
        "items": "items",
        "param": param,
        "field": field,
    }
    assert found["feedback.search"] == {
        "style": "cursor",
        "items": "results",
        "param": "after_id",
        "field": "last_id",
    }
    assert found["feedback.create_or_update"] is None


@pytest.mark.parametrize("style", sorted(SPECS))
def test_a_paginated_list_walks_every_page_sync_and_async(
    packages: Callable[[str], Path], style: str
) -> None:
    """25 items at 10 a page: 3 pages, every item once and in order, lazily, with typed errors, for both
    clients; a page schema written inline pages too, its items parsed into the item model."""
    out = packages(style)
    run = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=package_env(out),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", f"{style}:\n{run.stderr[-3000:]}"


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("style", ["cursor", "inline"])
def test_a_cursor_that_comes_back_round_ends_the_walk_with_a_warning(
    packages: Callable[[str], Path], style: str, flavour: str
) -> None:
    """Cursors cycling a -> b -> a (or a page naming its own): each cursor is sent once, then one PaginationWarning."""
    run = subprocess.run(
        [sys.executable, str(CYCLE), flavour],
        env=package_env(packages(style)),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", f"{style} {flavour}:\n{run.stderr[-3000:]}"


ACCEPTED = """
from raia_agent import AsyncRaia, Raia
from raia_agent.pagination import AsyncPage, SyncPage
from raia_agent_api.models import Feedback


def walk(client: Raia) -> list[str]:
    page: SyncPage[Feedback] = client.feedback.list(limit=10)
    first: list[Feedback] = page.items
    more: bool = page.has_next_page()
    return [str(fb.id) + (fb.question or "") for fb in page] + [str(len(first)), str(more)]


async def awalk(client: AsyncRaia) -> list[str]:
    page: AsyncPage[Feedback] = await client.feedback.list(limit=10)
    following: AsyncPage[Feedback] = await page.next_page()
    return [str(fb.id) async for fb in client.feedback.list()] + [str(len(following.items))]
"""
REJECTED = """
from raia_agent import AsyncRaia, Raia


def walk(client: Raia) -> None:
    for fb in client.feedback.list():
        print(fb.idd)


async def awalk(client: AsyncRaia) -> None:
    async for fb in client.feedback.list():
        print(fb.questionn)
    for other in client.feedback.list():
        print(other)
"""


def _mypy(out: Path, source: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    script = tmp / "use_pages.py"
    script.write_text(source, encoding="utf-8")
    return subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--python-version", "3.11", str(script)],
        env={**package_env(out), "MYPYPATH": f"{out}:{ROOT / 'src'}"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=tmp,
    )


def test_mypy_strict_knows_the_item_type_of_a_page(packages: Callable[[str], Path], tmp_path: Path) -> None:
    """Iterating a page (sync or async) and reading an item's fields type-checks; a wrong attribute does not."""
    out = packages("cursor")  # the page types do not depend on the style
    accepted = _mypy(out, ACCEPTED, tmp_path)
    assert accepted.returncode == 0, accepted.stdout
    rejected = _mypy(out, REJECTED, tmp_path)
    assert '"Feedback" has no attribute "idd"' in rejected.stdout, rejected.stdout
    assert '"Feedback" has no attribute "questionn"' in rejected.stdout, rejected.stdout
    assert '"AsyncPaginator[Feedback]" has no attribute "__iter__"' in rejected.stdout, rejected.stdout


def test_a_pagination_entry_for_a_route_the_spec_lacks_fails_generation(tmp_path: Path) -> None:
    """A `pagination:` entry matching no operation stops generation, naming the route."""
    generator = _generator(tmp_path, {"GET /nowhere": DECLARED[next(iter(DECLARED))]})
    result = generate(_spec("cursor"), tmp_path / "generated", generator=generator)
    assert result.returncode != 0
    assert "GET /nowhere" in result.stderr, result.stderr


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    return schema


@pytest.mark.parametrize(
    ("method", "query", "properties", "style"),
    [
        (
            "GET",
            ["limit", "cursor"],
            {"data": {"type": "array", "items": {"type": "object"}}, "nextCursor": {"type": "string"}},
            "cursor",
        ),
        (
            "GET",
            ["page_token"],
            {"items": {"type": "array", "items": {"type": "object"}}, "next_page_token": {"type": "string"}},
            "cursor",
        ),
        (
            "GET",
            ["limit", "offset"],
            {"items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}},
            "offset",
        ),
        (
            "GET",
            ["take", "skip"],
            {"rows": {"type": "array", "items": {"type": "object"}}, "count": {"type": "integer"}},
            "offset",
        ),
        (
            "GET",
            ["limit", "offset"],
            {"items": {"type": "array", "items": {"type": "object"}}},
            None,
        ),  # no total: where the list ends is unknown
        (
            "GET",
            ["offset"],
            {"items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}},
            None,
        ),  # no limit
        (
            "GET",
            ["cursor"],
            {"items": {"type": "array", "items": {"type": "object"}}},
            None,
        ),  # no next cursor in the answer
        (
            "POST",
            ["cursor"],
            {"items": {"type": "array", "items": {"type": "object"}}, "nextCursor": {"type": "string"}},
            None,
        ),
        (
            "GET",
            ["cursor"],
            {
                "a": {"type": "array", "items": {"type": "object"}},
                "b": {"type": "array", "items": {"type": "object"}},
                "nextCursor": {"type": "string"},
            },
            None,
        ),  # two arrays
    ],
)
def test_the_rule_recognises_cursor_and_offset_lists_only(
    method: str, query: list[str], properties: dict[str, Any], style: str | None
) -> None:
    """A GET with one array, and a cursor plus next cursor, or offset and limit plus total, pages; nothing else."""
    found = recognise(method, query, {"type": "object", "properties": properties}, _resolve)
    assert (found or {}).get("style") == style, found


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ({"style": "pages", "items": "a", "param": "b", "field": "c"}, "style"),
        ({"style": "cursor", "param": "b", "field": "c"}, "items"),
        ({"style": "cursor", "items": "a", "param": "b", "field": "c", "size": 3}, "size"),
        ("cursor", "mapping"),
    ],
)
def test_a_bad_pagination_entry_is_refused_naming_what_is_wrong(entry: object, named: str) -> None:
    """generator.yaml's entry needs a known style and the names it pages by; the error names the key."""
    with pytest.raises(ValueError, match=named):
        declared(entry, "GET /x")


def test_api_md_marks_a_paginated_method_and_its_page_type(packages: Callable[[str], Path]) -> None:
    """api.md, rendered from a package with a list that pages, says so and shows `-> SyncPage[Feedback]`."""
    code = "from tools.codegen import api_md; print(api_md.render())"
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=package_env(packages("offset")),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    section = run.stdout.split("### `client.feedback.list`", 1)[1].split("### ", 1)[0]
    assert "Paginated (offset)" in section and "AsyncPaginator" in section, section
    assert ") -> SyncPage[Feedback]" in section, section
