"""Credentials and servers from the spec, over the frozen tests/specs/vendor_auth/ spec.

The package is generated once (tests/support/frozen.py, shared across workers); tests/support/auth_cases.py then
runs in a pytest of its own with that package as `raia_agent_api`, and each of its behaviours is
one test here. mypy --strict checks how the options are typed.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.codegen.test_vendor_updates import ROOT, package_env
from tests.support.frozen import SPECS, generate_frozen
from tests.support.typecheck import assert_marked, mypy_errors

pytestmark = pytest.mark.timeout(900)
VENDOR_AUTH = SPECS / "vendor_auth"
CASES = Path(__file__).resolve().parents[1] / "support" / "auth_cases.py"


def _case_names() -> list[str]:
    tree = ast.parse(CASES.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding raia_agent_api generated from the vendor_auth spec."""
    return generate_frozen(
        VENDOR_AUTH / "openapi.json",
        tmp_path_factory.mktemp("vendor_auth") / "generated",
        overlay=VENDOR_AUTH / "overlay.yaml",
        generator=VENDOR_AUTH / "generator.yaml",
    )


@pytest.fixture(scope="module")
def outcomes(package: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each case function of _auth_cases.py -> the outcome of each of its parametrised runs."""
    report = tmp_path_factory.mktemp("auth_cases") / "report.xml"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(CASES), "-q", "-n", "0", "-p", "no:cacheprovider",
         f"--junitxml={report}", "-o", "junit_family=xunit2"],
        env={**package_env(package), "PYTEST_ADDOPTS": ""}, cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=900,
    )  # fmt: skip
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    found: dict[str, list[str]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = f"{child.tag}: {child.get('message', '')[:500]}"
        found.setdefault(case.get("name", "").split("[")[0], []).append(f"{case.get('name')}: {outcome}")
    return found


@pytest.mark.parametrize("case", _case_names())
def test_the_credential_case_holds_for_the_vendor_auth_spec(
    outcomes: dict[str, list[str]], case: str
) -> None:
    """Every parametrised run of the case passed (see its docstring in tests/support/auth_cases.py)."""
    runs = outcomes.get(case)
    assert runs, f"{case} did not run"
    failed = [run for run in runs if not run.endswith(": passed")]
    assert not failed, "\n".join(failed)


SNIPPET = """\
from raia_agent import AsyncRaia, Raia

Raia(bearer_token="t")
Raia(secret_key="k", region="api-eu")
AsyncRaia(partner_key="p", basic_username="u", basic_password="pw")
Raia().with_options(bearer_token="t2", region="api")
Raia(region="api-xx")  # E: Argument "region" to "Raia" has incompatible type
Raia(bearer_token=1)  # E: Argument "bearer_token" to "Raia" has incompatible type
Raia(bearer_tokn="t")  # E: Unexpected keyword argument "bearer_tokn"
AsyncRaia(region="eu")  # E: Argument "region" to "AsyncRaia" has incompatible type
remaining: int | None = Raia().health.with_raw_response.check().typed_headers.x_rate_limit_remaining
text: str = Raia().health.with_raw_response.check().typed_headers.x_rate_limit_remaining  # E: Incompatible types in assignment
Raia().health.with_raw_response.check().typed_headers.nothing  # E: has no attribute "nothing"
"""


def test_mypy_types_each_credential_and_server_variable_option(package: Path, tmp_path: Path) -> None:
    """mypy --strict accepts the spec's options by name and type, and refuses a wrong type, a region
    outside the enum and a misspelt option; a documented response header is typed on the raw response."""
    errors, output = mypy_errors(SNIPPET, tmp_path, generated=package)
    assert_marked(SNIPPET, errors, output)


def test_the_default_spec_keeps_secret_key_and_its_environment_variable() -> None:
    """The live spec's Agent-Secret-Key is still `secret_key`, read from RAIA_AGENT_SECRET_KEY."""
    code = "from raia_agent import Raia; print(Raia()._options.secret_key)"
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "RAIA_AGENT_SECRET_KEY": "from-env"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert run.stdout.strip() == "from-env"
