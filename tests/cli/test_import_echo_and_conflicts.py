"""Issue 15 items 7, 8 and 10: a row is confirmed only by a response for it; a row naming a field
twice is rejected; CSV cells become the schema's types."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from raia_agent_api.resources._operations import FEEDBACK_CREATE_OR_UPDATE as CREATE

from raia_agent._cli._fields import Field
from raia_agent._cli._text_to_json import CellError, convert
from raia_agent.testing import LocalServer
from tests.support.bodies import success_body
from tests.support.cli_helpers import (
    confirmed_lines,
    csv_text,
    raw_http_server,
    read_rejects,
    rows,
    run_inline,
    write_jsonl,
)


def same_answer(conversation_message_id: str) -> bytes:
    """A 201 that is a valid feedback, the same whatever was sent."""
    body = json.dumps(
        success_body(CREATE, conversationMessageId=conversation_message_id, voteType="up", question="another")
    ).encode()
    head = f"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def import_against(url: str, path: Path) -> Any:
    return run_inline(None, "feedback", "import", str(path), "--max-retries", "0",
               env={"RAIA_AGENT_SECRET_KEY": "sk-test", "RAIA_AGENT_BASE_URL": url})  # fmt: skip


def test_a_201_for_another_message_confirms_nothing(tmp_path: Path) -> None:
    """A server answering every row with one feedback for another message: every row fails, none journaled."""
    path = write_jsonl(tmp_path / "in.jsonl", rows(5, voteType="down"))
    with raw_http_server(same_answer(str(uuid.uuid4()))) as url:
        result = import_against(url, path)
    assert result.returncode == 1, result.stderr
    assert "0 sent" in result.stdout and "5 failed" in result.stdout
    assert confirmed_lines(tmp_path / "in.jsonl.journal.sqlite3") == set()
    rejects = read_rejects(tmp_path / "in.jsonl.rejects.jsonl")
    assert [r["kind"] for r in rejects] == ["failed"] * 5
    assert all("not confirmed: the response is for conversationMessageId" in r["reason"] for r in rejects)


def test_one_feedback_id_for_several_pairs_confirms_only_the_first(tmp_path: Path) -> None:
    """Rows for one message and five users all answered with the same feedback id: only one is confirmed."""
    message = str(uuid.uuid4())
    records = [{**row, "conversationMessageId": message} for row in rows(5)]
    path = write_jsonl(tmp_path / "in.jsonl", records)
    with raw_http_server(same_answer(message)) as url:
        result = import_against(url, path)
    assert result.returncode == 1, result.stderr
    assert len(confirmed_lines(tmp_path / "in.jsonl.journal.sqlite3")) == 1
    rejects = read_rejects(tmp_path / "in.jsonl.rejects.jsonl")
    assert len(rejects) == 4
    assert all("was confirmed for another row" in r["reason"] for r in rejects)


def test_an_honest_server_still_confirms_every_row(server: LocalServer, tmp_path: Path) -> None:
    """The local server echoes each row's pair: every row is confirmed (upper-case UUIDs too)."""
    records = rows(6)
    records[0]["conversationMessageId"] = records[0]["conversationMessageId"].upper()
    path = write_jsonl(tmp_path / "in.jsonl", records)
    result = run_inline(server, "feedback", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert confirmed_lines(tmp_path / "in.jsonl.journal.sqlite3") == set(range(1, 7))


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{{"conversationMessageId": "{m}", "userId": "{u}", "voteType": "down", "vote_type": "up", '
         '"question": "q"}}', "vote_type: given twice in the row, as 'voteType' and 'vote_type'"),
        ('{{"conversationMessageId": "{m}", "userId": "{u}", "voteType": "down", "voteType": "up", '
         '"question": "q"}}', "voteType: the key is given twice in the row"),
    ],
    ids=["two-spellings", "duplicated-json-key"],
)  # fmt: skip
def test_a_row_naming_a_field_twice_is_rejected_naming_it(
    server: LocalServer, tmp_path: Path, line: str, field: str
) -> None:
    """Two keys for one field are a reject naming the field; nothing is sent for that row."""
    good = rows(1)[0]
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(good) + "\n" + line.format(m=uuid.uuid4(), u=uuid.uuid4()) + "\n")
    result = run_inline(server, "feedback", "import", str(path))
    assert result.returncode == 1
    assert server.requests_received == 1
    [reject] = read_rejects(tmp_path / "in.jsonl.rejects.jsonl")
    assert reject["line"] == 2 and field in reject["reason"]


