"""raia_spec's one rule for request media: which type a body is sent as, and which form fields are files."""

from __future__ import annotations

from typing import Any

import pytest

from raia_spec import (
    FORM,
    JSON,
    MULTIPART,
    UnsupportedMedia,
    file_fields,
    request_media,
    sent_schema,
    without,
)


def media(*kinds: str) -> dict[str, Any]:
    return {kind: {"schema": {"title": kind}} for kind in kinds}


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        ((MULTIPART, JSON), JSON),
        ((FORM, "application/json; charset=utf-8"), JSON),
        ((FORM, MULTIPART), MULTIPART),
        (("Application/X-WWW-Form-Urlencoded",), FORM),
    ],
)
def test_json_is_chosen_when_offered_then_multipart_then_a_urlencoded_form(
    offered: tuple[str, ...], chosen: str
) -> None:
    """Whatever order the spec lists them in, and with parameters or capitals in the type."""
    found = request_media(media(*offered))
    assert found is not None and found[0] == chosen


def test_a_body_of_no_type_the_client_sends_is_refused_naming_its_types() -> None:
    """text/plain alone is an UnsupportedMedia naming it; no content is no body (None)."""
    with pytest.raises(UnsupportedMedia, match="text/plain"):
        request_media(media("text/plain"))
    assert request_media({}) is None
    assert sent_schema(media("text/plain")) == {}


def test_files_are_binary_strings_or_raw_content_media_types() -> None:
    """format: binary (3.0) and contentMediaType without contentEncoding (3.1) are files; base64 is text."""
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "format": "binary"},
            "b": {"type": "string", "contentMediaType": "image/png"},
            "c": {"type": "string", "contentMediaType": "image/png", "contentEncoding": "base64"},
            "d": {"type": "string"},
        },
        "required": ["a", "d"],
    }
    assert file_fields(MULTIPART, schema, lambda node: node) == ("a", "b")
    assert without(schema, ("a", "b")) == {
        "type": "object",
        "properties": {"c": schema["properties"]["c"], "d": {"type": "string"}},
        "required": ["d"],
    }


@pytest.mark.parametrize(
    ("kind", "schema", "reason"),
    [
        (FORM, {"type": "object", "properties": {"f": {"type": "string", "format": "binary"}}}, "multipart"),
        (MULTIPART, {"type": "object", "properties": {"f": {"type": "array", "items": {"format": "binary"}}}}, "array of files"),
        (MULTIPART, {"type": "string"}, "object with properties"),
    ],
)  # fmt: skip
def test_a_form_that_cannot_be_sent_field_by_field_is_refused_naming_why(
    kind: str, schema: dict[str, Any], reason: str
) -> None:
    """A file in a urlencoded form, an array of files, a form that is not an object: UnsupportedMedia."""
    with pytest.raises(UnsupportedMedia, match=reason):
        file_fields(kind, schema, lambda node: node)
