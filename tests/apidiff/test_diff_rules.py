"""The compatibility rules on their own: one field or Literal change, judged per direction."""

from __future__ import annotations

import pytest

from tools.apidiff._rules import Slot, literal_change, slot_added, slot_change, slot_removed, split_union

REQUIRED = Slot("str", None)
OPTIONAL = Slot("str | Unset", "UNSET")
NULLABLE = Slot("None | str", None)
WIDER = Slot("int | str", None)
BOTH = {"sent", "received"}


@pytest.mark.parametrize(
    ("was", "now", "sent", "received"),
    [
        (REQUIRED, OPTIONAL, "info", "breaking"),
        (OPTIONAL, REQUIRED, "breaking", "info"),
        (REQUIRED, NULLABLE, "info", "breaking"),
        (NULLABLE, REQUIRED, "breaking", "info"),
        (REQUIRED, WIDER, "info", "breaking"),
        (WIDER, REQUIRED, "breaking", "info"),
        (REQUIRED, Slot("int", None), "breaking", "breaking"),
    ],
)
def test_a_field_change_is_judged_by_its_direction(was: Slot, now: Slot, sent: str, received: str) -> None:
    """Loosening is compatible for what callers send and breaks what they receive; tightening the reverse."""
    assert slot_change(was, now, {"sent"})[0] == sent
    assert slot_change(was, now, {"received"})[0] == received


def test_a_model_both_sent_and_received_takes_the_stricter_verdict() -> None:
    """A schema used in a request and a response breaks if either side breaks."""
    assert slot_change(REQUIRED, OPTIONAL, BOTH)[0] == "breaking"
    assert slot_change(OPTIONAL, REQUIRED, BOTH)[0] == "breaking"


def test_a_model_no_operation_reaches_is_judged_both_ways() -> None:
    """Without a known direction nothing that could break either side passes as compatible."""
    assert slot_change(REQUIRED, OPTIONAL, set())[0] == "breaking"
    assert slot_added(REQUIRED, set(), owner_existed=True)[0] == "breaking"


def test_added_and_removed_fields() -> None:
    """A new required field breaks senders only; a removed field breaks both; a new class's fields are info."""
    assert slot_added(REQUIRED, {"sent"}, owner_existed=True)[0] == "breaking"
    assert slot_added(REQUIRED, {"received"}, owner_existed=True)[0] == "info"
    assert slot_added(OPTIONAL, BOTH, owner_existed=True)[0] == "info"
    assert slot_added(REQUIRED, {"sent"}, owner_existed=False)[0] == "info"
    assert {slot_removed(s)[0] for s in ({"sent"}, {"received"}, BOTH)} == {"breaking"}


def test_literal_values_added_or_removed() -> None:
    """New values are fine to send and break exhaustive readers; dropped values break senders only."""
    two, three = "Literal['a', 'b']", "Literal['a', 'b', 'c']"
    assert literal_change(two, three, {"sent"}) == ("info", "values added: c")
    assert literal_change(two, three, {"received"}) == ("breaking", "values added: c")
    assert literal_change(three, two, {"sent"}) == ("breaking", "values removed: c")
    assert literal_change(three, two, {"received"}) == ("info", "values removed: c")
    assert literal_change(two, three, set()) == ("warning", "values added: c")


def test_unions_split_at_the_top_level_only() -> None:
    """`|` inside brackets belongs to the member; Literal members become their values."""
    assert split_union("dict[str, int | None] | Unset") == {"dict[str, int | None]", "Unset"}
    assert split_union('None | Literal["x", "y"]') == {"None", "'x'", "'y'"}
