"""schemathesis finds the local server faithful to the spec it serves, over every operation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from raia_agent_api._spec import corrected_spec

from raia_agent.testing import LocalServer, local_server
from tests.support.server_helpers import auth_header, spec

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
# The package's corrected spec (what users get), and a frozen one with more operations of each kind
# (crud_update is vendor_update plus DELETE, PATCH, PUT, a header parameter and nested collections).
SPECS = {"corrected": corrected_spec, "crud_update": lambda: spec("crud_update")}


@pytest.fixture(params=SPECS)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[LocalServer, dict[str, Any]]]:
    document = SPECS[request.param]()
    with local_server(spec=document) as server:
        yield server, document


def run_schemathesis(
    served: tuple[LocalServer, dict[str, Any]], tmp_path: Path, mode: str, checks: str
) -> subprocess.CompletedProcess[str]:
    server, document = served
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    header = f"{auth_header(document)}: {server.secret_key}"
    return subprocess.run(
        [SCHEMATHESIS, "run", str(path), "--url", server.base_url, "--header", header,
         "--mode", mode, "--checks", checks, "--max-examples", "150", "--seed", "20261129", "--no-color"],
        capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
    )  # fmt: skip


def operations(document: dict[str, Any]) -> int:
    return sum(len(item) for item in document["paths"].values())


def all_passed(result: subprocess.CompletedProcess[str]) -> None:
    """Every generated case passed. Warnings are allowed: an operation without parameters has no
    invalid data but its auth header, and an id path gets only 404s for random ids."""
    assert result.returncode == 0, result.stdout[-4000:]
    counted = re.search(r"Test cases:\s+(\d+) generated, (\d+) passed(, \d+ skipped)?\n", result.stdout)
    assert counted and counted[1] == counted[2] and int(counted[1]) > 0, result.stdout[-4000:]


def test_valid_requests_conform_to_the_spec(
    served: tuple[LocalServer, dict[str, Any]], tmp_path: Path
) -> None:
    """Spec-valid requests to every operation get documented statuses, content types, schema-valid bodies."""
    checks = "status_code_conformance,content_type_conformance,response_schema_conformance,not_a_server_error,positive_data_acceptance,ignored_auth"
    result = run_schemathesis(served, tmp_path, "positive", checks)
    all_passed(result)
    assert "Authentication failed" not in result.stdout, result.stdout[-4000:]
    assert f"{operations(served[1])} selected" in result.stdout, result.stdout[:2000]
    assert served[0].store.count() > 0


def test_invalid_requests_are_rejected_without_5xx(
    served: tuple[LocalServer, dict[str, Any]], tmp_path: Path
) -> None:
    """Spec-invalid requests to every operation are rejected with a 4xx, never a 5xx.

    Status-code conformance is not checked here: the real API answers invalid bodies with a
    400 that the vendor's spec does not document.
    """
    checks = "negative_data_rejection,not_a_server_error,content_type_conformance"
    result = run_schemathesis(served, tmp_path, "negative", checks)
    all_passed(result)
