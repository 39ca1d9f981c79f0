"""The vendor's spec is untrusted input: generate.sh and make diff refuse what no tool should read.

Every hostile spec is the frozen spec (tests/specs/) with one change; tools/codegen/guard.py is
tested directly, and through generate.sh and `make diff` end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.canary import Counting, counting_server
from tests.support.frozen import BODY, FEEDBACKS, ROOT, diff, frozen_spec, generate, package_files, write_spec
from tools.codegen import guard as spec_guard
from tools.codegen.guard import SpecRefused, load_untrusted
from tools.codegen.overlay import OverlayError, load_overlay

LEAK = f"#/components/schemas/{BODY}/properties/leak/$ref"
SUMMARY = "#/paths/~1external~1conversation-message-feedbacks/post/summary"


def with_leak(ref: str) -> dict[str, Any]:
    """The frozen spec with a request property that is a reference to REF."""
    doc = frozen_spec()
    doc["components"]["schemas"][BODY]["properties"]["leak"] = {"$ref": ref}
    return doc


def refused(doc: dict[str, Any] | str, tmp_path: Path) -> SpecRefused:
    with pytest.raises(SpecRefused) as caught:
        load_untrusted(write_spec(tmp_path / "spec.json", doc))
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    "ref",
    [
        "/etc/hostname#/x",
        "other.json#/components/schemas/X",
        "file:///etc/hostname",
        "http://127.0.0.1:9/x.yaml",
        "#",
    ],
)
def test_a_reference_that_is_not_local_is_refused_naming_its_pointer(ref: str, tmp_path: Path) -> None:
    """A $ref to a file, a URL, a relative document, or the whole document fails naming its JSON pointer."""
    error = refused(with_leak(ref), tmp_path)
    assert error.where == LEAK
    assert "only local references" in error.reason


@pytest.mark.parametrize("key", ["$id", "$schema", "$dynamicRef", "externalValue"])
def test_keys_that_make_tools_fetch_are_refused(key: str, tmp_path: Path) -> None:
    """$id, $schema, $dynamicRef and externalValue could re-base or fetch: refused where they are."""
    doc = frozen_spec()
    doc["components"]["schemas"][BODY][key] = "http://127.0.0.1:9/x"
    assert refused(doc, tmp_path).where == f"#/components/schemas/{BODY}/{key}"


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        ('"x-limit": 1e999', "#/x-limit", "overflows to infinity"),
        ('"x-limit": NaN', "#/x-limit", "NaN is not a JSON number"),
        ('"x-limit": -Infinity', "#/x-limit", "-Infinity is not a JSON number"),
        ('"x-note": "a\\u0000b"', "#/x-note", "'\\x00'"),
        ('"x-note": "\\ud800"', "#/x-note", "lone surrogate"),
        ('"x-note": "\\u001b[31m"', "#/x-note", "'\\x1b'"),
        ('"info": {}', "#", "the key 'info' appears twice"),
    ],
)
def test_values_with_no_safe_form_are_refused_naming_the_location(
    change: str, where: str, reason: str, tmp_path: Path
) -> None:
    """1e999, NaN, infinities, NUL, ESC, lone surrogates and duplicate keys fail naming their pointer."""
    text = json.dumps(frozen_spec())
    error = refused(text[:-1] + f", {change}}}", tmp_path)
    assert (error.where, reason in error.reason) == (where, True), error


def test_a_spec_over_the_size_bound_is_refused_without_parsing(tmp_path: Path) -> None:
    """A file larger than MAX_BYTES is refused by size; only MAX_BYTES + 1 bytes are read."""
    path = tmp_path / "big.json"
    with path.open("wb") as handle:
        handle.truncate(spec_guard.MAX_BYTES + 10)
    with pytest.raises(SpecRefused, match="over 20 MiB"):
        load_untrusted(path)


def test_nesting_beyond_the_depth_bound_is_refused(tmp_path: Path) -> None:
    """A document nested deeper than MAX_DEPTH (or than the parser's recursion) is refused, not a crash."""
    for depth in (spec_guard.MAX_DEPTH + 5, 100_000):
        text = json.dumps(frozen_spec())[:-1] + ', "x-deep": ' + "[" * depth + "]" * depth + "}"
        assert "nested deeper than 64 levels" in str(refused(text, tmp_path))


def chain_spec(length: int) -> dict[str, Any]:
    """The frozen spec whose request body refers to S0, which refers to S1, ... to S<length>."""
    doc = frozen_spec()
    schemas = doc["components"]["schemas"]
    for i in range(length):
        schemas[f"S{i}"] = {
            "type": "object",
            "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}},
        }
    schemas[f"S{length}"] = {"type": "string"}
    schemas[BODY]["properties"]["chain"] = {"$ref": "#/components/schemas/S0"}
    return doc


def test_a_reference_cycle_is_not_a_chain(tmp_path: Path) -> None:
    """Components that refer to each other in a ring of 1,000 pass: a cycle counts once."""
    doc = chain_spec(1000)
    doc["components"]["schemas"]["S1000"] = {"$ref": "#/components/schemas/S0"}
    assert load_untrusted(write_spec(tmp_path / "ring.json", doc))["openapi"] == "3.0.0"


@pytest.mark.timeout(120)
def test_a_thousand_deep_reference_chain_is_refused_by_generate_and_diff(tmp_path: Path) -> None:
    """generate.sh and make diff stop a 1,000-deep $ref chain with one line naming where it starts."""
    spec = write_spec(tmp_path / "chain.json", chain_spec(1000))
    for result in (generate(spec, tmp_path / "out"), diff(spec)):
        assert result.returncode != 0
        assert "references lead more than 64 components deep" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.timeout(300)
def test_a_5_mb_spec_generates_a_client_that_imports(tmp_path: Path) -> None:
    """A spec of 5 MB (a long description) is within the bounds: it generates, imports and builds a client."""
    doc = frozen_spec()
    doc["info"]["description"] = "lorem ipsum dolor sit amet " * 200_000
    spec = write_spec(tmp_path / "big.json", doc)
    assert spec.stat().st_size > 5_000_000
    result = generate(spec, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    probe = "from raia_agent import Raia; Raia(secret_key='k', base_url='http://127.0.0.1:9').close(); print('ok')"
    ran = subprocess.run([sys.executable, "-c", probe], env={"PYTHONPATH": str(tmp_path / "out")}, capture_output=True, text=True, check=False)  # fmt: skip
    assert ran.stdout == "ok\n", ran.stderr


@pytest.mark.parametrize(
    ("change", "where"),
    [('"x-limit": 1e999', "#/x-limit"), ('"x-limit": NaN', "#/x-limit"), ("NUL", SUMMARY)],
)
def test_generate_refuses_unrepresentable_values_and_keeps_the_package(
    change: str, where: str, tmp_path: Path
) -> None:
    """1e999, NaN and a NUL in a summary stop generate.sh with one line naming the location; the package stays."""
    doc = frozen_spec()
    if change == "NUL":
        doc["paths"][FEEDBACKS]["post"]["summary"] = "Create\x00 feedback"
        text = json.dumps(doc)
    else:
        text = json.dumps(doc)[:-1] + f", {change}}}"
    out = tmp_path / "out"
    (out / "raia_agent_api").mkdir(parents=True)
    (out / "raia_agent_api" / "__init__.py").write_text("# the package as it was\n")
    before = package_files(out)
    result = generate(write_spec(tmp_path / "openapi.json", text), out)
    assert result.returncode == 1
    assert f"spec refused: openapi.json{where}:" in result.stderr
    assert package_files(out) == before


# --- external references: nothing is opened or fetched, by generate.sh or by make diff ---


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str, type[Counting]]]:
    """(secret, a file holding it, a 127.0.0.1 URL serving it, the handler counting requests)."""
    secret = f"CANARY-{uuid.uuid4().hex}"
    folder = tmp_path_factory.mktemp("canary")
    path = folder / "hosts.yml"
    path.write_text(yaml.safe_dump({"github.com": {"oauth_token": secret}}), encoding="utf-8")
    with counting_server(path.read_bytes(), "secret.yaml") as (url, handler):
        yield secret, path, url, handler


