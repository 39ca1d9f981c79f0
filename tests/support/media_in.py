"""The frozen vendor-shaped spec with form request bodies (tests/specs/vendor_media_in), generated once
per run, and a runner for tests/support/media_in_script.py over the generated package."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from raia_spec import FORM, MULTIPART, file_fields, request_media, resolve
from tests.support.frozen import ROOT, generate_frozen

VENDOR = ROOT / "tests" / "specs" / "vendor_media_in"
SPEC = VENDOR / "openapi.frozen.json"
OVERLAY = VENDOR / "overlay.frozen.yaml"
GENERATOR = VENDOR / "generator.frozen.yaml"
SCRIPT = ROOT / "tests" / "support" / "media_in_script.py"


def vendor_spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return loaded


def generate_vendor(out: Path, spec: dict[str, Any] | None = None) -> Path:
    """The package generated from the vendor-shaped spec (or `spec`), with its frozen overlay and config."""
    return generate_frozen(spec or SPEC, out, overlay=OVERLAY, generator=GENERATOR)


def form_operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """media type -> (method, path, body schema) of the spec's operations whose body is that form."""
    found = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            chosen = request_media(resolve(doc, op.get("requestBody") or {}).get("content") or {})
            if chosen is not None and chosen[0] in (MULTIPART, FORM):
                found[chosen[0]] = (method.upper(), path, resolve(doc, chosen[1]["schema"]))
    return found


def file_field(doc: dict[str, Any]) -> str:
    """The (one) file field of the spec's multipart operation."""
    _, _, schema = form_operations(doc)[MULTIPART]
    (name,) = file_fields(MULTIPART, schema, lambda node: resolve(doc, node))
    return name


def run(generated: Path, scenario: str, flavour: str, tmp: Path) -> Any:
    """tests/support/media_in_script.py SCENARIO FLAVOUR over the GENERATED package; its JSON output."""
    env = {**os.environ, "PYTHONPATH": f"{generated}{os.pathsep}{ROOT / 'src'}"}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), scenario, flavour, str(tmp)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


def parts(content_type: str, body_b64: str) -> list[dict[str, Any]]:
    """A multipart body read by the standard library's MIME parser: each part's name, filename,
    content type (None when it sends none) and bytes."""
    body = base64.b64decode(body_b64)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    assert message.is_multipart(), content_type
    out = []
    for part in message.iter_parts():
        out.append(
            {
                "name": part.get_param("name", header="content-disposition"),
                "filename": part.get_filename(),
                "type": part["content-type"] and part.get_content_type(),
                "bytes": part.get_payload(decode=True),
            }
        )
    return out
