"""`make update-spec` and `make spec-pr` through real make: URL and OUT reach the tool as one literal
argument each (make never expands them, here or in a sub-make), an update that worked exits 0 after
its verdict, and each step prints a line with its time on stderr."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.spec_update_light import light_repo, new_spec, result, stubs, tree_state
from tests.support.spec_update_rig import spec_server

MAKE = ["make", "-s", "-o", ".venv/.installed"]


def make(repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MAKE, *args], cwd=repo, capture_output=True, text=True, check=False, timeout=300,
                          env={**os.environ, "MAKEFLAGS": "", **env})  # fmt: skip


def test_a_shell_call_in_the_url_runs_nothing(tmp_path: Path) -> None:
    """`URL=...?a=$(shell touch marker)` is refused as a URL (it holds a space); make runs no command."""
    repo = light_repo(tmp_path)
    marker = tmp_path / "marker"
    before = tree_state(repo)
    done = make(repo, "update-spec", f"URL=http://127.0.0.1:9/openapi.json?a=$(shell touch {marker})")
    assert done.returncode == 2, done.stderr
    assert "the URL holds whitespace" in done.stderr
    assert not marker.exists() and tree_state(repo) == before


def test_a_dollar_in_the_url_reaches_the_server_literally(tmp_path: Path) -> None:
    """`?$format=json` is requested as written (make would read `$f` as a variable and send `?ormat=json`)."""
    repo = light_repo(tmp_path)
    with spec_server() as server:
        url = server.put("/openapi.json?$format=json", (repo / "openapi.json").read_bytes())
        done = make(repo, "update-spec", f"URL={url}")
    assert done.returncode == 0, done.stderr
    assert "no change" in done.stdout and result(repo)["status"] == 0


def test_a_dollar_and_a_shell_call_in_out_stay_literal(tmp_path: Path) -> None:
    """OUT naming `out$dir $(shell touch marker)` makes exactly that folder, and runs nothing."""
    repo = light_repo(tmp_path)
    out = tmp_path / "out$dir $(shell touch marker)"
    with spec_server() as server:
        url = server.put("/openapi.json", (repo / "openapi.json").read_bytes())
        done = make(repo, "update-spec", f"URL={url}", f"OUT={out}")
    assert done.returncode == 0, done.stderr
    assert (out / "result.json").is_file()
    assert not (repo / "marker").exists() and not (tmp_path / "marker").exists()


def test_an_update_through_make_exits_0_with_its_verdict_and_a_timed_line_per_step(tmp_path: Path) -> None:
    """A compatible update from a path holding `$(shell ...)` and `$format`: make exits 0 (no `make: *** Error 10`),
    prints the verdict, times every step on stderr; a sub-make the update starts expands nothing either."""
    repo = light_repo(tmp_path)
    source = tmp_path / "vendor $(shell touch marker) ?$format=json.json"
    source.write_bytes(new_spec())
    env = stubs(tmp_path / "stubs")
    # `make check`'s stand-in is a real sub-make, which inherits the URL through MAKEFLAGS
    env["UPDATE_SPEC_CHECK_CMD"] = "make -s -o .venv/.installed help"
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os, sys\nsys.exit('a sub-make ran the URL' if os.path.exists('marker') else 0)\n"
    )
    env["UPDATE_SPEC_TEST_CMD"] = f"{sys.executable} {probe}"
    done = make(repo, "update-spec", f"URL={source}", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "compatible update, version 1.4.2 -> 1.5.0" in done.stdout
    assert "make: ***" not in done.stdout + done.stderr
    recorded = result(repo)
    assert recorded["status"] == 10 and recorded["tests"] == "passed", recorded
    assert not (repo / "marker").exists()
    timed = re.findall(r"^update-spec: (.+) done \((\d+\.\d) s\)$", done.stderr, re.MULTILINE)
    assert [name for name, _ in timed] == [
        "fetch", "make generate", "make diff", "make check", "tests", "apply to the checkout"
    ]  # fmt: skip


def test_a_failing_update_through_make_fails(tmp_path: Path) -> None:
    """A failing test step: make fails (the tool's 1), the verdict line still says FAILING."""
    repo = light_repo(tmp_path)
    source = tmp_path / "spec.json"
    source.write_bytes(new_spec())
    env = {**stubs(tmp_path / "stubs"), "UPDATE_SPEC_TEST_CMD": f'{sys.executable} -c "raise SystemExit(1)"'}
    done = make(repo, "update-spec", f"URL={source}", **env)
    assert done.returncode != 0 and "FAILING: tests" in done.stdout, done.stdout + done.stderr
    assert result(repo)["status"] == 1


def test_python_m_keeps_the_documented_codes(tmp_path: Path) -> None:
    """The same compatible update through `python -m tools.spec_update` exits 10, as workflows read it."""
    repo = light_repo(tmp_path)
    source = tmp_path / "spec.json"
    source.write_bytes(new_spec())
    env = {**os.environ, **stubs(tmp_path / "stubs")}
    done = subprocess.run([sys.executable, "-m", "tools.spec_update", str(source)], cwd=repo, capture_output=True,
                          text=True, env=env, check=False, timeout=300)  # fmt: skip
    assert done.returncode == 10, done.stderr
    assert done.stderr == ""  # progress lines only with --progress (make passes it)


def test_spec_pr_out_stays_literal(tmp_path: Path) -> None:
    """`make spec-pr OUT=...$(shell ...)` looks in that very folder and runs nothing."""
    repo = light_repo(tmp_path)
    out = tmp_path / "x $(shell touch marker)"
    done = make(repo, "spec-pr", f"OUT={out}")
    assert done.returncode == 2 and f"no result in {out}" in done.stderr
    assert not (repo / "marker").exists()
