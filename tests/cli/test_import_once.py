"""Issue 27 item 2: the import checks and encodes each row once, compares the echo on the fields it
sent, and looks a row up in the journal only when a confirmation could concern it."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from raia_agent_api.resources._operations import OPERATIONS

from raia_agent import AsyncRaia
from raia_agent import _validation as validation
from raia_agent._cli._fields import MISSING, OPERATION, UPSERT_KEY, echoed, json_to_python
from raia_agent._cli._journal import Journal
from raia_agent._response import _model
from raia_agent.testing import LocalServer
from raia_runtime import RequestMedia
from tests.support.bodies import success_body
from tests.support.cli_helpers import confirmed_lines, invoke, rows, write_jsonl

OP = OPERATIONS[OPERATION]
ROWS = 12


class _Counted:
    """A compiled validator that counts its checks."""

    def __init__(self, inner: Any, counts: Counter[str]) -> None:
        self._inner, self._counts = inner, counts

    def is_valid(self, value: Any) -> bool:
        self._counts["checked"] += 1
        return bool(self._inner.is_valid(value))

    def problems(self, value: Any) -> Any:
        return self._inner.problems(value)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Checks of the operation's request body and encodings of it, counted wherever they run."""
    found: Counter[str] = Counter()
    real_validator, real_encode = validation.validator, validation._encode

    def validator(cache: dict[str, Any], key: str, schema: Any) -> Any:
        inner = real_validator(cache, key, schema)
        return _Counted(inner, found) if cache is OP.cache and key == "body" and inner else inner

    def encode(op: Any, body: Any) -> bytes:
        if op is OP:
            found["encoded"] += 1
        return real_encode(op, body)

    monkeypatch.setattr(validation, "validator", validator)
    monkeypatch.setattr(validation, "_encode", encode)
    return found


def _import(server: LocalServer, tmp_path: Path) -> Path:
    path = write_jsonl(tmp_path / "in.jsonl", rows(ROWS))
    result = invoke(server, "feedback", "import", str(path))
    assert result.exit_code == 0, result.output
    assert confirmed_lines(tmp_path / "in.jsonl.journal.sqlite3") == set(range(1, ROWS + 1))
    return path


def test_each_row_is_checked_once_on_its_way_to_the_server(
    server: LocalServer, tmp_path: Path, counts: Counter[str]
) -> None:
    """The spec's check of a row runs once, when it is read: the client sends it unchecked again."""
    _import(server, tmp_path)
    assert server.store.count() == ROWS
    assert counts["checked"] == ROWS


def test_each_row_is_encoded_once_on_its_way_to_the_server(
    server: LocalServer, tmp_path: Path, counts: Counter[str]
) -> None:
    """A row's JSON is written once: the bytes the row was checked as are the bytes sent."""
    _import(server, tmp_path)
    assert counts["encoded"] == ROWS


