"""What changed between two points of a negotiation, and the developments that changed it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.domain.explain import FieldNotFound, resolve
from newsledger.web.diff import Side, diff
from tests.support.paths import FIXTURE_STORIES
from tests.support.story_views import FIRST_RECORD_TIME, entries_of, recorded_story, view_at

STEPS = recorded_story(FIXTURE_STORIES / "tariff-steps-2027.yaml")
TRI = recorded_story(FIXTURE_STORIES / "tri-basin-water-2026.yaml")


def side(events: list, as_of: date, known: int | None = None) -> Side:
    """Return the side at a date, as known after the first `known` events (all when None)."""
    kept = events if known is None else events[:known]
    known_at = None if known is None else FIRST_RECORD_TIME + timedelta(seconds=known - 1)
    return Side(as_of, known_at, view_at(kept, as_of), entries_of(kept))


def by_path(changes: list) -> dict:
    return {change.path: change for change in changes}


def test_the_same_point_twice_changes_nothing() -> None:
    assert diff(side(STEPS, date(2027, 6, 1)), side(STEPS, date(2027, 6, 1))) == []


def test_a_later_date_names_the_developments_that_changed_each_value() -> None:
    """From 1 April to 12 April: the levy went from 10% to 125% through two rises."""
    changes = by_path(diff(side(STEPS, date(2027, 4, 1)), side(STEPS, date(2027, 4, 12))))
    rate = changes["measures[westmark-levy].rate_percent"]
    assert (rate.kind, rate.before, rate.after) == ("changed", "10", "125")
    causes = [c["development_id"] for c in rate.as_dict()["caused_by"]]
    assert causes == ["westmark-levy-34", "westmark-levy-125"]
    threat = changes.get("measures[westmark-chip-levy]")
    assert threat is None  # threatened only from 22 April


def test_an_item_that_appears_is_added_with_its_cause() -> None:
    """From 20 April to 1 May the chip levy threat appears, caused by its report."""
    changes = by_path(diff(side(STEPS, date(2027, 4, 20)), side(STEPS, date(2027, 5, 1))))
    added = changes["measures[westmark-chip-levy]"]
    assert added.kind == "added" and added.before is None
    assert [c["development_id"] for c in added.as_dict()["caused_by"]] == [
        "westmark-chip-levy-threat"
    ]


def test_the_calendar_alone_changes_days_remaining_with_no_development() -> None:
    """From 1 June to 1 July, nothing is reported: only the countdown moves."""
    changes = diff(side(STEPS, date(2027, 6, 5)), side(STEPS, date(2027, 7, 5)))
    assert [c.path for c in changes] == ["truce.days_remaining"]
    assert (changes[0].before, changes[0].after, changes[0].caused_by) == (68, 38, ())


def test_a_later_known_at_names_the_correction_that_removed_an_item() -> None:
    """Across the retraction's record time, the walkout statement goes, caused by the retraction."""
    retraction = next(
        i for i, e in enumerate(STEPS) if e.metadata["development_id"] == "walkout-retracted"
    )
    before = side(STEPS, date(2027, 7, 1), known=retraction)
    after = side(STEPS, date(2027, 7, 1), known=retraction + 1)
    changes = by_path(diff(before, after))
    removed = changes["statements[walkout]"]
    assert removed.kind == "removed" and removed.after is None
    assert [c["development_id"] for c in removed.as_dict()["caused_by"]] == ["walkout-retracted"]


def test_the_phase_is_caused_by_the_development_that_set_it() -> None:
    """The phase has no provenance of its own: the latest phase change's is its cause."""
    changes = by_path(diff(side(STEPS, date(2027, 5, 1)), side(STEPS, date(2027, 5, 20))))
    phase = changes["phase"]
    assert (phase.before, phase.after) == ("NEGOTIATION_PHASE_OPENED", "NEGOTIATION_PHASE_TRUCE")
    assert "harbour-truce" in [c["development_id"] for c in phase.as_dict()["caused_by"]]


def test_a_diff_can_go_backwards_in_time() -> None:
    """From 12 April back to 1 April the levy's rate goes back to 10%, the same causes named."""
    changes = by_path(diff(side(STEPS, date(2027, 4, 12)), side(STEPS, date(2027, 4, 1))))
    rate = changes["measures[westmark-levy].rate_percent"]
    assert (rate.before, rate.after) == ("125", "10")
    assert {c["development_id"] for c in rate.as_dict()["caused_by"]} == {
        "westmark-levy-34",
        "westmark-levy-125",
    }


DAYS = st.integers(min_value=0, max_value=300).map(lambda n: date(2026, 2, 1) + timedelta(days=n))


@settings(max_examples=30, deadline=3000)
@given(DAYS, DAYS, st.integers(min_value=1, max_value=len(TRI)))
def test_every_change_names_a_path_the_explanation_finds(a: date, b: date, known: int) -> None:
    """Whatever two points, every changed path resolves in the view it is read from."""
    before, after = side(TRI, a, known), side(TRI, b)
    for change in diff(before, after):
        view = after.view if change.in_after else before.view
        try:
            value, _, _ = resolve(view, change.path)
        except FieldNotFound:
            pytest.fail(f"{change.path} is not in the {change.explained_at} view")
        assert value == (change.after if change.in_after else change.before)


def test_known_at_on_a_side_is_kept() -> None:
    assert isinstance(side(STEPS, date(2027, 6, 1), known=3).known_at, datetime)
