"""Dates "no later than" and "approximately": how they count, refine and read."""

from __future__ import annotations

from datetime import date

from newsledger.application.validation.payloads import validate_payload
from newsledger.cli.text.basics import format_reported_time
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.valid_time import counts_from, is_refinement
from newsledger.domain.view import render_view
from newsledger.web.words import when
from tests.support.builders import Stream, report

BY_AUGUST_1 = {
    "precision": "DATE_PRECISION_DAY",
    "start_date": "2025-08-01",
    "qualifier": "DATE_QUALIFIER_NO_LATER_THAN",
}
ABOUT_AUGUST_1 = {**BY_AUGUST_1, "qualifier": "DATE_QUALIFIER_APPROXIMATELY"}
UNPUBLISHED = [{"source_id": "w", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}]


def test_a_qualified_date_is_a_valid_payload_field() -> None:
    payload = {
        "talks_id": "r",
        "title": "R",
        "format": "TALKS_FORMAT_SUMMIT",
        "report": report(occurred=BY_AUGUST_1),
    }
    assert validate_payload("TalksHeld", 1, payload) == []


def test_no_later_than_counts_from_its_day_at_the_latest() -> None:
    assert counts_from({"occurred": BY_AUGUST_1, "sources": UNPUBLISHED}) == "2025-08-01"
    month = {**BY_AUGUST_1, "precision": "DATE_PRECISION_MONTH"}
    assert counts_from({"occurred": month, "sources": UNPUBLISHED}) == "2025-08-31"


def test_approximately_counts_like_its_precision() -> None:
    assert counts_from({"occurred": ABOUT_AUGUST_1, "sources": UNPUBLISHED}) == "2025-08-01"


def test_no_later_than_is_refined_by_any_day_up_to_it() -> None:
    july_15 = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-07-15"}
    august_2 = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-08-02"}
    assert is_refinement(BY_AUGUST_1, july_15)
    assert not is_refinement(BY_AUGUST_1, august_2)
    assert not is_refinement({**BY_AUGUST_1, "qualifier": "DATE_QUALIFIER_EXACT"}, july_15)


def test_approximately_is_refined_by_any_day_as_precise() -> None:
    july_30 = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-07-30"}
    assert is_refinement(ABOUT_AUGUST_1, july_30)
    assert not is_refinement(ABOUT_AUGUST_1, {"precision": "DATE_PRECISION_MONTH"})


def test_the_view_keeps_the_qualifier_and_counts_from_the_day() -> None:
    stream = Stream().opened()
    held = {"talks_id": "r", "title": "R", "format": "TALKS_FORMAT_SUMMIT"}
    stream.add("TalksHeld", {**held, "report": report(occurred=BY_AUGUST_1, sources=UNPUBLISHED)})
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)

    assert not render_view(state, date(2025, 7, 31)).get("talks")
    talks = render_view(state, date(2025, 8, 1))["talks"]
    assert talks[0]["occurred"]["qualifier"] == "DATE_QUALIFIER_NO_LATER_THAN"


def test_the_text_says_by_and_about() -> None:
    assert format_reported_time(BY_AUGUST_1) == "by 2025-08-01"
    assert format_reported_time(ABOUT_AUGUST_1) == "about 2025-08-01"
    month = {**ABOUT_AUGUST_1, "precision": "DATE_PRECISION_MONTH"}
    assert format_reported_time(month) == "about August 2025"
    exact = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-08-01"}
    assert format_reported_time(exact) == "2025-08-01"
    assert when(BY_AUGUST_1) == "by 2025-08-01"
