"""The text view of a court case: docket, steps, vote, dispositions, and effects on measures."""

from __future__ import annotations

from datetime import date

from newsledger.cli.text.basics import Names
from newsledger.cli.text.courts import court_case
from newsledger.cli.text.records import measures_block
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.unit.domain.test_court_procedure import day, docket, ends, on, ruling, with_tariff


def litigated() -> NegotiationState:
    stream = with_tariff()
    parties = [{"name": "V.O.S. Selections, Inc.", "role": "CASE_ROLE_RESPONDENT"}]
    stream.add(
        "CourtCaseDocketed", docket("scotus", "2025-09-05", docket_number="25-250", parties=parties)
    )
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "scotus",
            "kind": "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED",
            "scheduled": day("2025-11-05"),
            "report": on("2025-09-18"),
        },
    )
    vote = {"majority": 6, "dissent": 3, "majority_by": "Chief Justice Roberts"}
    dispositions = [ends("levy", effective=day("2026-02-24"))]
    stream.add(
        "CourtRulingIssued", ruling("scotus", "2026-02-20", vote=vote, dispositions=dispositions)
    )
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    return state


def test_a_case_before_its_ruling_shows_its_docket_and_the_argument_to_come() -> None:
    [case] = render_view(litigated(), date(2025, 10, 1))["legal_status"]["cases"]
    assert court_case(case) == [
        "Scotus v. Trump: no ruling yet",
        "Court of International Trade, No. 25-250",
        "parties: V.O.S. Selections, Inc. (respondent)",
        "2025-09-18 oral argument scheduled for 2025-11-05",
        "oral argument set for 2025-11-05",
    ]


def test_a_ruling_shows_its_vote_and_each_disposition_with_its_state() -> None:
    [case] = render_view(litigated(), date(2026, 2, 21))["legal_status"]["cases"]
    lines = court_case(case)
    assert lines[0] == (
        "Scotus v. Trump: latest ruling other by Court, 2026-02-20,"
        " vote 6\u20133 (Chief Justice Roberts)"
    )
    assert lines[2] == (
        "  vacate: The tariff orders are vacated; ends levy [pending from 2026-02-24]"
    )


def test_a_measure_lists_the_ruling_that_ends_it_and_the_pending_change() -> None:
    view = render_view(litigated(), date(2026, 2, 21))
    names = Names(view)
    text = measures_block(view["measures"], names)
    assert "      court: ended by Court (scotus), 2026-02-20 [pending from 2026-02-24]" in text
    assert "      pending: ended from 2026-02-24" in text
    after = measures_block(render_view(litigated(), date(2026, 2, 24))["measures"], names)
    assert "      court: ended by Court (scotus), 2026-02-20 [in effect]" in after