def test_the_echo_is_compared_without_writing_the_whole_reply_out(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row's echo is checked on the fields it sent; the reply model's to_dict() never runs."""
    model = _model(OP, OP.replies[OP.success].model or "")
    written: list[object] = []
    real = model.to_dict
    monkeypatch.setattr(model, "to_dict", lambda self: written.append(self) or real(self))
    _import(server, tmp_path)
    assert written == []


def _reply(**echo: Any) -> Any:
    return _model(OP, OP.replies[OP.success].model or "").from_dict(success_body(OP, **echo))


@pytest.mark.parametrize("upper", [False, True], ids=["as-sent", "upper-case"])
def test_echoed_reads_each_field_as_to_dict_writes_it(upper: bool) -> None:
    """For every documented field, an undocumented one and one the reply lacks: what to_dict() holds."""
    message = str(uuid.uuid4())
    reply = _reply(**{UPSERT_KEY[0]: message.upper() if upper else message})
    reply.additional_properties["somethingNew"] = {"nested": [1]}
    written = reply.to_dict()
    for name in [*type(reply)._documented, "somethingNew", "notThere"]:
        assert echoed(reply, name) == written.get(name, MISSING), name


def test_echoed_reads_a_reply_that_is_no_model_by_its_key() -> None:
    """A reply parsed as a plain dict is read by its keys (MISSING where absent), not refused."""
    assert echoed({UPSERT_KEY[0]: "x"}, UPSERT_KEY[0]) == "x"
    assert echoed({}, UPSERT_KEY[0]) is MISSING


def _prepared_for(op: Any) -> validation.Prepared:
    names = json_to_python()
    return validation.prepare(op, {names[key]: value for key, value in rows(1)[0].items()})


@pytest.mark.parametrize("which", ["another operation", "a form"])
def test_a_prepared_request_is_sent_only_for_its_own_json_operation(which: str) -> None:
    """A request checked for one operation, or for a form (whose files are read per call), is refused."""
    if which == "a form":
        op = dataclasses.replace(OP, body_media=RequestMedia("multipart/form-data"))
        prepared = _prepared_for(op)
    else:
        op, prepared = OP, _prepared_for(dataclasses.replace(OP))

    async def send() -> None:
        async with AsyncRaia(secret_key="sk-test", base_url="http://127.0.0.1:9", max_retries=0) as client:
            await client._send_prepared(op, prepared)

    with pytest.raises(TypeError, match=OP.name):
        asyncio.run(send())


PAIR_A, PAIR_B = ("m-a", "u-a"), ("m-b", "u-b")


def _lookups(journal: Journal) -> list[str]:
    seen: list[str] = []
    journal._db.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("SELECT") else None)
    return seen


def test_a_new_import_looks_up_none_of_its_rows(tmp_path: Path) -> None:
    """Rows read in file order past every confirmation cost no journal lookup before they are sent."""
    journal = Journal(tmp_path / "j.sqlite3")
    journal.adopt("file")
    seen = _lookups(journal)
    for line in range(1, 51):
        assert journal.status(line, "d", PAIR_A if line % 2 else PAIR_B) == ""
        journal.confirm(line, "d", PAIR_A if line % 2 else PAIR_B, f"id-{line}", created=True)
    assert [sql for sql in seen if "FROM confirmed WHERE" in sql and "feedback_id" not in sql] == []
    journal.close()


def test_lookups_skipped_past_the_last_confirmation_answer_as_the_lookups_would(tmp_path: Path) -> None:
    """Confirmed, superseded and new rows read the same in this run and in a reopened journal."""
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    journal.adopt("file")
    journal.confirm(5, "d5", PAIR_A, "id-5", created=True)
    journal.confirm(3, "d3", PAIR_B, "id-3", created=True)

    def check(journal: Journal) -> None:
        assert journal.status(5, "d5", PAIR_A) == "confirmed"
        assert journal.status(5, "other", PAIR_A) == ""  # the line's content changed
        assert journal.status(2, "d2", PAIR_A) == "superseded"  # line 5 is a later row for its pair
        assert journal.status(3, "d3", PAIR_B) == "confirmed"
        assert journal.status(6, "d6", PAIR_A) == ""
        assert journal.status(4, "d4", PAIR_B) == ""

    check(journal)
    journal.close()
    reopened = Journal(path)
    assert reopened.adopt("file") is False
    check(reopened)
    reopened.confirm(9, "d9", PAIR_B, "id-9", created=False)
    assert reopened.status(7, "d7", PAIR_B) == "superseded"
    assert reopened.adopt("another file") is True  # every confirmation dropped: nothing is skipped
    assert [reopened.status(line, f"d{line}", PAIR_A) for line in (2, 5, 9)] == ["", "", ""]
    reopened.close()


def test_the_import_builds_one_connection_pool_of_its_concurrency(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client's pool is built once, with a connection per worker, not at the default size first."""
    from raia_agent import _base_client

    built: list[Any] = []
    real = _base_client.Pool

    def pool(**kwargs: Any) -> Any:
        built.append(kwargs["settings"]["limits"].max_connections)
        return real(**kwargs)

    monkeypatch.setattr(_base_client, "Pool", pool)
    path = write_jsonl(tmp_path / "in.jsonl", rows(3))
    result = invoke(server, "feedback", "import", str(path), "--concurrency", "5")
    assert result.exit_code == 0, result.output
    assert built == [5]
