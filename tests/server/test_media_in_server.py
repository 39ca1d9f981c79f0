"""local_server() serving form bodies: multipart uploads and urlencoded forms, checked and stored.

The frozen vendor-shaped spec (tests/specs/vendor_media_in) served in this process, spoken to with
plain httpx, so each request is exactly the bytes a test writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from raia_agent.testing import LocalServer, local_server
from tests.support.media_in import file_field, form_operations, vendor_spec

AGENT = "0b9d5d6c-3f0e-4d3a-9c8e-2f6a1e4b7c10"
MULTIPART, FORM = "multipart/form-data", "application/x-www-form-urlencoded"
CONTENT = b"%PDF-1.4\n\x00\xff\r\n--x\r\nnot a boundary"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with local_server(spec=vendor_spec()) as running:
        yield running


def target(server: LocalServer, media: str) -> tuple[str, str, dict[str, Any]]:
    """(method, URL, body schema) of the spec's operation taking `media`, its path filled in."""
    method, path, schema = form_operations(vendor_spec())[media]
    return method, server.base_url + path.replace("{agentId}", AGENT), schema


def fields(schema: dict[str, Any]) -> dict[str, str]:
    """A valid text value for every non-file field of a form body."""
    doc = vendor_spec()
    out = {}
    for name, prop in schema["properties"].items():
        prop = doc["components"]["schemas"].get(prop.get("$ref", "").rpartition("/")[2], prop)
        if prop.get("format") == "binary":
            continue
        out[name] = (
            AGENT if prop.get("format") == "uuid" else (prop.get("enum") or ["https://h.example/x"])[0]
        )
    return out


def send(server: LocalServer, media: str, **kwargs: Any) -> httpx.Response:
    method, url, _ = target(server, media)
    headers = {server.auth_headers[0]: server.secret_key, **kwargs.pop("headers", {})}
    return httpx.request(method, url, headers=headers, timeout=30, **kwargs)


def upload(server: LocalServer, content: bytes = CONTENT, name: str = "q3.pdf") -> httpx.Response:
    _, _, schema = target(server, MULTIPART)
    files = {file_field(vendor_spec()): (name, content, "application/pdf")}
    return send(server, MULTIPART, data=fields(schema), files=files)


def test_an_upload_is_stored_with_its_name_type_and_bytes(server: LocalServer) -> None:
    """The answer is the documented success with the file's real name, size and type; the store keeps
    the bytes under the answered id."""
    response = upload(server)
    method, _, _ = target(server, MULTIPART)
    doc = vendor_spec()
    _, path, _ = form_operations(doc)[MULTIPART]
    assert response.status_code == int(min(doc["paths"][path][method.lower()]["responses"])), response.text
    body = response.json()
    assert {"q3.pdf", len(CONTENT), "application/pdf"} <= set(body.values())
    stored = server.store.file(body["id"])
    assert stored is not None
    assert (stored.filename, stored.content_type, stored.content) == ("q3.pdf", "application/pdf", CONTENT)
    assert str(len(CONTENT)) in repr(stored) and "PDF" not in repr(stored)


def test_each_upload_is_a_new_file_even_for_the_same_owner(server: LocalServer) -> None:
    """Two uploads naming the same uuid fields make two documents, each file kept apart."""
    first, second = upload(server, b"one"), upload(server, b"two")
    assert first.json()["id"] != second.json()["id"]
    stored = [server.store.file(r.json()["id"]) for r in (first, second)]
    assert [s.content for s in stored if s is not None] == [b"one", b"two"]


def test_an_upload_without_its_required_file_is_refused_naming_the_field(server: LocalServer) -> None:
    """The fields alone, as multipart or as JSON: 400 naming the file field."""
    _, _, schema = target(server, MULTIPART)
    as_parts = {name: (None, value) for name, value in fields(schema).items()}
    for response in (send(server, MULTIPART, files=as_parts), send(server, MULTIPART, json=fields(schema))):
        assert response.status_code == 400
        assert any(file_field(vendor_spec()) in line for line in response.json()["message"])


def test_the_other_fields_of_a_form_are_checked_against_the_schema(server: LocalServer) -> None:
    """A uuid field that is no uuid, and an enum field outside its values, are 400s naming them."""
    _, _, schema = target(server, MULTIPART)
    bad = {**fields(schema), next(n for n, v in fields(schema).items() if v == AGENT): "not-a-uuid"}
    files = {file_field(vendor_spec()): ("a.pdf", b"x", "application/pdf")}
    response = send(server, MULTIPART, data=bad, files=files)
    assert response.status_code == 400 and "not-a-uuid" in str(response.json()["message"])
    _, _, form = target(server, FORM)
    (enum,) = [n for n, p in form["properties"].items() if "enum" in p]
    response = send(server, FORM, data={**fields(form), enum: "never.happens"})
    assert response.status_code == 400 and enum in str(response.json()["message"])


def test_a_urlencoded_form_is_answered_with_its_fields(server: LocalServer) -> None:
    """The form operation stores what the form sent and answers it."""
    _, _, form = target(server, FORM)
    response = send(server, FORM, data=fields(form))
    assert response.status_code == 201, response.text
    assert set(fields(form).values()) <= set(response.json().values())


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'),
        ("multipart/form-data; boundary=y", b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'),
        ("multipart/form-data; boundary=x", b"--x\r\n\xff\xfe: zz\r\n\r\nb\r\n--x--\r\n"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Type: text/plain\r\n\r\nb\r\n--x--\r\n"),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nb'),
        ("multipart/form-data; boundary=x", b""),
    ],
)  # fmt: skip
def test_a_malformed_multipart_body_is_a_400_never_a_500(
    server: LocalServer, content_type: str, body: bytes
) -> None:
    """No boundary, another boundary, undecodable part headers, a part without a name, a cut body, none."""
    response = send(server, MULTIPART, content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    assert response.json()["statusCode"] == 400


def test_a_form_with_too_many_fields_is_refused(server: LocalServer) -> None:
    """Thousands of fields are a 400, not thousands of parsed values."""
    many = "&".join(f"f{i}=1" for i in range(5000))
    response = send(server, FORM, content=many.encode(), headers={"content-type": FORM})
    assert response.status_code == 400
