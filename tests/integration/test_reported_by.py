"""The third time axis, `reported_by`, through the ledger on each backend.

A story loaded today about last year is all recorded today; `reported_by` answers with what
the press had published by an instant, whatever the record time, and composes with
`as_of` and `known_at`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from newsledger.application.errors import NegotiationNotFound
from newsledger.domain.timeline import TimelineFilter
from tests.support.negotiation_log import NegotiationLog, report, source

LATE = date(2025, 12, 31)


def by(day: str, hour: int = 23) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def tariff(rate: str, day: str, published: str) -> dict[str, Any]:
    return {
        "measure_id": "steel",
        "description": "Steel tariff",
        "status": "MEASURE_STATUS_IN_FORCE",
        "imposed_by": ["us"],
        "rate_percent": rate,
        "report": report(day, source(f"wire-{published}", "Wire", published)),
    }


@pytest.fixture
def log(engine: Engine) -> NegotiationLog:
    """Talks reported on 1 June and 20 June, a tariff of 25% corrected to 50% on 15 June."""
    log = NegotiationLog(engine)
    log.talks("early-talks", "early", source("wire-early", "Wire", "2025-06-01"))
    log.talks("late-talks", "late", source("wire-late", "Wire", "2025-06-20"))
    steel = log.add("TariffMeasureChanged", tariff("25", "2025-06-01", "2025-06-01"), "steel")
    log.add(
        "FactCorrected",
        {
            "corrects": [steel],
            "field": "rate_percent",
            "value": "50",
            "report": report("2025-06-15", source("wire-fix", "Wire", "2025-06-15")),
        },
        "steel-corrected",
    )
    return log


def talks_ids(view: dict[str, Any]) -> list[str]:
    return [talks["talks_id"] for talks in view.get("talks", [])]


def test_only_developments_reported_by_then_are_in_the_view(log: NegotiationLog) -> None:
    queries = log.app.queries
    assert talks_ids(queries.view("test-talks", LATE)) == ["early", "late"]
    assert talks_ids(queries.view("test-talks", LATE, reported_by=by("2025-06-10"))) == ["early"]
    assert talks_ids(queries.view("test-talks", LATE, reported_by=by("2025-05-01"))) == []
    opened = queries.view("test-talks", LATE, reported_by=by("2025-05-01"))
    assert opened["title"] == "Test talks"
    assert not opened.get("stale")


def test_a_correction_counts_once_it_was_published(log: NegotiationLog) -> None:
    def rate(reported_by: datetime | None) -> str:
        view = log.app.queries.view("test-talks", LATE, reported_by=reported_by)
        return str(view["measures"][0]["rate_percent"])

    assert rate(by("2025-06-14")) == "25"
    assert rate(by("2025-06-15", hour=0)) == "50"  # a date-only publication counts all its day
    assert rate(None) == "50"


def test_reported_by_composes_with_known_at_and_as_of(log: NegotiationLog) -> None:
    queries = log.app.queries
    before_late_talks = log.now.replace(hour=log.now.hour - 3)
    at_both = queries.view("test-talks", LATE, before_late_talks, by("2025-06-30"))
    assert talks_ids(at_both) == ["early"]  # the late talks were not recorded yet
    early_day = queries.view("test-talks", date(2025, 5, 31), reported_by=by("2025-06-30"))
    assert talks_ids(early_day) == []  # nothing had happened by 31 May
    with pytest.raises(NegotiationNotFound):
        queries.view("test-talks", LATE, datetime(2025, 1, 1, tzinfo=UTC), by("2025-06-30"))


def test_the_timeline_and_explanations_follow_reported_by(log: NegotiationLog) -> None:
    queries = log.app.queries
    page = queries.timeline("test-talks", TimelineFilter(), reported_by=by("2025-06-10"))
    ids = {entry["development_id"] for entry in page.entries}
    assert {"early-talks", "steel"} <= ids
    assert not ids & {"late-talks", "steel-corrected"}
    explained = queries.explain(
        "test-talks", "measures[steel].rate_percent", LATE, None, by("2025-06-10")
    )
    assert explained["value"] == "25"
    assert [d["corrected_by"] for d in explained["developments"]] == [[]]
