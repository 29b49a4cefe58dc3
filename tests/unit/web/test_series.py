"""Measures, phases and markers over time, from views sampled on the days the view changes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.web.series import Series, build_series, change_days, thin
from tests.support.paths import FIXTURE_STORIES, SEED_STORY
from tests.support.story_views import entries_of, recorded_story, view_at

STEPS = recorded_story(FIXTURE_STORIES / "tariff-steps-2027.yaml")


def series_at(events: list, as_of: date) -> Series:
    """Return the series the page draws: views sampled on each change day up to as_of."""
    view = view_at(events, as_of)
    days = change_days(view, entries_of(events), as_of)
    return build_series(view, [(day, view_at(events, day)) for day in days], as_of)


def test_the_change_days_are_when_developments_count_and_dates_begin_or_end() -> None:
    """Given the fixture, sampling days include each development's day and the truce's dates."""
    as_of = date(2027, 6, 1)
    days = change_days(view_at(STEPS, as_of), entries_of(STEPS), as_of)
    assert days[-1] == as_of and days == sorted(set(days))
    assert {date(2027, 2, 4), date(2027, 4, 10), date(2027, 5, 12)} <= set(days)
    assert date(2027, 5, 14) in days  # the truce takes effect
    assert all(day <= as_of for day in days)


def test_the_rate_steps_follow_each_change_and_stand_until_the_next() -> None:
    """Given 10%, 34%, 125%, a truce effective 14 May and 30% from then, Westmark's levy has
    those steps: the truce agreed on 12 May does not suspend the levy before it takes effect."""
    series = series_at(STEPS, date(2027, 6, 1))
    levy = next(t for t in series.tracks if t.measure_id == "westmark-levy")
    steps = [(s.start, s.rate, s.status, s.in_force) for s in levy.segments]
    assert steps == [
        (date(2027, 2, 4), Decimal(10), "MEASURE_STATUS_IN_FORCE", True),
        (date(2027, 4, 2), Decimal(34), "MEASURE_STATUS_MODIFIED", True),
        (date(2027, 4, 10), Decimal(125), "MEASURE_STATUS_MODIFIED", True),
        (date(2027, 5, 14), Decimal(30), "MEASURE_STATUS_MODIFIED", True),
    ]
    assert levy.segments[-1].end == date(2027, 6, 2)
    assert all(a.end == b.start for a, b in zip(levy.segments, levy.segments[1:], strict=False))


def test_a_threat_is_drawn_and_never_in_force() -> None:
    """Given a threatened levy, its band is threatened and not in force."""
    series = series_at(STEPS, date(2027, 6, 1))
    threat = next(t for t in series.tracks if t.measure_id == "westmark-chip-levy")
    assert {(s.status, s.in_force) for s in threat.segments} == {
        ("MEASURE_STATUS_THREATENED", False)
    }


def test_markers_are_the_deadlines_with_earlier_ones_and_the_rulings() -> None:
    """Given an extended truce and one ruling, the markers are two deadlines and one ruling."""
    series = series_at(STEPS, date(2027, 9, 1))
    assert [(m.day, m.current) for m in series.deadlines] == [
        (date(2027, 8, 12), False),
        (date(2027, 11, 10), True),
    ]
    assert [(m.day, m.path) for m in series.rulings] == [
        (date(2027, 5, 28), "legal_status.cases[levy-authority-case].rulings[0]")
    ]
    assert series.start <= date(2027, 2, 4) and series.end > date(2027, 11, 10)


def test_the_phase_band_follows_the_phase_of_each_view() -> None:
    """Given talks then a truce, the bands are talks then truce, meeting without a gap."""
    series = series_at(STEPS, date(2027, 6, 1))
    assert [b.phase for b in series.bands][-2:] == [
        "NEGOTIATION_PHASE_TALKS",
        "NEGOTIATION_PHASE_TRUCE",
    ]
    assert all(a.end == b.start for a, b in zip(series.bands, series.bands[1:], strict=False))


@pytest.mark.parametrize("as_of", [date(2025, 5, 20), date(2025, 6, 11), date(2025, 9, 1)])
def test_the_seed_story_draws_every_measure_of_the_view(as_of: date) -> None:
    """Given the seed at several dates, the chart has one track per measure of the view."""
    events = recorded_story(SEED_STORY)
    series = series_at(events, as_of)
    assert sorted(t.measure_id for t in series.tracks) == sorted(
        m["measure_id"] for m in view_at(events, as_of).get("measures", [])
    )


@settings(max_examples=25, deadline=3000)
@given(st.integers(min_value=0, max_value=330))
def test_every_sampled_day_shows_what_the_view_on_that_day_says(offset: int) -> None:
    """Whatever the date, each measure's segment on a day holds the view's status that day."""
    as_of = date(2027, 1, 15) + timedelta(days=offset)
    series = series_at(STEPS, as_of)
    for probe in (as_of, as_of - timedelta(days=offset // 2), date(2027, 4, 3)):
        if probe > as_of:
            continue
        measures = {m["measure_id"]: m for m in view_at(STEPS, probe).get("measures", [])}
        for track in series.tracks:
            found = [s for s in track.segments if s.start <= probe < s.end]
            if track.measure_id not in measures:
                assert found == []
                continue
            (segment,) = found
            assert segment.status == measures[track.measure_id]["status"]
            assert segment.in_force == bool(measures[track.measure_id].get("in_force"))


@given(st.lists(st.dates(), min_size=1, max_size=400, unique=True), st.integers(2, 50))
def test_thinning_keeps_at_most_the_limit_and_always_the_last_day(days: list, most: int) -> None:
    ordered = sorted(days)
    kept = thin(ordered, most)
    assert len(kept) <= most and kept[-1] == ordered[-1] and kept == sorted(set(kept))
    assert set(kept) <= set(ordered)


def test_court_markers_are_the_steps_the_argument_to_come_and_rulings_with_their_vote() -> None:
    """Given a docketed case with an argument set for 5 November, then a 6-3 ruling, the page
    marks the step, the coming argument until it is heard, and the ruling with its vote."""
    from newsledger.domain.view import render_view
    from newsledger.web.series import ruling_markers
    from tests.unit.test_court_text import litigated

    before = ruling_markers(render_view(litigated(), date(2025, 10, 1)))
    assert [(m.kind, m.day, m.label, m.path) for m in before] == [
        (
            "court-step",
            date(2025, 9, 18),
            "Scotus v. Trump: oral argument scheduled",
            "legal_status.cases[scotus].steps[0]",
        ),
        (
            "court-step",
            date(2025, 11, 5),
            "Scotus v. Trump: oral argument",
            "legal_status.cases[scotus].steps[0]",
        ),
    ]
    after = ruling_markers(render_view(litigated(), date(2026, 3, 1)))
    assert [(m.kind, m.label) for m in after] == [
        ("ruling", "Scotus v. Trump: ruling by Court, 6\u20133"),
        ("court-step", "Scotus v. Trump: oral argument scheduled"),
    ]
