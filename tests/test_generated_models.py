"""The generated models round-trip through their dict form."""

from __future__ import annotations

from typing import Any

import pytest
import raia_agent_api.models as models
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from raia_agent_api._spec import corrected_spec

FEEDBACK = {
    "id": "5b0d7a0e-8f4e-4d0b-9a51-8a3a2b3a6c11",
    "conversationMessageId": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "voteType": "up",
    "question": "How do I reset my password?",
    "answer": None,
    "createdAt": "2026-11-29T08:00:00.000Z",
    "updatedAt": "2026-11-29T08:00:00.000Z",
    "comment": None,
}
EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "Feedback": [FEEDBACK, {**FEEDBACK, "voteType": "down", "answer": "Use the link.", "comment": "ok"}],
    "FeedbackRequest": [
        {
            "conversationMessageId": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "userId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "voteType": "down",
            "question": "Why?",
        },
        {
            "conversationMessageId": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "userId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "voteType": "up",
            "question": "Why?",
            "answer": "Because.",
            "comment": "Helpful",
        },
    ],
    # The body the real API sends on a bad key: `name` is a string.
    "ForbiddenError": [
        {"status": 403, "name": "FORBIDDEN_ERROR", "message": "INVALID_CREDENTIALS", "details": []}
    ],
    "ForbiddenErrorDetailsItem": [{}, {"field": "x"}],
    "InternalServerError": [{"status": 500, "message": "Internal Server Error"}],
}
MODEL_CLASSES = {
    name: getattr(models, name) for name in models.__all__ if hasattr(getattr(models, name), "from_dict")
}


def test_every_model_has_examples() -> None:
    """A model added by a spec change needs examples here before the suite passes."""
    assert sorted(MODEL_CLASSES) == sorted(EXAMPLES), "add examples for new models, drop removed ones"


@pytest.mark.parametrize(("name", "example"), [(n, e) for n, es in EXAMPLES.items() for e in es])
def test_model_round_trips(name: str, example: dict[str, Any]) -> None:
    """from_dict(to_dict(x)) == x, and to_dict gives back the example."""
    cls = MODEL_CLASSES[name]
    model = cls.from_dict(example)
    assert cls.from_dict(model.to_dict()) == model
    assert model.to_dict() == example


def test_forbidden_error_keeps_name_as_string() -> None:
    """A real 403 body parses, with `name` a string as the overlay corrects it."""
    error = models.ForbiddenError.from_dict(EXAMPLES["ForbiddenError"][0])
    assert error.name == "FORBIDDEN_ERROR"
    assert error.message == "INVALID_CREDENTIALS"


SCHEMAS = corrected_spec()["components"]["schemas"]
SCHEMA_FOR_MODEL = {
    "Feedback": "ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO",
    "FeedbackRequest": "ExternalApiCrateOrUpdateConversationMessageFeedbackBodyDTO",
    "ForbiddenError": "ForbiddenErrorDTO",
    "InternalServerError": "InternalServerErrorDTO",
}
uuids = st.uuids().map(str)


@pytest.mark.parametrize("name", sorted(SCHEMA_FOR_MODEL))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_schema_generated_bodies_round_trip(name: str, data: st.DataObject) -> None:
    """Any body the corrected schema allows round-trips through its model."""
    schema = dict(SCHEMAS[SCHEMA_FOR_MODEL[name]])
    body = data.draw(from_schema(schema, custom_formats={"uuid": uuids}))
    cls = MODEL_CLASSES[name]
    model = cls.from_dict(body)
    assert cls.from_dict(model.to_dict()) == model
