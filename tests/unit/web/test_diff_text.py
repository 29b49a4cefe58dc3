"""The diff as text: a change no development explains is blamed on the date only if it moved."""

from __future__ import annotations

from newsledger.cli.diff import format_diff
from newsledger.web.diff import Change
from newsledger.web.diff_view import DiffResult
from newsledger.web.points import Point

ADDED = Change("people[nobody]", "added", None, {"person_id": "nobody"})


def test_with_two_dates_an_unexplained_change_is_the_calendars() -> None:
    result = DiffResult(Point("2025-06-01"), Point("2025-06-11"), [ADDED])
    assert "no development: the date moved" in format_diff("n", result)


def test_with_one_date_an_unexplained_change_is_not_blamed_on_it() -> None:
    result = DiffResult(
        Point("2025-06-11", "2025-06-01"), Point("2025-06-11", "2025-06-02"), [ADDED]
    )
    text = format_diff("n", result)
    assert "the date moved" not in text
    assert "no development found behind it" in text