@pytest.mark.parametrize(
    "kind", ["absolute file", "relative file", "file URL", "http URL", "via the overlay"]
)
def test_an_external_reference_is_refused_before_any_tool_reads_it(
    kind: str, canary: tuple[str, Path, str, type[Counting]], tmp_path: Path
) -> None:
    """generate.sh and make diff refuse a $ref to a file or URL naming its pointer; the canary never shows, 0 requests."""
    secret, path, url, handler = canary
    (tmp_path / "hosts.yml").write_bytes(path.read_bytes())
    ref = {
        "absolute file": f"{path}#/github.com",
        "relative file": "hosts.yml#/github.com",
        "file URL": f"{path.as_uri()}#/github.com",
        "http URL": f"{url}#/github.com",
        "via the overlay": f"{url}#/github.com",
    }[kind]
    overlay = ROOT / "tests" / "specs" / "overlay.frozen.yaml"
    if kind == "via the overlay":
        spec = write_spec(tmp_path / "openapi.json", frozen_spec())
        loaded = yaml.safe_load(overlay.read_text(encoding="utf-8"))
        loaded["actions"].append(
            {"target": f"$.components.schemas.{BODY}.properties", "update": {"leak": {"$ref": ref}}}
        )
        overlay = tmp_path / "overlay.yaml"
        overlay.write_text(yaml.safe_dump(loaded), encoding="utf-8")
    else:
        spec = write_spec(tmp_path / "openapi.json", with_leak(ref))
    generated = generate(spec, tmp_path / "out", overlay)
    diffed = diff(spec, overlay)
    assert generated.returncode == 1 and diffed.returncode == 2
    for result in (generated, diffed):
        assert LEAK in result.stderr and "only local references" in result.stderr
        assert secret not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()
    assert handler.hits == 0


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_a_spec_or_overlay_path_that_is_not_a_regular_file_is_refused_without_reading(
    kind: str, tmp_path: Path
) -> None:
    """A FIFO nobody writes to, a directory or /dev/zero as spec or overlay is refused at once, not read."""
    path = tmp_path / "input"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path = Path("/dev/zero")
    # the timeout only keeps a regression from hanging the suite; the refusal itself is immediate
    guard = subprocess.run(
        [sys.executable, "-m", "tools.codegen", "guard", str(path)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert guard.returncode == 2 and "cannot be read" in guard.stderr, guard.stderr
    with pytest.raises(OverlayError, match="cannot be read"):
        load_overlay(path)


def test_an_overlay_over_the_size_bound_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    """A sparse 4 GiB overlay is refused by its size: only the bound plus one byte is read."""
    big = tmp_path / "overlay.yaml"
    with big.open("wb") as handle:
        handle.truncate(4 * 1024**3)
    with pytest.raises(OverlayError, match="over 1024 KiB"):
        load_overlay(big)
