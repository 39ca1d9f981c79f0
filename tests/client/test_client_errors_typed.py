"""`.error` is typed with the models the spec documents for each status, so mypy checks its attributes."""

from __future__ import annotations

from pathlib import Path

from raia_agent._exceptions import _BY_STATUS
from tests.support.typecheck import check_snippet
from tools.codegen.surface.operations import ERROR_STATUSES

SNIPPET = """\
from raia_agent import BadRequestError, InternalServerError, PermissionDeniedError, Raia


def call(client: Raia) -> None:
    try:
        client.feedback.create_or_update(conversation_message_id="m", user_id="u", vote_type="up", question="q")
    except PermissionDeniedError as exc:
        if exc.error is not None:
            print(exc.error.message, exc.error.details, exc.error.status)
            print(exc.error.mesage)  # E: "ForbiddenError" has no attribute "mesage"
        print(exc.error.message)  # E: Item "None" of "ForbiddenError | None" has no attribute "message"
    except InternalServerError as exc:
        if exc.error is not None:
            print(exc.error.message)
            print(exc.error.mesage)  # E: has no attribute "mesage"
    except BadRequestError as exc:
        print(exc.error.message)  # E: "None" has no attribute "message"
"""


def test_mypy_checks_attribute_names_on_a_typed_error(tmp_path: Path) -> None:
    """mypy --strict accepts the documented fields of `.error` and rejects a typo or a missing None check."""
    check_snippet(SNIPPET, tmp_path, "typed_errors.py")


def test_the_generator_types_every_status_the_exceptions_tell_apart() -> None:
    """The generated ErrorNNN aliases cover exactly the statuses with their own exception class."""
    assert set(ERROR_STATUSES) == set(_BY_STATUS)
