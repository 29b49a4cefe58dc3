"""Corrections as events, on both time axes, through the ledger on each backend.

`as_of` (valid time) picks what counts by a date; `known_at` (record time) picks what the
ledger had recorded by an instant. A correction changes answers only from when it is known.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from newsledger.domain.timeline import TimelineFilter
from tests.support.negotiation_log import NegotiationLog, report, source

JUNE_11 = date(2025, 6, 11)


@pytest.fixture
def log(engine: Engine) -> NegotiationLog:
    return NegotiationLog(engine)


def outcome(log: NegotiationLog, claimed_by: list[str]) -> str:
    """Record talks and an outcome agreed in principle, claimed by some parties."""
    log.talks("round-1", "round-1")
    return log.add(
        "OutcomeReached",
        {
            "outcome_id": "framework",
            "name": "Framework",
            "status": "OUTCOME_STATUS_AGREED_IN_PRINCIPLE",
            "talks_id": "round-1",
            "report": report("2025-06-10", claimed_by=claimed_by, summary="A framework is agreed."),
        },
        "framework",
    )


def test_duplicate_reports_from_two_outlets_become_one_development_with_two_sources(
    log: NegotiationLog,
) -> None:
    kept = log.talks("round-1-wire", "round-1", source("wire-a", "Wire A"))
    duplicate = log.talks("round-1-paper", "round-1-again", source("paper-b", "Paper B"))
    assert len(log.app.queries.view("test-talks", JUNE_11)["talks"]) == 2

    log.add(
        "DuplicatesMerged",
        {"corrects": [duplicate], "into_event_id": kept, "report": report()},
        "merge-round-1",
    )

    (talks,) = log.app.queries.view("test-talks", JUNE_11)["talks"]
    assert talks["provenance"]["source_ids"] == ["wire-a", "paper-b"]
    assert talks["provenance"]["confirmation"]["level"] == "CONFIRMATION_LEVEL_CORROBORATED"
    assert talks["provenance"]["confirmation"]["independent_source_count"] == 2
    entries = log.app.queries.timeline(
        "test-talks", TimelineFilter(event_types=frozenset({"TalksHeld"}))
    ).entries
    assert [(e["development_id"], e["status"]) for e in entries] == [
        ("round-1-wire", "TIMELINE_ENTRY_STATUS_ACTIVE"),
        ("round-1-paper", "TIMELINE_ENTRY_STATUS_MERGED"),
    ]


def test_a_correction_changes_the_view_only_for_known_at_after_it(log: NegotiationLog) -> None:
    tariff = log.add(
        "TariffMeasureChanged",
        {
            "measure_id": "steel",
            "description": "Steel tariff",
            "status": "MEASURE_STATUS_IN_FORCE",
            "imposed_by": ["us"],
            "rate_percent": "25",
            "report": report(),
        },
        "steel-tariff",
    )
    before_correction = log.now
    log.add(
        "FactCorrected",
        {
            "corrects": [tariff],
            "field": "rate_percent",
            "value": "50",
            "report": report("2025-06-12"),
        },
        "steel-rate-corrected",
    )

    def rate(known_at: object) -> str:
        view = log.app.queries.view("test-talks", JUNE_11, known_at)  # type: ignore[arg-type]
        return str(view["measures"][0]["rate_percent"])

    assert rate(before_correction) == "25"
    assert rate(log.now - timedelta(microseconds=1)) == "25"
    assert rate(log.now) == "50"
    assert rate(None) == "50"
    log.add(
        "NextRoundStatusChanged",
        {"status": "NEXT_ROUND_STATUS_PROPOSED", "report": report()},
        "later",
    )
    assert rate(before_correction) == "25"  # later events never change a past answer


def test_a_retracted_report_leaves_the_view_and_stays_in_history(log: NegotiationLog) -> None:
    log.person("li", "cn")
    walkout = log.add(
        "StatementMade",
        {
            "statement_id": "walkout",
            "speaker_id": "li",
            "kind": "STATEMENT_KIND_REMARK",
            "report": report(),
        },
        "walkout-report",
    )
    log.add(
        "ReportRetracted",
        {"corrects": [walkout], "reason": "withdrawn", "report": report()},
        "retraction",
    )

    assert "statements" not in log.app.queries.view("test-talks", JUNE_11)
    entries = log.app.queries.timeline("test-talks", TimelineFilter()).entries
    retracted = next(e for e in entries if e["development_id"] == "walkout-report")
    assert retracted["status"] == "TIMELINE_ENTRY_STATUS_RETRACTED"
    assert retracted["corrected_by"] == ["retraction"]


def test_a_disputed_outcome_shows_both_accounts(log: NegotiationLog) -> None:
    framework = outcome(log, claimed_by=["us"])
    log.add(
        "AccountDisputed",
        {
            "corrects": [framework],
            "party_id": "cn",
            "account": "Nothing is agreed.",
            "report": report("2025-06-11"),
        },
        "cn-disputes",
    )

    view = log.app.queries.view("test-talks", JUNE_11)
    (dispute,) = view["disputes"]
    assert dispute["open"] is True
    assert [(a["party_ids"], a["account"]) for a in dispute["accounts"]] == [
        (["us"], "A framework is agreed."),
        (["cn"], "Nothing is agreed."),
    ]
    confirmation = view["outcomes"][0]["provenance"]["confirmation"]
    assert confirmation["level"] == "CONFIRMATION_LEVEL_DISPUTED"
    assert confirmation["disputed_by"] == ["cn"]
    assert "disputes" not in log.app.queries.view("test-talks", date(2025, 6, 10))


def test_a_counterparty_confirmation_closes_its_dispute(log: NegotiationLog) -> None:
    framework = outcome(log, claimed_by=["us"])
    log.add(
        "AccountDisputed",
        {
            "corrects": [framework],
            "party_id": "cn",
            "account": "No.",
            "report": report("2025-06-11"),
        },
        "cn-disputes",
    )
    log.add(
        "AccountConfirmed",
        {"corrects": [framework], "party_id": "cn", "report": report("2025-06-12")},
        "cn-confirms",
    )

    on_11th = log.app.queries.view("test-talks", JUNE_11)
    on_12th = log.app.queries.view("test-talks", date(2025, 6, 12))
    assert on_11th["disputes"][0]["open"] is True
    assert "open" not in on_12th["disputes"][0]
    confirmation = on_12th["outcomes"][0]["provenance"]["confirmation"]
    assert confirmation["level"] == "CONFIRMATION_LEVEL_CONFIRMED_BY_ALL_PARTIES"


def test_a_threat_never_appears_as_a_tariff_in_force(log: NegotiationLog) -> None:
    for status, day in (("THREATENED", "2025-06-10"), ("ANNOUNCED", "2025-06-20")):
        log.add(
            "TariffMeasureChanged",
            {
                "measure_id": "chips",
                "description": "Chip tariff",
                "status": f"MEASURE_STATUS_{status}",
                "imposed_by": ["us"],
                "rate_percent": "100",
                "report": report(
                    day, effective={"precision": "DATE_PRECISION_DAY", "start_date": "2025-07-01"}
                ),
            },
            f"chips-{status.lower()}",
        )
    for as_of in (JUNE_11, date(2025, 6, 25), date(2025, 7, 2)):
        view = log.app.queries.view("test-talks", as_of)
        assert view["measures"][0]["status"] != "MEASURE_STATUS_IN_FORCE"
        assert "in_force" not in view["measures"][0]
        assert "measures_in_force" not in view
    log.add(
        "TariffMeasureChanged",
        {
            "measure_id": "chips",
            "description": "Chip tariff",
            "status": "MEASURE_STATUS_IN_FORCE",
            "report": report("2025-07-01"),
        },
        "chips-in-force",
    )
    assert log.app.queries.view("test-talks", date(2025, 7, 2))["measures_in_force"] == [
        {"party_id": "us", "tariff_measure_ids": ["chips"]}
    ]


def truce(log: NegotiationLog) -> str:
    """Record a truce agreed 12 May, expiring 12 Aug 2025 00:01 New York time."""
    return log.add(
        "TruceAgreed",
        {
            "truce_id": "truce",
            "name": "Truce",
            "report": report(
                "2025-05-12",
                source("statement", "Joint statement", "2025-05-12"),
                expires={
                    "precision": "DATE_PRECISION_INSTANT",
                    "start_time": "2025-08-12T04:01:00Z",
                    "time_zone": "America/New_York",
                },
            ),
        },
        "truce",
    )


def test_days_remaining_are_computed_not_quoted(log: NegotiationLog) -> None:
    truce(log)
    log.person("wendy", "")
    quote = {"speaker_id": "wendy", "text": "Now just 60 days remain", "verbatim": True}
    log.add(
        "StatementMade",
        {
            "statement_id": "sixty",
            "speaker_id": "wendy",
            "kind": "STATEMENT_KIND_ANALYSIS",
            "report": report("2025-06-11", source("paper", "Paper", "2025-06-11", quotes=[quote])),
        },
        "sixty-days",
    )
    assert log.app.queries.view("test-talks", JUNE_11)["truce"]["days_remaining"] == 62
    assert log.app.queries.view("test-talks", date(2025, 8, 11))["truce"]["days_remaining"] == 1


def test_a_deadline_extension_moves_the_deadline_and_keeps_its_history(log: NegotiationLog) -> None:
    truce(log)
    extended = {
        "precision": "DATE_PRECISION_INSTANT",
        "start_time": "2025-11-10T05:01:00Z",
        "time_zone": "America/New_York",
    }
    log.add(
        "DeadlineExtended",
        {
            "truce_id": "truce",
            "deadline": extended,
            "reason": "90 more days",
            "report": report("2025-08-11"),
        },
        "truce-extended",
    )

    before = log.app.queries.view("test-talks", date(2025, 8, 10))["truce"]
    after = log.app.queries.view("test-talks", date(2025, 8, 20))["truce"]
    assert (
        before["deadline"]["start_time"] == "2025-08-12T04:01:00Z"
        and "deadline_history" not in before
    )
    assert after["deadline"]["start_time"] == "2025-11-10T05:01:00Z"
    assert after["deadline_history"][0]["deadline"]["start_time"] == "2025-08-12T04:01:00Z"
    assert after["days_remaining"] == 82


def test_an_extension_to_an_earlier_date_is_a_problem_not_a_move(log: NegotiationLog) -> None:
    truce(log)
    earlier = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-07-01"}
    log.add(
        "DeadlineExtended",
        {"truce_id": "truce", "deadline": earlier, "report": report()},
        "bad-extension",
    )
    view = log.app.queries.view("test-talks", JUNE_11)
    assert view["stale"] and "not later" in view["problems"][0]["description"]
    assert view["truce"]["deadline"]["start_time"] == "2025-08-12T04:01:00Z"


def test_a_refined_date_moves_when_a_development_counts(log: NegotiationLog) -> None:
    vague = {
        "precision": "DATE_PRECISION_MONTH",
        "start_date": "2025-06-01",
        "phrase": "this month",
    }
    talks = log.add(
        "TalksHeld",
        {
            "talks_id": "r",
            "title": "R",
            "format": "TALKS_FORMAT_REMOTE",
            "report": {"occurred": vague, "sources": [source("s", "S", "2025-06-20")]},
        },
        "vague-talks",
    )
    assert "talks" not in log.app.queries.view("test-talks", date(2025, 6, 5))
    log.add(
        "DatePrecisionRefined",
        {
            "corrects": [talks],
            "time_field": "REPORT_TIME_FIELD_OCCURRED",
            "refined": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-03"},
            "report": report("2025-06-21"),
        },
        "talks-dated",
    )
    assert (
        log.app.queries.view("test-talks", date(2025, 6, 5))["talks"][0]["occurred"]["start_date"]
        == "2025-06-03"
    )


def test_a_correction_naming_no_event_of_the_stream_is_refused(log: NegotiationLog) -> None:
    from newsledger.application.errors import InvalidRequest

    with pytest.raises(InvalidRequest) as refused:
        log.add(
            "ReportRetracted",
            {
                "corrects": ["00000000-0000-0000-0000-000000000000"],
                "reason": "x",
                "report": report(),
            },
            "bad",
        )
    assert refused.value.violations[0].field == "events[0].payload_json.corrects[0]"
