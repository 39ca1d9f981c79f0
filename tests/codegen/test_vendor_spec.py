"""The frozen vendor-shaped spec (tests/specs/vendor/): every shape the vendor publishes, at once.

Users with a oneOf body, conversations with nested messages, agents with a form-encoded webhook, a
multipart upload, a binary download, a PDF export, a text summary, a reply streamed as Server-Sent
Events, a 202 job polled by id, a top-level array, an integer enum, readOnly/writeOnly fields, a map,
a bearer alternative to the key, a query key, basic auth, a `security: []` health check and a region
server variable. It combines the area specs beside it (vendor_shapes, vendor_media_in,
vendor_media_out, vendor_auth), whose own tests pin each shape in depth.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.codegen.test_vendor_updates import package_env
from tests.support.frozen import SPECS, generate_frozen

ROOT = Path(__file__).resolve().parents[2]
VENDOR = SPECS / "vendor"
RAIA_AGENT = str(Path(sys.executable).parent / "raia-agent")


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package generated from the vendor-shaped spec with its own frozen overlay and config."""
    return generate_frozen(
        VENDOR / "openapi.json",
        tmp_path_factory.mktemp("vendor") / "generated",
        overlay=VENDOR / "overlay.yaml",
        generator=VENDOR / "generator.yaml",
    )


def operations_of(generated: Path) -> list[str]:
    code = "from raia_agent_api.resources._operations import OPERATIONS; print(*sorted(OPERATIONS))"
    shown = subprocess.run(
        [sys.executable, "-c", code], env=package_env(generated), capture_output=True, text=True, check=True
    )
    return shown.stdout.split()


def test_every_path_of_the_spec_is_an_operation_of_the_package(vendor: Path) -> None:
    """Generation with no hand edit (its proof type-checks the package) keeps every operation the spec has."""
    spec = json.loads((VENDOR / "openapi.json").read_text(encoding="utf-8"))
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    documented = sum(1 for item in spec["paths"].values() for method in item if method in methods)
    assert len(operations_of(vendor)) == documented


@pytest.mark.parametrize("flavour", ["sync", "async", "raw"])
def test_every_operation_is_callable_and_served_with_its_meaning(vendor: Path, flavour: str) -> None:
    """Each operation answers a success (never None) against local_server(), its ids those a create answered."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "support" / "every_operation.py"), flavour],
        env=package_env(vendor),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0 and result.stdout.endswith("ok\n"), result.stdout + result.stderr[-3000:]


def test_every_operation_is_a_command(vendor: Path) -> None:
    """`raia-agent <resource> --help` lists a command for each of the resource's operations."""
    by_resource: dict[str, set[str]] = {}
    for name in operations_of(vendor):
        resource, method = name.split(".")
        by_resource.setdefault(resource, set()).add(method.replace("_", "-"))
    for resource, commands in by_resource.items():
        shown = subprocess.run(
            [RAIA_AGENT, resource, "--help"],
            env=package_env(vendor),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert shown.returncode == 0, shown.stderr
        assert commands <= set(shown.stdout.split()), (resource, shown.stdout)


ROUND_TRIP = """
import asyncio, uuid
from raia_agent import AsyncRaia, Raia
from raia_agent.testing import local_server
from raia_agent_api.resources._operations import OPERATIONS

upload = next(n for n, op in OPERATIONS.items() if op.body_media is not None and op.body_media.files)
download = next(n for n, op in OPERATIONS.items() if op.replies[op.success].kind == "binary"
                and n.split(".")[0] == upload.split(".")[0])
content = bytes(range(256)) * 3
with local_server() as server:
    with Raia(secret_key=server.secret_key, base_url=server.base_url, max_retries=0) as client:
        files = getattr(client, upload.split(".")[0])
        op = OPERATIONS[upload]
        required = {p.python: str(uuid.uuid4()) for p in op.params if p.location != "body" or
                    (p.name not in op.body_media.files and p.name in (op.body_schema or {}).get("required", []))}
        made = getattr(files, upload.split(".")[1])(
            **required, **{p.python: ("a.bin", content, "application/x-raia") for p in op.params
                           if p.name in op.body_media.files})
        got = getattr(files, download.split(".")[1])(str(made.id))
        assert got.content == content, got.content[:40]
        assert got.http_response.headers["content-type"].startswith("application/x-raia"), got.http_response.headers
print("ok")
"""


def test_a_download_returns_the_bytes_an_upload_stored(vendor: Path) -> None:
    """Downloading by the id an upload answered gives back that upload's bytes and content type."""
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP],
        env=package_env(vendor),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]