def test_csv_columns_in_both_spellings_reject_the_rows_that_fill_both(
    server: LocalServer, tmp_path: Path
) -> None:
    """A CSV with voteType and vote_type columns rejects a row giving both; a row leaving one empty is sent."""
    first, second = rows(2)
    records = [{**first, "vote_type": "up"}, {**second, "vote_type": ""}]
    path = tmp_path / "in.csv"
    path.write_text(csv_text(records))
    result = run_inline(server, "feedback", "import", str(path))
    assert result.returncode == 1
    [reject] = read_rejects(tmp_path / "in.csv.rejects.jsonl")
    assert reject["line"] == 2 and "vote_type: given twice" in reject["reason"]
    assert server.store.count() == 1


def test_a_csv_header_naming_a_column_twice_is_refused_up_front(server: LocalServer, tmp_path: Path) -> None:
    """Two columns of one name: exit 2 naming it, before any row is sent."""
    path = tmp_path / "in.csv"
    path.write_text(
        "conversationMessageId,userId,voteType,voteType,question\n"
        + f"{uuid.uuid4()},{uuid.uuid4()},up,down,q\n"
    )
    result = run_inline(server, "feedback", "import", str(path))
    assert result.returncode == 2
    assert "'voteType' twice" in result.stderr
    assert server.requests_received == 0


def field(schema: dict[str, Any], required: bool = False) -> Field:
    return Field("zzProbeField", "zz_probe_field", schema, required=required)


@pytest.mark.parametrize(
    ("schema", "cell", "value"),
    [
        ({"type": "integer"}, "5", 5),
        ({"type": "integer"}, " 7 ", 7),
        ({"type": "number"}, "2.5", 2.5),
        ({"type": ["integer", "null"]}, "null", None),
        ({"type": "integer", "nullable": True}, "null", None),
        ({"type": "boolean"}, "TRUE", True),
        ({"type": "boolean"}, "0", False),
        ({"type": "object", "properties": {}}, '{"source": "chat"}', {"source": "chat"}),
        ({"type": "array", "items": {"type": "string"}}, '["a", "b"]', ["a", "b"]),
        ({"type": ["string", "null"]}, "null", "null"),
        ({"type": "string"}, "5", "5"),
        ({"enum": [1, 2, 3]}, "2", 2),
    ],
)
def test_a_cell_is_converted_by_its_schema(schema: dict[str, Any], cell: str, value: Any) -> None:
    """Integers, numbers, booleans, nulls, objects and arrays from cell text; strings stay text."""
    assert convert("zzProbeColumn", field(schema), cell) == value


@pytest.mark.parametrize(
    ("schema", "cell", "why"),
    [
        ({"type": "integer"}, "five", "is not an integer"),
        ({"type": "integer"}, "5.5", "is not an integer"),
        ({"type": "number"}, "nan", "is not a finite number"),
        ({"type": "boolean"}, "maybe", "is not a boolean"),
        ({"type": "object"}, "{broken", "is not JSON"),
        ({"type": "integer"}, "null", "is not an integer"),
    ],
)
def test_a_cell_that_does_not_convert_names_its_column(schema: dict[str, Any], cell: str, why: str) -> None:
    """A cell of the wrong shape is an error naming the column as the file spells it."""
    with pytest.raises(CellError, match=f"column 'zzProbeColumn': .* {why}"):
        convert("zzProbeColumn", field(schema), cell)


@pytest.mark.parametrize("schema", [{"type": "integer"}, {"type": "number"}])
@pytest.mark.parametrize("cell", ["1_000", "\uff11\uff12", "\u0663", "1_0.5", "0x10", "+-1"])
def test_a_number_cell_is_read_in_ascii_decimal_notation_only(schema: dict[str, Any], cell: str) -> None:
    """Python's int() and float() take "1_000" and non-ASCII digits; a cell is a number only as JSON would spell it."""
    with pytest.raises(CellError, match="column 'zzProbeColumn'"):
        convert("zzProbeColumn", field(schema), cell)


@pytest.mark.parametrize("cell", ['{"source": "a", "source": "b"}', '[{"n": 1, "n": 2}]'])
def test_a_json_cell_naming_a_key_twice_is_refused_naming_the_column(cell: str) -> None:
    """As in a JSONL row, a key repeated inside a CSV cell is an error, not "the last one wins"."""
    schema = {"type": "array"} if cell.startswith("[") else {"type": "object"}
    with pytest.raises(CellError, match=r"column 'zzProbeColumn': .* names the key '?(source|n)'? twice"):
        convert("zzProbeColumn", field(schema), cell)
