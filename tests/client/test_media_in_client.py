"""Form request bodies end to end: multipart uploads and urlencoded forms, sync, async and raw.

Over a package generated from the frozen vendor-shaped spec (tests/specs/vendor_media_in): calls
against local_server(), the bytes httpx.MockTransport receives, retries, and files that cannot be read.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.support.media_in import file_field, form_operations, generate_vendor, parts, run, vendor_spec
from tests.support.media_in_script import CONTENT_TYPE, FILENAME, MARKER

FLAVOURS = ["sync", "async", "raw"]
MULTIPART, FORM = "multipart/form-data", "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_vendor(tmp_path_factory.mktemp("media_in") / "generated")


@pytest.fixture(scope="module", params=FLAVOURS)
def served(request: pytest.FixtureRequest, generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Each form operation called once against local_server() in the flavour."""
    return run(generated, "server", request.param, tmp_path_factory.mktemp("served"))


def test_an_upload_answers_the_file_record_with_the_real_name_size_and_type(served: Any) -> None:
    """The upload's answer carries the uploaded file's name, its size in bytes and its content type."""
    values = list(served["upload"].values())
    assert FILENAME in values and len(MARKER) in values and CONTENT_TYPE in values, served


def test_the_server_stores_the_uploaded_bytes_under_the_answered_id(served: Any) -> None:
    """local_server()'s store holds the file as sent, for a later download: name, type and every byte."""
    name, content_type, content = served["stored"]
    assert (name, content_type, base64.b64decode(content)) == (FILENAME, CONTENT_TYPE, MARKER)


def test_a_form_call_is_answered_with_what_it_sent(served: Any) -> None:
    """The urlencoded operation's answer echoes its text fields, non-ASCII and reserved characters intact."""
    sent = {v for v in served["sent"]["form"].values() if isinstance(v, str)}
    assert sent and sent <= set(served["form"].values()), served


def test_raw_calls_answer_the_documented_success_status(generated: Path, tmp_path: Path) -> None:
    """with_raw_response on each form operation: the status is the spec's success status."""
    served = run(generated, "server", "raw", tmp_path)
    assert served["statuses"] == served["successes"] and len(served["statuses"]) == 2


