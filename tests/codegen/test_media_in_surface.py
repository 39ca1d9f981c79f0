"""Form request bodies as callers meet them besides the call: types, generation, the CLI and `make diff`.

Over the frozen vendor-shaped spec (tests/specs/vendor_media_in): a multipart upload, a urlencoded
webhook registration, and a JSON operation that also accepts a form.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.frozen import ROOT, write_spec
from tests.support.media_in import (
    GENERATOR,
    OVERLAY,
    SPEC,
    file_field,
    form_operations,
    generate_vendor,
    run,
    vendor_spec,
)
from tests.support.media_in_script import MARKER
from tests.support.typecheck import assert_marked, mypy_errors
from tools.codegen.naming import Naming, primary_tag

MULTIPART, FORM = "multipart/form-data", "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_vendor(tmp_path_factory.mktemp("media_in_surface") / "generated")


def client_path(media: str) -> str:
    """`client.<resource>.<method>` of the spec's operation taking `media`, as the naming rules give it."""
    doc = vendor_spec()
    method, path, _ = form_operations(doc)[media]
    op = doc["paths"][path][method.lower()]
    naming, _ = Naming.load(GENERATOR)
    return f"client.{naming.resource_name(primary_tag(op))}.{naming.operation_method(path, method, op)}"


UPLOAD_SNIPPET = """\
import io
from pathlib import Path
from raia_agent import AsyncRaia, Raia

client = Raia(secret_key="k")
AGENT = "0b9d5d6c-3f0e-4d3a-9c8e-2f6a1e4b7c10"
{call}({file}=b"%PDF-1.4", agent_id=AGENT)
{call}({file}=Path("report.pdf"), agent_id=AGENT, description="Q3")
{call}({file}=io.BytesIO(b"x"), agent_id=AGENT)
{call}({file}=("report.pdf", b"x", "application/pdf"), agent_id=AGENT)
{call}({file}=("report.pdf", Path("report.pdf")), agent_id=AGENT)
with open("report.pdf", "rb") as handle:
    {call}({file}=handle, agent_id=AGENT)
raw = {raw}({file}=b"x", agent_id=AGENT)
async def main(aclient: AsyncRaia) -> None:
    await {acall}({file}=b"x", agent_id=AGENT)
{call}({file}="report.pdf", agent_id=AGENT)  # E: Argument "{file}"
with open("notes.txt") as text:
    {call}({file}=text, agent_id=AGENT)  # E: Argument "{file}"
{call}({file}=("report.pdf", "text"), agent_id=AGENT)  # E: Argument "{file}"
{call}(agent_id=AGENT)  # E: Missing named argument "{file}"
"""

FORM_SNIPPET = """\
from raia_agent import Raia

client = Raia(secret_key="k")
AGENT = "0b9d5d6c-3f0e-4d3a-9c8e-2f6a1e4b7c10"
{call}(AGENT, {fields})
{call}(AGENT, {wrong})  # E: Argument "{enum}"
"""


def test_mypy_accepts_every_kind_of_file_and_refuses_text(generated: Path, tmp_path: Path) -> None:
    """bytes, a Path, a binary file and the tuples type-check for a file argument; a str path, a text
    file, a tuple of text and a missing file do not."""
    call = client_path(MULTIPART)
    resource, method = call.split(".")[1:]
    snippet = UPLOAD_SNIPPET.format(
        call=call,
        raw=f"client.{resource}.with_raw_response.{method}",
        acall=f"aclient.{resource}.{method}",
        file=file_field(vendor_spec()),
    )
    errors, output = mypy_errors(snippet, tmp_path, generated=generated)
    assert_marked(snippet, errors, output)


def test_mypy_accepts_a_form_call_and_refuses_a_value_its_enum_does_not_hold(
    generated: Path, tmp_path: Path
) -> None:
    """The urlencoded operation's fields are typed as for a JSON body: an enum field takes its values only."""
    _, _, schema = form_operations(vendor_spec())[FORM]
    (enum,) = [name for name, prop in schema["properties"].items() if prop.get("enum")]
    given = {
        name: repr(prop["enum"][0]) if prop.get("enum") else repr("https://hooks.example/in")
        for name, prop in schema["properties"].items()
    }
    fields = ", ".join(f"{name}={value}" for name, value in given.items())
    wrong = ", ".join(
        f"{name}={repr('not-an-event') if name == enum else value}" for name, value in given.items()
    )
    snippet = FORM_SNIPPET.format(call=client_path(FORM), fields=fields, wrong=wrong, enum=enum)
    errors, output = mypy_errors(snippet, tmp_path, generated=generated)
    assert_marked(snippet, errors, output)


