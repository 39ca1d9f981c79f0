"""`.error` is typed with the models the spec documents for each status, so mypy checks its attributes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from raia_agent._exceptions import _BY_STATUS
from tools.surface_ops import ERROR_STATUSES

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
    (tmp_path / "typed_errors.py").write_text(SNIPPET, encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mypy"), "--strict", "--no-incremental", "typed_errors.py"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=tmp_path,
    )
    errors: dict[int, str] = {}
    for line in result.stdout.splitlines():
        match = re.match(r"typed_errors\.py:(\d+): error: (.*)", line)
        if match:
            errors[int(match.group(1))] = errors.get(int(match.group(1)), "") + match.group(2)
    for number, line in enumerate(SNIPPET.splitlines(), start=1):
        wanted = line.partition("# E: ")[2]
        if wanted:
            assert wanted in errors.get(number, ""), f"mypy accepted line {number}: {line}\n{result.stdout}"
        else:
            assert number not in errors, f"mypy refused line {number}: {errors[number]}"


def test_the_generator_types_every_status_the_exceptions_tell_apart() -> None:
    """The generated ErrorNNN aliases cover exactly the statuses with their own exception class."""
    assert set(ERROR_STATUSES) == set(_BY_STATUS)
