"""Valid time: a development counts from the day it had certainly happened."""

from __future__ import annotations

from datetime import date

import pytest

from newsledger.domain.valid_time import counts_from, counts_on, is_refinement, span_end

SOURCE = {"source_id": "s", "outlet": "O", "kind": "SOURCE_KIND_WIRE"}


@pytest.mark.parametrize(
    ("occurred", "last_day"),
    [
        ({"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"}, "2025-06-10"),
        ({"precision": "DATE_PRECISION_WEEK", "start_date": "2025-06-09"}, "2025-06-15"),
        ({"precision": "DATE_PRECISION_MONTH", "start_date": "2025-02-01"}, "2025-02-28"),
        ({"precision": "DATE_PRECISION_QUARTER", "start_date": "2025-04-01"}, "2025-06-30"),
        ({"precision": "DATE_PRECISION_YEAR", "start_date": "2025-01-01"}, "2025-12-31"),
        (
            {
                "precision": "DATE_PRECISION_INSTANT",
                "start_time": "2025-08-12T04:01:00Z",
                "time_zone": "America/New_York",
            },
            "2025-08-12",
        ),
        ({"precision": "DATE_PRECISION_UNKNOWN", "phrase": "recently"}, None),
    ],
)
def test_a_span_ends_on_the_last_day_its_precision_covers(
    occurred: dict[str, str], last_day: str | None
) -> None:
    end = span_end(occurred)
    assert (end.isoformat() if end else None) == last_day


def test_a_development_counts_from_its_span_end_or_its_first_publication_if_earlier() -> None:
    week = {
        "precision": "DATE_PRECISION_WEEK",
        "start_date": "2025-06-09",
        "end_date": "2025-06-15",
    }
    assert counts_from({"occurred": week, "sources": [SOURCE]}) == "2025-06-15"
    published = [{**SOURCE, "published_date": "2025-06-11"}]
    assert counts_from({"occurred": week, "sources": published}) == "2025-06-11"


def test_an_undatable_development_counts_on_every_date() -> None:
    undated = {"occurred": {"precision": "DATE_PRECISION_UNKNOWN"}, "sources": [SOURCE]}
    assert counts_from(undated) == ""
    assert counts_on("", date(1900, 1, 1))


def test_a_refinement_is_finer_and_inside_the_span_it_refines() -> None:
    month = {"precision": "DATE_PRECISION_MONTH", "start_date": "2025-05-01"}
    day = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-05-14"}
    assert is_refinement(month, day)
    assert not is_refinement(day, month)
    assert not is_refinement(month, {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-01"})
