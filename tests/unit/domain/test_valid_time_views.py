"""A view as of a date follows only from what counts by then, each change from its own day."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.domain.explain import explain
from newsledger.domain.negotiation import fold, render_view
from newsledger.domain.state import NegotiationState
from tests.support.builders import Stream


def day(text: str) -> dict[str, str]:
    return {"precision": "DATE_PRECISION_DAY", "start_date": text}


def dated(occurred: str, outlet: str = "Wire", published: str = "", **extra: Any) -> dict[str, Any]:
    """A report of something that happened on a day, from one source published that day."""
    source = {
        "source_id": f"{outlet.lower()}-{published or occurred}",
        "outlet": outlet,
        "kind": "SOURCE_KIND_WIRE",
        "published_date": published or occurred,
    }
    return {"occurred": day(occurred), "sources": [source], **extra}


def tariff(status: str, rate: str, report: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "measure_id": "levy",
        "description": "A levy",
        "status": status,
        "imposed_by": ["us"],
        "targets": ["cn"],
        "rate_percent": rate,
        "report": report,
        **extra,
    }


def state_of(stream: Stream) -> NegotiationState:
    state = fold(stream.events)
    assert state is not None and not state.problems, state and state.problems
    return state


def measure(state: NegotiationState, as_of: str) -> dict[str, Any]:
    view = render_view(state, date.fromisoformat(as_of))
    found: dict[str, Any] = next(m for m in view["measures"] if m["measure_id"] == "levy")
    return found


def with_rate_cut_announced_ahead() -> NegotiationState:
    """30% in force from 1 June; on 10 June a cut to 10% is announced, effective 1 July."""
    stream = Stream().opened()
    stream.add("TariffMeasureChanged", tariff("MEASURE_STATUS_IN_FORCE", "30", dated("2025-06-01")))
    cut = dated("2025-06-10", effective=day("2025-07-01"))
    stream.add("TariffMeasureChanged", tariff("MEASURE_STATUS_MODIFIED", "10", cut))
    return state_of(stream)


def test_a_rate_cut_announced_ahead_leaves_the_rate_in_force_until_its_effective_day() -> None:
    state = with_rate_cut_announced_ahead()
    before = measure(state, "2025-06-20")
    assert (before["status"], before["rate_percent"], before["in_force"]) == (
        "MEASURE_STATUS_IN_FORCE",
        "30",
        True,
    )
    (pending,) = before["pending_changes"]
    assert pending["status"] == "MEASURE_STATUS_MODIFIED"
    assert pending["rate_percent"] == "10"
    assert pending["effective"]["start_date"] == "2025-07-01"
    after = measure(state, "2025-07-01")
    assert (after["status"], after["rate_percent"], after["in_force"]) == (
        "MEASURE_STATUS_MODIFIED",
        "10",
        True,
    )
    assert "pending_changes" not in after


def test_the_end_of_a_measure_announced_ahead_ends_it_on_its_day() -> None:
    stream = Stream().opened()
    stream.add("TariffMeasureChanged", tariff("MEASURE_STATUS_IN_FORCE", "30", dated("2025-06-01")))
    end = dated("2025-06-10", effective=day("2025-08-01"))
    stream.add("TariffMeasureChanged", tariff("MEASURE_STATUS_ENDED", "", end))
    state = state_of(stream)
    assert measure(state, "2025-07-31")["in_force"] is True
    assert measure(state, "2025-07-31")["pending_changes"][0]["status"] == "MEASURE_STATUS_ENDED"
    ended = measure(state, "2025-08-01")
    assert ended["status"] == "MEASURE_STATUS_ENDED"
    assert "in_force" not in ended


def test_phased_dates_within_one_measure_apply_one_by_one() -> None:
    """Announced together on 10 June: 10% from 1 July, 20% from 1 September."""
    stream = Stream().opened()
    first = dated("2025-06-10", effective=day("2025-07-01"))
    second = dated("2025-06-10", effective=day("2025-09-01"))
    stream.add("TariffMeasureChanged", tariff("MEASURE_STATUS_IN_FORCE", "10", first))
    stream.add("TariffMeasureChanged", tariff("MEASURE_STATUS_MODIFIED", "20", second))
    state = state_of(stream)
    announced = measure(state, "2025-06-15")
    assert announced["status"] == "MEASURE_STATUS_ANNOUNCED"
    assert "in_force" not in announced
    assert [p["rate_percent"] for p in announced["pending_changes"]] == ["10", "20"]
    assert measure(state, "2025-08-01")["rate_percent"] == "10"
    assert measure(state, "2025-09-01")["rate_percent"] == "20"


def test_a_truce_suspends_its_measures_from_its_effective_day() -> None:
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged", tariff("MEASURE_STATUS_IN_FORCE", "125", dated("2025-04-10"))
    )
    truce = dated("2025-05-12", effective=day("2025-05-14"))
    stream.add(
        "TruceAgreed",
        {"truce_id": "t", "name": "Truce", "suspended_measure_ids": ["levy"], "report": truce},
    )
    state = state_of(stream)
    on_the_13th = measure(state, "2025-05-13")
    assert (on_the_13th["status"], on_the_13th["in_force"]) == ("MEASURE_STATUS_IN_FORCE", True)
    assert on_the_13th["pending_changes"][0]["status"] == "MEASURE_STATUS_SUSPENDED"
    assert measure(state, "2025-05-14")["status"] == "MEASURE_STATUS_SUSPENDED"


def test_a_deadline_set_ahead_applies_from_its_effective_day() -> None:
    stream = Stream().opened()
    first = {"deadline_id": "d", "subject": "Deadline", "deadline": day("2025-09-01")}
    stream.add("DeadlineSet", {**first, "report": dated("2025-06-01")})
    moved = {"deadline_id": "d", "subject": "Deadline", "deadline": day("2025-10-01")}
    ahead = dated("2025-06-15", effective=day("2025-08-01"))
    stream.add("DeadlineSet", {**moved, "report": ahead})
    state = state_of(stream)
    (before,) = render_view(state, date(2025, 7, 1))["deadlines"]
    assert before["deadline"]["start_date"] == "2025-09-01"
    assert before["days_remaining"] == 62
    assert before["pending_deadlines"][0]["deadline"]["start_date"] == "2025-10-01"
    assert before["pending_deadlines"][0]["effective"]["start_date"] == "2025-08-01"
    (after,) = render_view(state, date(2025, 8, 1))["deadlines"]
    assert after["deadline"]["start_date"] == "2025-10-01"
    assert "pending_deadlines" not in after


def ruling(occurred: str, case_name: str, holding: str) -> dict[str, Any]:
    return {
        "case_id": "case",
        "case_name": case_name,
        "court": "Court",
        "kind": "COURT_RULING_KIND_STAY",
        "holding": holding,
        "report": dated(occurred),
    }


def test_the_latest_ruling_is_the_latest_issued_even_when_an_older_one_is_filed_later() -> None:
    stream = Stream().opened()
    stream.add("CourtRulingIssued", ruling("2025-06-20", "V.O.S. v. Trump", "newer"))
    stream.add("CourtRulingIssued", ruling("2025-05-01", "V.O.S. v. United States", "older"))
    view = render_view(state_of(stream), date(2025, 7, 1))
    assert view["legal_status"]["latest_ruling"]["holding"] == "newer"
    (case,) = view["legal_status"]["cases"]
    assert case["latest_ruling"]["holding"] == "newer"
    assert [r["holding"] for r in case["rulings"]] == ["older", "newer"]
    assert case["case_name"] == "V.O.S. v. Trump"


def test_a_case_renamed_later_keeps_its_name_in_earlier_views() -> None:
    stream = Stream().opened()
    stream.add("CourtRulingIssued", ruling("2025-05-01", "V.O.S. v. United States", "first"))
    stream.add("CourtRulingIssued", ruling("2025-07-01", "V.O.S. v. Trump", "second"))
    state = state_of(stream)
    (case,) = render_view(state, date(2025, 6, 1))["legal_status"]["cases"]
    assert case["case_name"] == "V.O.S. v. United States"
    assert [r["holding"] for r in case["rulings"]] == ["first"]


def test_a_back_filled_status_never_pushes_a_newer_one_aside() -> None:
    stream = Stream().opened()
    stream.add("TariffMeasureChanged", tariff("MEASURE_STATUS_MODIFIED", "30", dated("2025-05-14")))
    stream.add(
        "TariffMeasureChanged", tariff("MEASURE_STATUS_MODIFIED", "125", dated("2025-04-10"))
    )
    assert measure(state_of(stream), "2025-06-01")["rate_percent"] == "30"


def test_explain_cites_only_developments_that_count_by_the_date() -> None:
    state = with_rate_cut_announced_ahead()
    as_of = date(2025, 6, 5)
    explained = explain(state, render_view(state, as_of), "measures[levy].status", as_of)
    assert [d["development_id"] for d in explained["developments"]] == ["dev-1"]


def test_a_later_corroboration_does_not_count_in_earlier_views() -> None:
    stream = Stream().opened()
    reported = stream.add(
        "TariffMeasureChanged", tariff("MEASURE_STATUS_IN_FORCE", "30", dated("2025-06-01"))
    )
    later = dated("2025-06-20", outlet="Other Paper")
    stream.add("SourceAttached", {"corrects": [str(reported.event_id)], "report": later})
    state = state_of(stream)
    early = measure(state, "2025-06-10")["provenance"]
    assert early["source_ids"] == ["wire-2025-06-01"]
    assert early["confirmation"]["level"] == "CONFIRMATION_LEVEL_SINGLE_SOURCE"
    late = measure(state, "2025-06-20")["provenance"]
    assert late["confirmation"]["level"] == "CONFIRMATION_LEVEL_CORROBORATED"
    assert late["confirmation"]["independent_source_count"] == 2


def test_explain_cites_only_the_change_behind_the_field() -> None:
    """A measure set by two developments: its rate is explained by the one that set it."""
    state = with_rate_cut_announced_ahead()
    as_of = date(2025, 7, 2)
    view = render_view(state, as_of)
    rate = explain(state, view, "measures[levy].rate_percent", as_of)
    assert rate["value"] == "10"
    assert [d["development_id"] for d in rate["developments"]] == ["dev-2"]
    assert rate["explained_by_path"] == "measures[levy].status_history[1]"
    whole = explain(state, view, "measures[levy].description", as_of)
    assert [d["development_id"] for d in whole["developments"]] == ["dev-1", "dev-2"]


def test_the_state_text_shows_a_pending_change_with_its_day() -> None:
    from newsledger.cli.text.output import format_view

    text = format_view(render_view(with_rate_cut_announced_ahead(), date(2025, 6, 20)))
    assert "pending: modified at 10% from 2025-07-01" in text


def test_a_record_taken_in_for_an_earlier_reference_brings_no_later_corroboration() -> None:
    """A truce of 1 June suspends a levy known from an article of 5 June, which another
    outlet corroborates on 20 June: as of 2 June the levy is taken in, without the source
    that only the corroboration of 20 June brings."""
    stream = Stream().opened()
    reported = stream.add(
        "TariffMeasureChanged", tariff("MEASURE_STATUS_IN_FORCE", "30", dated("2025-06-05"))
    )
    stream.add(
        "TruceAgreed",
        {
            "truce_id": "t",
            "name": "Truce",
            "suspended_measure_ids": ["levy"],
            "report": dated("2025-06-01"),
        },
    )
    later = dated("2025-06-20", outlet="Other Paper")
    stream.add("SourceAttached", {"corrects": [str(reported.event_id)], "report": later})
    state = state_of(stream)

    early = measure(state, "2025-06-02")["provenance"]["source_ids"]
    assert "wire-2025-06-05" in early
    assert "other paper-2025-06-20" not in early
    assert "other paper-2025-06-20" in measure(state, "2025-06-20")["provenance"]["source_ids"]


def test_a_measure_taken_in_for_an_earlier_truce_cites_no_source_attached_later() -> None:
    """A truce of 1 January suspends a levy first reported on 2 January: the levy's record is
    taken in as of 1 January, but not the corroboration that reached it on 2 January."""
    stream = Stream().opened()
    threat = stream.add(
        "TariffMeasureChanged", tariff("MEASURE_STATUS_THREATENED", "10", dated("2025-01-02"))
    )
    stream.add(
        "TruceAgreed",
        {
            "truce_id": "truce",
            "name": "Truce",
            "suspended_measure_ids": ["levy"],
            "report": dated("2025-01-01", expires=day("2025-04-01")),
        },
    )
    before = fold(stream.events)
    assert isinstance(before, NegotiationState)
    stream.add(
        "SourceAttached",
        {"corrects": [str(threat.event_id)], "report": dated("2025-01-02", outlet="Desk")},
        "corroboration",
    )
    after = fold(stream.events)
    assert isinstance(after, NegotiationState)

    as_of = date(2025, 1, 1)
    [levy] = render_view(after, as_of)["measures"]
    assert levy["provenance"]["source_ids"] == ["wire-2025-01-02", "wire-2025-01-01"]
    assert "corroboration" not in levy["provenance"]["development_ids"]
    assert render_view(after, as_of)["measures"] == render_view(before, as_of)["measures"]
