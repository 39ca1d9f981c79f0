"""Nested request objects are typed and sent like the spec says; deprecations warn, are flagged and reported.

The package under test is generated from the frozen spec plus the issue 19 updates that bring a
nested `metadata` object, a deprecated field, a deprecated operation and a date-time parameter.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.frozen import FEEDBACKS, diff, frozen_spec, generate_frozen, write_spec
from tests.support.typecheck import assert_marked, mypy_errors
from tests.support.vendor_updates.compatible_changes import (
    deprecated_and_enum,
    item_operations,
    list_with_created_at,
    nested_metadata,
)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROBE = Path(__file__).resolve().parents[1] / "support" / "typed_probe.py"
DEPRECATED = ["--enable-error-code", "deprecated"]


def typed_spec() -> dict[str, Any]:
    spec = frozen_spec()
    for change in (nested_metadata, deprecated_and_enum, item_operations, list_with_created_at):
        change(spec)
    spec["paths"][FEEDBACKS + "/{id}"]["get"]["deprecated"] = True
    spec["paths"][FEEDBACKS]["get"]["parameters"].append(
        {"name": "createdAfter", "in": "query", "schema": {"type": "string", "format": "date-time"}}
    )
    spec["paths"][FEEDBACKS]["get"]["parameters"].append(
        {"name": "legacyCursor", "in": "query", "deprecated": True, "schema": {"type": "string"}}
    )
    return spec


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_frozen(typed_spec(), tmp_path_factory.mktemp("typed") / "generated")


def package_env(generated: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated), str(ROOT / "src"), str(ROOT)])}


SNIPPET = """\
from raia_agent import AsyncRaia, Raia
from raia_agent_api.models import ConversationMessageFeedbackMetadata
from raia_agent_api.resources.params import ConversationMessageFeedbackMetadataDict

M = "00000000-0000-4000-8000-000000000000"


async def calls(client: Raia, aclient: AsyncRaia) -> None:
    meta: ConversationMessageFeedbackMetadataDict = {"source": "chat", "tags": ["a"]}
    client.feedback.create_or_update(conversation_message_id=M, user_id=M, vote_type="up", question="Q", metadata=meta)  # ok
    client.feedback.create_or_update(conversation_message_id=M, user_id=M, vote_type="up", question="Q", metadata=ConversationMessageFeedbackMetadata(source="chat"))  # ok
    await aclient.feedback.create_or_update(conversation_message_id=M, user_id=M, vote_type="up", question="Q", metadata={"source": "chat"})  # ok
    client.feedback.create_or_update(conversation_message_id=M, user_id=M, vote_type="up", question="Q", metadata=42)  # error: overload
    client.feedback.create_or_update(conversation_message_id=M, user_id=M, vote_type="up", question="Q", metadata={"tags": []})  # error: overload
    client.feedback.retrieve(id=M)  # error: deprecated
    await aclient.feedback.with_raw_response.retrieve(id=M)  # error: deprecated
    client.feedback.create_or_update(conversation_message_id=M, user_id=M, vote_type="up", question="Q", answer="A")  # error: deprecated
    client.feedback.list()  # ok
    await aclient.feedback.list(legacy_cursor="c")  # error: deprecated
"""


def test_mypy_types_nested_objects_and_flags_deprecated_calls(generated: Path, tmp_path: Path) -> None:
    """mypy --strict refuses metadata=42 and a TypedDict missing a key, accepts the model and the TypedDict,
    and flags each deprecated call (operation or argument) under --enable-error-code deprecated."""
    errors, output = mypy_errors(SNIPPET, tmp_path, generated=generated, args=DEPRECATED)
    assert_marked(SNIPPET, errors, output, marker="# error: ")
    assert len(errors) == SNIPPET.count("# error: "), output


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize(
    "check",
    [
        pytest.param("model_equals_dict", id="the generated model is sent as the same JSON as the dict"),
        pytest.param("nested_missing", id="a missing nested field is named by its path"),
        pytest.param("once_per_call_site", id="a deprecated call warns once per call site"),
        pytest.param("naive_datetime", id="a naive datetime is refused saying a time zone is needed"),
    ],
)
def test_the_client_sends_nested_objects_and_warns_of_deprecations(
    generated: Path, check: str, flavour: str
) -> None:
    """Each check of tests/support/typed_probe.py holds with Raia and AsyncRaia (against local_server() where it sends)."""
    run = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", str(PROBE), check, flavour],
        env=package_env(generated),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-3000:]


def test_the_generated_docstrings_say_what_is_deprecated(generated: Path) -> None:
    """The deprecated operation's docstring says so; the deprecated argument is marked in Args."""
    source = (generated / "raia_agent_api" / "resources" / "feedback.py").read_text(encoding="utf-8")
    assert "Deprecated: the spec marks this operation deprecated" in source
    assert "answer: (deprecated) Agent answer." in source
    assert "legacy_cursor: (deprecated)" in source
    assert "comment: (deprecated)" not in source


@pytest.mark.timeout(900)  # make diff twice: four generations, minutes on a loaded machine, not a hang
def test_make_diff_reports_a_new_deprecation_as_a_warning_row(tmp_path: Path) -> None:
    """A newly deprecated operation and body field are `warning` rows naming the method, in every flavour."""
    spec = frozen_spec()
    deprecated_and_enum(spec)
    spec["paths"][FEEDBACKS]["post"]["deprecated"] = True
    new = write_spec(tmp_path / "deprecated.json", spec)
    report = diff(new, fmt="json")
    assert report.returncode == 0, report.stderr[-2000:]
    rows = {row["symbol"]: row for row in json.loads(report.stdout)["python"] if row["level"] == "warning"}
    for cls in ("FeedbackResource", "AsyncFeedbackResource", "FeedbackResourceWithRawResponse"):
        method = f"resources.feedback.{cls}.create_or_update"
        assert "operation `POST " in rows[method]["message"], rows
        assert "body field" in rows[method + "(answer)"]["message"], rows
        assert rows[method + "(answer)"]["direction"] == "sent", rows
    markdown = diff(new).stdout
    summary = markdown.split("<details>", 1)[0]
    assert re.search(
        r"\| warning \| `client\.feedback\.create_or_update\(\)` \| sync, async, raw, stream \|",
        summary,
    ), summary


def test_make_diff_has_no_deprecation_row_when_nothing_new_is_deprecated(tmp_path: Path) -> None:
    """The frozen spec against itself gives no deprecation row."""
    from tools.apidiff._deprecations import deprecations
    from tools.codegen.naming import Naming

    naming, _ = Naming.load(ROOT / "tests" / "specs" / "generator.frozen.yaml")
    spec = frozen_spec()
    deprecated_and_enum(spec)
    assert deprecations(spec, spec, naming) == []
    assert [row.symbol for row in deprecations(frozen_spec(), spec, naming)][-1].endswith(
        "create_or_update(answer)"
    )
