"""Corrections in the pure fold: each edits the registry and the records are derived again."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report
from tests.support.negotiation_strategies import valid_time_fields

JUNE_11 = date(2025, 6, 11)


def folded(stream: Stream) -> NegotiationState:
    state = fold(stream.events)
    assert state is not None
    return state


def tariff(stream: Stream, rate: str = "25") -> str:
    event = stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "steel",
            "description": "Steel",
            "status": "MEASURE_STATUS_IN_FORCE",
            "imposed_by": ["us"],
            "rate_percent": rate,
            "report": report(),
        },
        "steel",
    )
    return str(event.event_id)


def correct(stream: Stream, event_type: str, **payload: Any) -> None:
    stream.add(event_type, {**payload, "report": report()}, f"correction-{len(stream.events)}")


def test_a_fact_correction_sets_one_field_and_is_cited() -> None:
    stream = Stream().opened()
    steel = tariff(stream)
    correct(stream, "FactCorrected", corrects=[steel], field="rate_percent", value="50")
    (measure,) = render_view(folded(stream), JUNE_11)["measures"]
    assert measure["rate_percent"] == "50"
    assert measure["provenance"]["development_ids"] == ["steel", "correction-2"]


def test_a_correction_that_leaves_the_view_inconsistent_is_a_problem_and_changes_nothing() -> None:
    stream = Stream().opened().person("li", "cn")
    said = stream.add(
        "StatementMade",
        {
            "statement_id": "s",
            "speaker_id": "li",
            "kind": "STATEMENT_KIND_REMARK",
            "report": report(),
        },
        "statement",
    )
    before = render_view(folded(stream), JUNE_11)
    # A speaker the negotiation does not have (a retraction, which may leave references
    # behind, sets them aside instead: see test_retraction_properties).
    correct(stream, "FactCorrected", corrects=[str(said.event_id)], field="speaker_id", value="x")
    state = folded(stream)
    assert "no longer applies" in state.problems[0]["description"]
    assert valid_time_fields(render_view(state, JUNE_11)) == valid_time_fields(before)


def test_a_correction_of_an_unknown_or_retracted_event_is_a_problem() -> None:
    stream = Stream().opened()
    steel = tariff(stream)
    correct(stream, "ReportRetracted", corrects=[steel], reason="wrong")
    correct(stream, "FactCorrected", corrects=[steel], field="rate_percent", value="50")
    correct(stream, "SourceAttached", corrects=["00000000-0000-0000-0000-000000000000"])
    descriptions = [p["description"] for p in folded(stream).problems]
    assert "already retracted" in descriptions[0]
    assert "not an applied event" in descriptions[1]


def test_merging_needs_duplicates_of_the_same_type() -> None:
    stream = Stream().opened()
    steel = tariff(stream)
    talks = stream.add(
        "TalksHeld",
        {"talks_id": "r", "title": "R", "format": "TALKS_FORMAT_REMOTE", "report": report()},
        "talks",
    )
    correct(stream, "DuplicatesMerged", corrects=[str(talks.event_id)], into_event_id=steel)
    assert "not a TariffMeasureChanged" in folded(stream).problems[0]["description"]


def test_a_coarser_refinement_is_refused() -> None:
    stream = Stream().opened()
    steel = tariff(stream)
    month = {"precision": "DATE_PRECISION_MONTH", "start_date": "2025-06-01"}
    correct(
        stream,
        "DatePrecisionRefined",
        corrects=[steel],
        time_field="REPORT_TIME_FIELD_OCCURRED",
        refined=month,
    )
    assert "coarser" in folded(stream).problems[0]["description"]


def test_records_always_equal_a_derivation_from_the_registry() -> None:
    from newsledger.domain.negotiation import derive

    stream = Stream().opened()
    steel = tariff(stream)
    correct(stream, "SourceAttached", corrects=[steel])
    state = folded(stream)
    assert derive(state, state.developments).to_json() == state.to_json()
