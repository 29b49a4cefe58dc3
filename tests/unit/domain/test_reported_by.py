"""What had been reported by an instant: sources published by then, else dates."""

from __future__ import annotations

from datetime import UTC, datetime

from newsledger.domain.reported import is_reported_by

NOON = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)


def source(**published: str) -> dict[str, str]:
    return {"source_id": "s", "outlet": "O", "kind": "SOURCE_KIND_WIRE", **published}


def test_a_source_published_by_the_instant_reports_it() -> None:
    assert is_reported_by({"sources": [source(published_time="2025-06-11T11:59:00Z")]}, NOON)
    assert not is_reported_by({"sources": [source(published_time="2025-06-11T12:01:00Z")]}, NOON)


def test_a_publication_date_counts_from_the_start_of_its_day() -> None:
    assert is_reported_by({"sources": [source(published_date="2025-06-11")]}, NOON)
    assert not is_reported_by({"sources": [source(published_date="2025-06-12")]}, NOON)


def test_any_source_published_by_then_is_enough() -> None:
    sources = [source(published_date="2025-07-01"), source(published_date="2025-06-01")]
    assert is_reported_by({"sources": sources}, NOON)


def test_without_publication_dates_the_end_of_what_happened_decides() -> None:
    week = {"precision": "DATE_PRECISION_WEEK", "start_date": "2025-06-09"}
    assert not is_reported_by({"occurred": week, "sources": [source()]}, NOON)
    day = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"}
    assert is_reported_by({"occurred": day, "sources": [source()]}, NOON)
    undated = {"precision": "DATE_PRECISION_UNKNOWN"}
    assert is_reported_by({"occurred": undated, "sources": [source()]}, NOON)


def test_first_reported_counts_as_a_publication() -> None:
    first = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-01"}
    late = [source(published_date="2025-07-01")]
    assert is_reported_by({"first_reported": first, "sources": late}, NOON)


def test_a_record_a_reported_development_needs_is_taken_in_from_later_reports() -> None:
    """The Geneva truce, reported on 12 May, suspends a measure first described on 11 June;
    the Geneva talks, reported on 11 May, were led by people first described on 11 June."""
    from datetime import date

    from newsledger.domain.negotiation import render_view
    from newsledger.domain.reported import reported_state
    from tests.support.paths import SEED_STORY
    from tests.support.story_views import recorded_story, state_of

    events = recorded_story(SEED_STORY)
    state = reported_state(events, datetime(2025, 6, 1, tzinfo=UTC), state_of(events))
    assert state is not None and not state.problems
    assert [d["development_id"] for d in state.developments] == [
        "negotiation-opened",
        "person-he-lifeng",
        "person-scott-bessent",
        "person-jamieson-greer",
        "tariffs-above-100-percent",
        "geneva-talks",
        "geneva-readout-us",
        "geneva-readout-cn",
        "geneva-truce",
        "geneva-truce-agreed-on-12-may",
    ]
    view = render_view(state, date(2025, 6, 11))
    assert view["truce"]["suspended_measure_ids"] == ["tariffs-above-100-percent"]
