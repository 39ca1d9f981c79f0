"""Models read like openai-python's: UNSET by name, to_dict() and to_json(), `_request_id` on what a
call returns, and item access that points a documented field to its attribute."""

from __future__ import annotations

import asyncio
import copy
import json
import pickle
from typing import Any

import attrs
import pytest
from raia_agent_api import models
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE
from raia_agent_api.types import UNSET, FieldKeyError, Unset

from raia_agent import AsyncRaia, Raia
from raia_agent.testing import local_server
from tests.support.bodies import success_body
from tests.support.cli_helpers import raw_http_server
from tests.support.raw_server import response_head

ARGS = {
    "conversation_message_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "user_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "vote_type": "up",
    "question": "Why?",
}
FLAVOURS = ["sync", "async"]


def call(flavour: str, base_url: str, key: str, *, raw: bool = False) -> Any:
    """feedback.create_or_update through Raia or AsyncRaia: the parsed model, or the RawResponse."""
    if flavour == "sync":
        with Raia(secret_key=key, base_url=base_url, max_retries=0) as client:
            method = client.feedback.with_raw_response if raw else client.feedback
            return method.create_or_update(**ARGS)

    async def main() -> Any:
        async with AsyncRaia(secret_key=key, base_url=base_url, max_retries=0) as client:
            method = client.feedback.with_raw_response if raw else client.feedback
            return await method.create_or_update(**ARGS)

    return asyncio.run(main())


def generated_models() -> list[type]:
    classes = [getattr(models, name) for name in models.__all__]
    return [cls for cls in classes if attrs.has(cls) and hasattr(cls, "from_dict")]


def built_by_hand(cls: type) -> Any:
    """An instance with every constructor argument without default given (attrs checks no types)."""
    return cls(**{f.name: "x" for f in attrs.fields(cls) if f.init and f.default is attrs.NOTHING})


def optional_fields(cls: type) -> list[str]:
    return [f.name for f in attrs.fields(cls) if f.init and f.default is UNSET]


def test_unset_reads_as_its_name_in_a_models_repr() -> None:
    """repr(UNSET) is "UNSET", and a model's repr shows each field left out as `name=UNSET`."""
    assert repr(UNSET) == "UNSET"
    with_optional = [cls for cls in generated_models() if optional_fields(cls)]
    assert with_optional, "the spec has no model with an optional field to check"
    for cls in with_optional:
        shown = repr(built_by_hand(cls))
        assert "object at 0x" not in shown
        for name in optional_fields(cls):
            assert f"{name}=UNSET" in shown, (cls.__name__, shown)


def test_unset_stays_the_one_unset_through_pickle_and_copy() -> None:
    """A pickled or copied UNSET is UNSET itself, so a model's field left out stays out of to_dict()."""
    for clone in (pickle.loads(pickle.dumps(UNSET)), copy.copy(UNSET), copy.deepcopy(UNSET)):
        assert clone is UNSET
    for cls in [cls for cls in generated_models() if optional_fields(cls)]:
        model = built_by_hand(cls)
        again = pickle.loads(pickle.dumps(model))
        assert all(isinstance(getattr(again, name), Unset) for name in optional_fields(cls))
        assert again.to_dict() == model.to_dict()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_to_json_writes_what_to_dict_describes(flavour: str) -> None:
    """A returned model's to_json() is its to_dict() as JSON, indented by 2 unless told otherwise."""
    with local_server() as server:
        fb = call(flavour, server.base_url, server.secret_key)
    assert json.loads(fb.to_json()) == fb.to_dict()
    assert fb.to_json() == json.dumps(fb.to_dict(), indent=2)
    assert "\n" not in fb.to_json(indent=None)


def test_to_json_refuses_what_json_cannot_spell() -> None:
    """A value JSON has no spelling for (NaN) is a ValueError, never invalid JSON written out."""
    cls = generated_models()[0]
    model = built_by_hand(cls)
    model.additional_properties["zz_probe"] = float("nan")
    with pytest.raises(ValueError, match="JSON"):
        model.to_json()


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("raw", [False, True], ids=["parsed", "raw"])
def test_a_returned_model_carries_the_responses_request_id(flavour: str, raw: bool) -> None:
    """`model._request_id` is the x-request-id of the response it was parsed from (the access log's)."""
    lines: list[str] = []
    with local_server(access_log=lines.append) as server:
        result = call(flavour, server.base_url, server.secret_key, raw=raw)
    model = result.parsed if raw else result
    assert isinstance(model._request_id, str) and model._request_id
    assert len(lines) == 1 and model._request_id in lines[0]
    if raw:
        assert model._request_id == result.request_id


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_response_without_a_request_id_gives_none(flavour: str) -> None:
    """A reply with no x-request-id header leaves `_request_id` None, as on a model built by hand."""
    body = json.dumps(success_body(CREATE)).encode()
    head = response_head(
        CREATE.success, {"content-type": "application/json", "content-length": str(len(body))}
    )
    with raw_http_server(head + body) as url:
        fb = call(flavour, url, "sk-test-model-reading")
    assert fb._request_id is None
    assert all(built_by_hand(cls)._request_id is None for cls in generated_models())


def test_the_request_id_is_kept_by_pickle_but_is_no_part_of_the_value() -> None:
    """Pickle and copy keep `_request_id`; repr, equality and to_dict() leave it out."""
    with local_server() as server:
        fb = call("sync", server.base_url, server.secret_key)
    for clone in (pickle.loads(pickle.dumps(fb)), copy.copy(fb), copy.deepcopy(fb)):
        assert clone._request_id == fb._request_id
    other = type(fb).from_dict(fb.to_dict())
    assert other == fb and other._request_id is None
    assert fb._request_id not in repr(fb)
    assert "_request_id" not in fb.to_dict() and "_request_id" not in fb.to_json()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_item_access_to_a_documented_field_names_the_attribute(flavour: str) -> None:
    """model["<field>"] (as sent, or as the attribute) raises a KeyError naming `.attribute`; an
    undocumented property is an item as before, and a missing one a plain KeyError."""
    with local_server() as server:
        fb = call(flavour, server.base_url, server.secret_key)
    documented = {a.name for a in attrs.fields(type(fb)) if a.init}
    assert documented
    wire = fb.to_dict()
    for key in set(wire) | documented:
        with pytest.raises(FieldKeyError) as caught:
            fb[key]
        attribute = str(caught.value).split(": use .", 1)[1].split()[0]
        assert attribute in documented and type(fb).__name__ in str(caught.value)
        assert isinstance(caught.value, KeyError) and key not in fb
    with pytest.raises(KeyError) as missing:
        fb["zz_probe"]
    assert type(missing.value) is KeyError
    fb["zz_probe"] = 1
    assert fb["zz_probe"] == 1 and "zz_probe" in fb and fb.to_dict()["zz_probe"] == 1
    del fb["zz_probe"]
    assert "zz_probe" not in fb.to_dict()


def test_setting_a_documented_field_as_an_item_is_refused() -> None:
    """model["<field as sent>"] = v raises (to_dict would write the field over it) and changes nothing."""
    with local_server() as server:
        fb = call("sync", server.base_url, server.secret_key)
    before = fb.to_dict()
    for key in before:
        with pytest.raises(FieldKeyError, match=r"use \."):
            fb[key] = "changed"
    assert fb.to_dict() == before and fb.additional_properties == {}
