"""Forward-compatible responses: what a newer spec would explain is returned with a warning, unless strict."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent import AsyncRaia, Raia, ResponseValidationError
from tests.support.bodies import success_body
from tests.support.server_helpers import CREATE_ARGS
from tests.support.typecheck import check_snippet

ARGS = CREATE_ARGS
# Built from the spec's reply schema, echoing the request, so a vendor update changes it here too.
FEEDBACK: dict[str, Any] = success_body(
    CREATE, **{p.name: ARGS[p.python] for p in CREATE.params if p.location == "body" and p.python in ARGS}
)
KEY = "sk-test-lenient-0123456789"

# What a vendor may ship before its spec says so: (the body, the field a warning names, a check)
NEWER: dict[str, tuple[dict[str, Any], str, Any]] = {
    "unknown enum value": (
        {**FEEDBACK, "voteType": "neutral"},
        "voteType",
        lambda fb: fb.vote_type == "neutral",
    ),
    "extra field": (
        {**FEEDBACK, "sentiment": {"score": 0.8}},
        "sentiment",
        lambda fb: fb.additional_properties == {"sentiment": {"score": 0.8}},
    ),
    "unknown format value": (
        {**FEEDBACK, "id": "fb_01HZX3K8Q9"},
        "id",
        lambda fb: fb.id == "fb_01HZX3K8Q9" and isinstance(fb.conversation_message_id, uuid.UUID),
    ),
}


async def call(flavour: str, body: object, **options: Any) -> Any:
    transport = httpx.MockTransport(lambda request: httpx.Response(201, json=body))
    if flavour == "sync":
        with Raia(
            secret_key=KEY, http_client=httpx.Client(transport=transport), max_retries=0, **options
        ) as client:
            return client.feedback.create_or_update(**ARGS)
    async with AsyncRaia(
        secret_key=KEY, http_client=httpx.AsyncClient(transport=transport), max_retries=0, **options
    ) as aclient:
        return await aclient.feedback.create_or_update(**ARGS)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "raia_agent" and r.levelno == logging.WARNING]


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("case", list(NEWER))
async def test_a_response_a_newer_spec_explains_is_returned_with_one_warning(
    flavour: str, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    """By default the value is kept as received and one warning line names the field."""
    body, field, kept = NEWER[case]
    with caplog.at_level(logging.WARNING, logger="raia_agent"):
        fb = await call(flavour, body, strict_responses=False)
    assert kept(fb)
    assert fb.question == "Q"
    (line,) = warnings_of(caplog)
    assert f"response field {field}:" in line and "strict_responses=True" in line
    assert KEY not in line


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("case", list(NEWER))
async def test_strict_responses_refuses_what_a_newer_spec_would_explain(flavour: str, case: str) -> None:
    """strict_responses=True raises ResponseValidationError naming the field."""
    body, field, _ = NEWER[case]
    with pytest.raises(ResponseValidationError) as caught:
        await call(flavour, body, strict_responses=True)
    assert field in str(caught.value)
    assert caught.value.body == body


HOSTILE_NAME = "x\n[FAKE] raia_agent ERROR \x1b]52;c;AAAA\x07 it's \u202eyes"


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_hostile_field_name_warns_in_one_line_with_its_controls_escaped(
    flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An extra field named with a newline, ESC, a quote and a bidi mark gives one warning line naming it, escaped."""
    with caplog.at_level(logging.WARNING, logger="raia_agent"):
        fb = await call(flavour, {**FEEDBACK, HOSTILE_NAME: 1}, strict_responses=False)
    assert fb.additional_properties == {HOSTILE_NAME: 1}
    (line,) = warnings_of(caplog)
    assert all(ch.isprintable() for ch in line), line
    assert "response field x\\n[FAKE] raia_agent ERROR \\x1b]52;c;AAAA\\x07 it's \\u202eyes:" in line


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("where", ["value", "field name", "many fields"])
async def test_a_huge_value_or_field_name_gives_a_bounded_warning(
    flavour: str, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A 100,000-character enum value or field name, or 3,000 extra fields, warn in a line of at most a few hundred characters."""
    body = {
        "value": {**FEEDBACK, "voteType": "n" * 100_000},
        "field name": {**FEEDBACK, "k" * 100_000: 1},
        "many fields": {**FEEDBACK, **{f"field{i}": i for i in range(3000)}},
    }[where]
    with caplog.at_level(logging.WARNING, logger="raia_agent"):
        await call(flavour, body, strict_responses=False)
    (line,) = warnings_of(caplog)
    assert len(line) < 1000, line[:300]
    if where == "many fields":
        assert "field0, field1, field2, field3, field4 and 2995 more" in line


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_strict_refusal_quotes_a_hostile_field_name_escaped_and_bounded(flavour: str) -> None:
    """With strict_responses=True the error message names the field with its controls escaped, in bounded length."""
    body = {**FEEDBACK, HOSTILE_NAME: 1, "k" * 100_000: 2}
    with pytest.raises(ResponseValidationError) as caught:
        await call(flavour, body, strict_responses=True)
    message = str(caught.value)
    assert all(ch.isprintable() for ch in message), message[:300]
    assert "x\\n[FAKE]" in message and len(message) < 3000
    assert caught.value.body == body


MALFORMED: dict[str, dict[str, Any]] = {
    "missing required field": {k: v for k, v in FEEDBACK.items() if k != "createdAt"},
    "wrong JSON type": {**FEEDBACK, "voteType": 3},
    "wrong type beside a new value": {**FEEDBACK, "voteType": "neutral", "question": 42},
}


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_missing_field_or_wrong_type_raises_in_both_modes(
    flavour: str, strict: bool, case: str
) -> None:
    """No newer spec explains a missing required field or a wrong JSON type: always an error."""
    with pytest.raises(ResponseValidationError):
        await call(flavour, MALFORMED[case], strict_responses=strict)


def test_the_default_is_lenient_and_the_environment_or_with_options_makes_it_strict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Raia() is lenient unless RAIA_AGENT_STRICT_RESPONSES=1; with_options(strict_responses=...) overrides."""
    body = NEWER["unknown enum value"][0]
    transport = httpx.MockTransport(lambda request: httpx.Response(201, json=body))
    monkeypatch.delenv("RAIA_AGENT_STRICT_RESPONSES")
    with Raia(secret_key=KEY, http_client=httpx.Client(transport=transport)) as client:
        assert client.feedback.create_or_update(**ARGS).vote_type == "neutral"
        with pytest.raises(ResponseValidationError):
            client.with_options(strict_responses=True).feedback.create_or_update(**ARGS)
        monkeypatch.setenv("RAIA_AGENT_STRICT_RESPONSES", "1")
        with Raia(secret_key=KEY, http_client=httpx.Client(transport=transport)) as strict:
            with pytest.raises(ResponseValidationError):
                strict.feedback.create_or_update(**ARGS)
            lenient = strict.with_options(strict_responses=False)
            assert lenient.feedback.create_or_update(**ARGS).vote_type == "neutral"
    monkeypatch.setenv("RAIA_AGENT_STRICT_RESPONSES", "maybe")
    with pytest.raises(ValueError, match="RAIA_AGENT_STRICT_RESPONSES"):
        Raia(secret_key=KEY)
    with pytest.raises(TypeError, match="strict_responses"):
        Raia(secret_key=KEY, strict_responses="yes")  # type: ignore[arg-type]


TYPES_SNIPPET = """\
from uuid import UUID

from raia_agent import Raia


def use(client: Raia) -> None:
    fb = client.feedback.create_or_update(conversation_message_id="m", user_id="u", vote_type="up", question="q")
    if fb.vote_type == "neutral":  # a value a newer spec may add: the type allows it
        print("new vote type")
    vote: str = fb.vote_type
    if isinstance(fb.id, UUID):
        print(fb.id.hex)
    print(fb.id.hex)  # E: Item "str" of "UUID | str" has no attribute "hex"
"""


def test_the_models_types_allow_the_values_kept_as_received(tmp_path: Path) -> None:
    """mypy --strict: an enum field compares with a new value, a uuid field must be narrowed before .hex."""
    check_snippet(TYPES_SNIPPET, tmp_path, "lenient_types.py")


@pytest.mark.parametrize("received", [5, None, {"v": "up"}, ["up"], True])
def test_an_enum_declared_without_a_type_keeps_only_a_string_it_does_not_know(received: Any) -> None:
    """A schema `{enum: [...]}` with no `type` reports 5 or {} only as "not listed": lenient parsing still refuses it."""
    from raia_agent._lenient import build
    from raia_agent._schema import Validator

    schema = {"type": "object", "properties": {"voteType": {"enum": ["up", "down"]}}}
    problems = Validator(schema).problems({"voteType": received})
    assert [problem.kind for problem in problems] == ["Enum"]  # what makes it look forward-compatible
    with pytest.raises(ValueError, match="voteType is not a string"):
        build({"voteType": received}, schema, problems, dict)
    assert build(
        {"voteType": "neutral"}, schema, Validator(schema).problems({"voteType": "neutral"}), dict
    ) == {"voteType": "neutral"}
