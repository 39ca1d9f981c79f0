"""The frozen vendor-shaped spec of responses that are not JSON (tests/specs/vendor_media_out), generated
once per run, and what the tests over it share: its operations found by what they return."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.support.frozen import ROOT, generate_frozen

SPECS = ROOT / "tests" / "specs" / "vendor_media_out"
SPEC = SPECS / "openapi.json"
OVERLAY = SPECS / "overlay.yaml"
GENERATOR = SPECS / "generator.yaml"
SUITES = (
    ROOT / "tests" / "support" / "media_out_suite.py",
    ROOT / "tests" / "support" / "media_out_vendor.py",
)
"""Test modules run against the generated package (not collected on their own: their names say so)."""


def generated(tmp: Path) -> Path:
    """The directory holding the package generated from the frozen spec (put it on sys.path)."""
    return generate_frozen(SPEC, tmp / "media_out", overlay=OVERLAY, generator=GENERATOR)


def package_env(package: Path) -> dict[str, str]:
    """An environment in which `raia_agent_api` is the package generated from the frozen spec."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(package), str(ROOT / "src"), str(ROOT)]),
        "MYPYPATH": os.pathsep.join([str(package), str(ROOT / "src")]),
    }


def run_suite(package: Path, suite: Path) -> subprocess.CompletedProcess[str]:
    """One of SUITES under pytest, against the generated package."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", str(suite)],
        cwd=ROOT,
        env=package_env(package),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def operation_of(kind: str) -> Any:
    """The first operation (by client path) whose success the spec documents as `kind`."""
    from raia_agent_api.resources._operations import OPERATIONS

    for name in sorted(OPERATIONS):
        op = OPERATIONS[name]
        reply = op.replies.get(op.success)
        if reply is not None and reply.kind == kind:
            return op
    raise LookupError(f"the frozen spec has no operation answering {kind}")


def arguments(op: Any) -> dict[str, Any]:
    """Valid arguments for an operation: a uuid per path parameter, and for each required body field its
    first enum value, a uuid for a uuid field, else text (the frozen spec's required fields are strings)."""
    args: dict[str, Any] = {p.python: str(uuid.uuid4()) for p in op.params if p.location == "path"}
    if op.body_schema is not None:
        body = op.body_schema
        target = body["$defs"][body["$ref"].rpartition("/")[2]] if "$ref" in body else body
        properties = target.get("properties") or {}
        for name in target.get("required") or ():
            python = next(p.python for p in op.params if p.location == "body" and p.name == name)
            prop = properties.get(name) or {}
            enum = prop.get("enum")
            uuid_field = prop.get("format") == "uuid"
            args[python] = enum[0] if enum else str(uuid.uuid4()) if uuid_field else "hello"
    return args


def method(client: Any, op: Any, flavour: str = "") -> Any:
    """client.<resource>[.with_raw_response|.with_streaming_response].<method> for an operation."""
    resource, _, name = op.name.partition(".")
    holder = getattr(client, resource)
    return getattr(getattr(holder, flavour) if flavour else holder, name)