def test_the_descriptions_say_which_body_is_a_form_and_which_fields_are_files(generated: Path) -> None:
    """The multipart operation lists its file field as a required file; the urlencoded one has no files;
    the operation that also takes JSON is described as JSON."""
    text = "".join(p.read_text() for p in (generated / "raia_agent_api" / "resources").glob("_ops_*.py"))
    file = file_field(vendor_spec())
    assert f'body_media=RequestMedia("{MULTIPART}", ("{file}",), ("{file}",))' in text
    assert f'body_media=RequestMedia("{FORM}", (), ())' in text
    assert text.count("body_media=") == 2


@pytest.mark.parametrize(
    ("content", "named"),
    [({"text/plain": {"schema": {"type": "string"}}}, "text/plain"),
     ({"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
         "f": {"type": "string", "format": "binary"}}}}}, "a file needs multipart/form-data")],
)  # fmt: skip
def test_a_request_body_the_client_cannot_send_fails_generation_naming_the_operation(
    tmp_path: Path, content: dict[str, Any], named: str
) -> None:
    """A body of a type no call can send (or a file in a urlencoded form) stops generation naming the
    route and the reason, not with a traceback."""
    doc = vendor_spec()
    method, path, _ = form_operations(doc)[FORM]
    doc["paths"][path][method.lower()]["requestBody"]["content"] = content
    spec = write_spec(tmp_path / "spec.json", doc)
    env = {"SPEC": str(spec), "OVERLAY": str(OVERLAY), "GENERATOR": str(GENERATOR), "PYTHON": sys.executable}
    result = subprocess.run(
        [str(ROOT / "generate.sh"), "--out", str(tmp_path / "out")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode != 0
    assert f"{method} {path}" in result.stderr and named in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def cli(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return run(generated, "cli", "sync", tmp_path_factory.mktemp("cli"))


def test_the_cli_uploads_a_file_given_by_path(cli: Any) -> None:
    """`<resource> <method> --<file> PATH ...` sends the file: the server stores its exact bytes and the
    printed answer names it."""
    upload = cli["upload"]
    assert upload["rc"] == 0, upload["stderr"]
    assert base64.b64decode(cli["stored"]) == MARKER
    assert len(MARKER) in json.loads(upload["stdout"]).values()


def test_the_cli_sends_a_urlencoded_form_like_a_json_body(cli: Any) -> None:
    """The form operation's fields are options; the answer echoes what they sent."""
    form = cli["form"]
    assert form["rc"] == 0, form["stderr"]
    printed = set(json.loads(form["stdout"]).values())
    body = [p for p in form_operations(vendor_spec())[FORM][2]["properties"]]
    assert body and all(form["sent"][name] in printed for name in body if name in form["sent"])


def test_the_cli_refuses_a_missing_file_before_any_request(cli: Any) -> None:
    """A --file path that does not exist is a usage error naming the option; nothing reaches the server."""
    missing = cli["missing"]
    assert missing["rc"] == 2 and missing["requests"] == 0
    assert f"--{file_field(vendor_spec())}" in missing["stderr"] and "gone.pdf" in missing["stderr"]


def test_make_diff_reports_new_form_operations_as_additions_named_as_callers_write_them(
    tmp_path: Path,
) -> None:
    """Adding the multipart and the urlencoded operation (and their schemas) is not breaking; the report
    names each as `client.<resource>.<method>()` and says which form its body is."""
    added = form_operations(vendor_spec())
    old = vendor_spec()
    removed = json.dumps([old["paths"].pop(path) for _, path, _ in added.values()])
    kept = json.dumps(old["paths"])
    for name in [n for n in old["components"]["schemas"] if f'/{n}"' in removed and f'/{n}"' not in kept]:
        del old["components"]["schemas"][name]
    old_spec = write_spec(tmp_path / "old.json", old)
    env = {**os.environ, "GENERATOR": str(GENERATOR), "PYTHON": sys.executable}
    command = [sys.executable, "-m", "tools.apidiff", "--old", str(old_spec), "--new", str(SPEC)]
    command += ["--overlay", str(OVERLAY), "--format", "json"]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["breaking"] is False and report["failure"] is None
    rows = {
        row["location"]: row["message"] for row in report["behaviour"] if row["rule"] == "operation-added"
    }
    assert set(rows) == {f"{client_path(media)}()" for media in added}
    for media, (method, path, _) in added.items():
        assert (
            f"{method} {path}" in rows[f"{client_path(media)}()"] and media in rows[f"{client_path(media)}()"]
        )


def test_the_package_generated_from_the_spec_passes_mypy_strict(generated: Path, tmp_path: Path) -> None:
    """`make generate` output for forms and files type-checks as `make check` checks the repo's (every
    file of the generated package checked, so it is that package, not the installed one, mypy read)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "raia_agent_api"],
        env={**os.environ, "MYPYPATH": f"{generated}{os.pathsep}{ROOT / 'src'}"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    files = len(list((generated / "raia_agent_api").rglob("*.py")))
    assert f"no issues found in {files} source files" in result.stdout, result.stdout
