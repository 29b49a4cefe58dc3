"""A record taken into an earlier view carries its creator's status as of the referrer's day.

A development that counts by a date may refer to a record whose only development counts
later (the seed's Geneva truce, 12 May, suspends tariffs known from an article of 11 June):
the creator is taken in, and what it says counts from the referring development's day.
"""

from __future__ import annotations

from datetime import date

from tests.support.builders import SOURCE, Stream, report
from tests.support.paths import SEED_STORY
from tests.support.story_views import recorded_story, view_at

MEASURE = "tariffs-above-100-percent"


def measure_in(view: dict, measure_id: str) -> dict:
    (found,) = [m for m in view["measures"] if m["measure_id"] == measure_id]
    return found


def test_the_tariffs_the_geneva_truce_suspends_are_in_force_the_day_before_it_takes_effect() -> (
    None
):
    view = view_at(recorded_story(SEED_STORY), date(2025, 5, 13))
    measure = measure_in(view, MEASURE)
    assert measure["status"] == "MEASURE_STATUS_IN_FORCE"
    assert measure["in_force"]
    assert [c["status"] for c in measure["pending_changes"]] == ["MEASURE_STATUS_SUSPENDED"]
    in_force = {p["party_id"]: p["tariff_measure_ids"] for p in view["measures_in_force"]}
    assert in_force == {"us": [MEASURE], "cn": [MEASURE]}


def test_a_taken_in_record_counts_from_the_referrer_not_before() -> None:
    stream = Stream().opened()
    late = {**SOURCE, "published_date": "2025-06-11"}
    stream.add(
        "TariffMeasureChanged",
        {"measure_id": "levy", "description": "Levy", "status": "MEASURE_STATUS_IN_FORCE",
         "imposed_by": ["us"],
         "report": report(occurred={"precision": "DATE_PRECISION_UNKNOWN"}, sources=[late])},
        "levy",
    )  # fmt: skip
    early = {**SOURCE, "source_id": "early", "published_date": "2025-05-12"}
    stream.add(
        "TruceAgreed",
        {"truce_id": "truce", "name": "Truce", "suspended_measure_ids": ["levy"],
         "report": report(occurred={"precision": "DATE_PRECISION_DAY", "start_date": "2025-05-12"},
                          effective={"precision": "DATE_PRECISION_DAY", "start_date": "2025-05-14"},
                          sources=[early])},
        "truce",
    )  # fmt: skip

    assert "measures" not in view_at(stream.events, date(2025, 5, 11))
    on_the_day = measure_in(view_at(stream.events, date(2025, 5, 12)), "levy")
    assert on_the_day["status"] == "MEASURE_STATUS_IN_FORCE"
    suspended = measure_in(view_at(stream.events, date(2025, 5, 20)), "levy")
    assert suspended["status"] == "MEASURE_STATUS_SUSPENDED"
    assert [h["status"] for h in suspended["status_history"]] == [
        "MEASURE_STATUS_IN_FORCE",
        "MEASURE_STATUS_SUSPENDED",
    ]