@pytest.fixture(scope="module", params=FLAVOURS)
def wire(request: pytest.FixtureRequest, generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return run(generated, "wire", request.param, tmp_path_factory.mktemp("wire"))


@pytest.mark.parametrize(
    ("given", "filename", "content_type"),
    [
        ("bytes", "upload", "application/octet-stream"),
        ("file", "upload", "application/octet-stream"),
        ("path", FILENAME, mimetypes.guess_type(FILENAME)[0]),
        ("pair", "renamed.bin", "application/octet-stream"),
        ("triple", FILENAME, CONTENT_TYPE),
    ],
)
def test_each_way_of_giving_a_file_sends_one_part_with_its_name_type_and_bytes(
    wire: Any, given: str, filename: str, content_type: str
) -> None:
    """bytes, a binary file, a Path and the (filename, content[, type]) tuples each reach the wire as one
    multipart part with that filename and content type and exactly the file's bytes."""
    doc = vendor_spec()
    (request,) = wire[given]
    assert request["type"].startswith(f"{MULTIPART}; boundary=")
    found = [p for p in parts(request["type"], request["body"]) if p["name"] == file_field(doc)]
    assert len(found) == 1 and found[0]["bytes"] == MARKER, found
    assert (found[0]["filename"], found[0]["type"]) == (filename, content_type)
    assert int(request["length"]) == len(base64.b64decode(request["body"]))


def test_a_filename_with_quotes_and_line_breaks_stays_inside_its_content_disposition(wire: Any) -> None:
    """A tuple's filename holding a quote, CR/LF and a blank line adds no header, parameter or body to its part."""
    (request,) = wire["hostile"]
    body = base64.b64decode(request["body"])
    assert b"\r\nContent-Type: text/html" not in body and b"\r\n<script>" not in body
    found = [p for p in parts(request["type"], request["body"]) if p["name"] == file_field(vendor_spec())]
    assert len(found) == 1 and found[0]["bytes"] == MARKER, found
    assert found[0]["type"] == CONTENT_TYPE
    assert not set('"\r\n') & set(found[0]["filename"])


def test_the_boundary_in_the_header_delimits_the_body(wire: Any) -> None:
    """The Content-Type's boundary opens every part and closes the body."""
    (request,) = wire["bytes"]
    boundary = request["type"].partition("boundary=")[2].encode()
    body = base64.b64decode(request["body"])
    assert body.startswith(b"--" + boundary + b"\r\n") and body.endswith(b"\r\n--" + boundary + b"--\r\n")


def test_the_other_fields_of_a_multipart_body_are_text_parts_without_a_filename(wire: Any) -> None:
    """Every documented field given is a part named as on the wire, with no filename."""
    doc = vendor_spec()
    _, _, schema = form_operations(doc)[MULTIPART]
    (request,) = wire["bytes"]
    fields = {p["name"]: p for p in parts(request["type"], request["body"]) if p["name"] != file_field(doc)}
    assert set(fields) == set(schema["properties"]) - {file_field(doc)}
    assert all(p["filename"] is None and p["bytes"] for p in fields.values())


def test_a_urlencoded_form_goes_out_as_its_fields(wire: Any) -> None:
    """The form operation sends application/x-www-form-urlencoded with each body field once, as given."""
    doc = vendor_spec()
    _, _, schema = form_operations(doc)[FORM]
    (request,) = wire["form"]
    assert request["type"] == FORM
    sent = parse_qs(base64.b64decode(request["body"]).decode(), keep_blank_values=True, strict_parsing=True)
    assert set(sent) == set(schema["properties"])
    given = set(wire["form_sent"].values())
    assert all(len(values) == 1 and values[0] in given for values in sent.values()), sent


def test_an_operation_offering_json_and_a_form_sends_json(wire: Any) -> None:
    """JSON stays the default: the operation that also accepts a form sends application/json."""
    doc = vendor_spec()
    both = [
        op
        for item in doc["paths"].values()
        for op in item.values()
        if len(op.get("requestBody", {}).get("content", {})) > 1
    ]
    assert both, "the frozen spec has an operation offering JSON and a form"
    (request,) = wire["json"]
    assert request["type"] == "application/json"


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_retry_resends_the_whole_file(generated: Path, tmp_path: Path, flavour: str) -> None:
    """After a 429 the upload is sent again with every byte, from a file object and from a path."""
    retried = run(generated, "retry", flavour, tmp_path)
    for given, attempts in retried.items():
        assert len(attempts) == 2, given
        first, second = (base64.b64decode(a["body"]) for a in attempts)
        assert first == second and first.count(MARKER) == 1000, given


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_file_that_cannot_be_read_is_refused_before_any_request_naming_the_argument(
    generated: Path, tmp_path: Path, flavour: str
) -> None:
    """A missing path, a directory, a str, a text-mode file, None, a number, a FIFO, /dev/zero and a
    (sparse) file over the bound each raise naming the argument, unread and unwaited, and nothing is sent."""
    refused = run(generated, "refused", flavour, tmp_path)
    argument = file_field(vendor_spec())
    for case, outcome in refused.items():
        assert outcome["error"] in ("TypeError", "ValueError"), (case, outcome)
        assert f": {argument}" in outcome["message"], (case, outcome)
    assert "no-such-file.pdf" in refused["missing"]["message"]
    assert "directory" in refused["directory"]["message"]
    assert "text mode" in refused["text"]["message"] and refused["text"]["position"] == 0
    assert "required" in refused["none"]["message"]
    assert "not a regular file" in refused["fifo"]["message"]
    assert "not a regular file" in refused["device"]["message"]
    assert "MiB" in refused["sparse"]["message"]


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_file_bytes_never_reach_a_log_record_or_an_error_message(
    generated: Path, tmp_path: Path, flavour: str
) -> None:
    """Debug logging of an upload, and the error of a refused one, show no byte of the file."""
    seen = run(generated, "logs", flavour, tmp_path)
    assert seen["records"] > 0 and seen["leaked"] == []
    assert seen["error"] and not seen["error_leaks"]
