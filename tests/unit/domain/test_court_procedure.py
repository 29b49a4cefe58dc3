"""Court procedure beyond rulings: dockets, steps, votes, dispositions, consolidated cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.domain.headlines import headline
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report


def on(day: str, **extra: Any) -> dict[str, Any]:
    """A report of something on a day, published that day."""
    source = {"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}
    return report(
        occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
        sources=[{**source, "published_date": day}],
        **extra,
    )


def day(value: str) -> dict[str, str]:
    return {"precision": "DATE_PRECISION_DAY", "start_date": value}


def docket(case_id: str, when: str, **extra: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "case_name": f"{case_id.title()} v. Trump",
        "court": "Court of International Trade",
        "report": on(when),
        **extra,
    }


def ruling(case_id: str, when: str, **extra: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "court": "Court",
        "kind": "COURT_RULING_KIND_OTHER",
        "holding": f"Ruling of {when}",
        "report": on(when),
        **extra,
    }


def ends(measure_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "COURT_RULING_KIND_VACATE",
        "description": "The tariff orders are vacated",
        "measure_ids": [measure_id],
        "effect": "COURT_EFFECT_ENDS",
        **extra,
    }


def with_tariff() -> Stream:
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "levy",
            "description": "A 20% tariff",
            "status": "MEASURE_STATUS_IN_FORCE",
            "imposed_by": ["us"],
            "targets": ["cn"],
            "rate_percent": "20",
            "report": on("2025-04-09"),
        },
    )
    return stream


def folded(stream: Stream) -> NegotiationState:
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    return state


def cases_on(state: NegotiationState, when: date) -> dict[str, dict[str, Any]]:
    view = render_view(state, when)
    return {case["case_id"]: case for case in view.get("legal_status", {}).get("cases", [])}


def measure_on(state: NegotiationState, when: date) -> dict[str, Any]:
    [measure] = render_view(state, when)["measures"]
    return measure


def problems(state: NegotiationState) -> list[str]:
    return [str(problem["description"]) for problem in state.problems]


def test_a_docketed_case_shows_its_court_number_parties_and_the_case_below_from_its_date() -> None:
    stream = with_tariff()
    stream.add("CourtCaseDocketed", docket("vos-cit", "2025-04-14", measure_ids=["levy"]))
    parties = [
        {"name": "Donald J. Trump", "role": "CASE_ROLE_APPELLANT"},
        {"name": "V.O.S. Selections, Inc.", "role": "CASE_ROLE_APPELLEE"},
    ]
    appeal = docket(
        "vos-cafc",
        "2025-05-29",
        court="Federal Circuit",
        docket_number="25-1812",
        parties=parties,
        appeal_from_case_id="vos-cit",
    )
    stream.add("CourtCaseDocketed", appeal)
    state = folded(stream)

    assert "vos-cafc" not in cases_on(state, date(2025, 5, 28))
    assert cases_on(state, date(2025, 5, 28))["vos-cit"]["measure_ids"] == ["levy"]
    case = cases_on(state, date(2025, 5, 29))["vos-cafc"]
    assert case["court"] == "Federal Circuit"
    assert case["docket_number"] == "25-1812"
    assert case["parties"] == parties
    assert case["appeal_from_case_id"] == "vos-cit"
    assert "latest_ruling" not in case


def test_steps_count_from_their_dates_and_the_oral_argument_shows_until_its_day() -> None:
    stream = with_tariff()
    stream.add("CourtCaseDocketed", docket("scotus", "2025-06-17"))
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "scotus",
            "kind": "COURT_STEP_KIND_CERTIORARI_GRANTED",
            "report": on("2025-09-09"),
        },
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
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "scotus",
            "kind": "COURT_STEP_KIND_ORAL_ARGUMENT_HELD",
            "report": on("2025-11-05"),
        },
    )
    state = folded(stream)

    def kinds(when: date) -> list[str]:
        return [step["kind"] for step in cases_on(state, when)["scotus"].get("steps", [])]

    assert kinds(date(2025, 9, 8)) == []
    assert kinds(date(2025, 9, 10)) == ["COURT_STEP_KIND_CERTIORARI_GRANTED"]
    assert "oral_argument_scheduled" not in cases_on(state, date(2025, 9, 10))["scotus"]
    assert cases_on(state, date(2025, 9, 18))["scotus"]["oral_argument_scheduled"] == day(
        "2025-11-05"
    )
    assert kinds(date(2025, 11, 5))[-1] == "COURT_STEP_KIND_ORAL_ARGUMENT_HELD"
    assert "oral_argument_scheduled" not in cases_on(state, date(2025, 11, 6))["scotus"]


def test_a_consolidation_joins_every_case_it_names_from_its_date() -> None:
    stream = with_tariff()
    stream.add("CourtCaseDocketed", docket("vos", "2025-04-14"))
    stream.add("CourtCaseDocketed", docket("oregon", "2025-04-23"))
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "vos",
            "kind": "COURT_STEP_KIND_CONSOLIDATED",
            "consolidated_case_ids": ["oregon"],
            "report": on("2025-05-29"),
        },
    )
    state = folded(stream)

    before = cases_on(state, date(2025, 5, 28))
    assert before["vos"].get("consolidated_case_ids", []) == []
    after = cases_on(state, date(2025, 5, 29))
    assert after["vos"]["consolidated_case_ids"] == ["oregon"]
    assert after["oregon"]["consolidated_case_ids"] == ["vos"]


def test_a_ruling_carries_its_vote_and_every_disposition() -> None:
    stream = with_tariff()
    vote = {"majority": 7, "dissent": 4, "majority_by": "per curiam", "dissenting": ["Taranto"]}
    dispositions = [
        {"kind": "COURT_RULING_KIND_AFFIRM", "description": "The tariffs are unlawful"},
        {"kind": "COURT_RULING_KIND_VACATE", "description": "The universal injunction"},
        {"kind": "COURT_RULING_KIND_REMAND", "description": "The scope of relief"},
    ]
    stream.add(
        "CourtRulingIssued",
        ruling("vos", "2025-08-29", ruling_id="cafc-en-banc", vote=vote, dispositions=dispositions),
    )
    state = folded(stream)

    view = render_view(state, date(2025, 9, 1))
    latest = view["legal_status"]["latest_ruling"]
    assert latest["vote"] == vote
    assert latest["ruling_id"] == "cafc-en-banc"
    assert [d["kind"] for d in latest["dispositions"]] == [d["kind"] for d in dispositions]
    assert view["legal_status"]["cases"][0]["latest_ruling"] == latest


def test_a_ruling_ending_a_measure_from_a_later_day_leaves_it_in_force_until_then() -> None:
    stream = with_tariff()
    effective = {**day("2026-02-24"), "phrase": "from 12:01 a.m. on Tuesday"}
    stream.add(
        "CourtRulingIssued",
        ruling(
            "scotus",
            "2026-02-20",
            ruling_id="scotus",
            dispositions=[ends("levy", effective=effective)],
        ),
    )
    state = folded(stream)

    before = measure_on(state, date(2026, 2, 22))
    assert before["status"] == "MEASURE_STATUS_IN_FORCE"
    assert before["in_force"] is True
    [pending] = before["pending_changes"]
    assert pending["status"] == "MEASURE_STATUS_ENDED"
    assert pending["effective"] == effective
    [effect] = before["court_effects"]
    assert effect["state"] == "COURT_EFFECT_STATE_PENDING"
    assert effect["case_id"] == "scotus"
    case_before = render_view(state, date(2026, 2, 22))["legal_status"]["latest_ruling"]
    assert case_before["dispositions"][0]["state"] == "COURT_EFFECT_STATE_PENDING"

    after = measure_on(state, date(2026, 2, 24))
    assert after["status"] == "MEASURE_STATUS_ENDED"
    assert after.get("in_force", False) is False
    assert after.get("pending_changes", []) == []
    assert after["court_effects"][0]["state"] == "COURT_EFFECT_STATE_IN_EFFECT"
    assert "court_effects" not in measure_on(state, date(2026, 2, 19))


def test_a_ruling_without_an_effective_day_takes_effect_on_its_date() -> None:
    stream = with_tariff()
    stream.add("CourtRulingIssued", ruling("cit", "2025-05-28", dispositions=[ends("levy")]))
    state = folded(stream)

    assert measure_on(state, date(2025, 5, 27))["status"] == "MEASURE_STATUS_IN_FORCE"
    assert measure_on(state, date(2025, 5, 28))["status"] == "MEASURE_STATUS_ENDED"


def test_a_block_stayed_by_a_later_ruling_leaves_the_measure_as_it_was_from_the_stay() -> None:
    stream = with_tariff()
    blocks = {**ends("levy"), "effect": "COURT_EFFECT_BLOCKS"}
    stream.add(
        "CourtRulingIssued",
        ruling("cit", "2025-05-28", ruling_id="cit-judgment", dispositions=[blocks]),
    )
    stay = {
        "kind": "COURT_RULING_KIND_STAY",
        "description": "The judgment and injunction are stayed",
        "stays_ruling_id": "cit-judgment",
    }
    stream.add(
        "CourtRulingIssued",
        ruling(
            "cafc",
            "2025-05-29",
            ruling_id="cafc-stay",
            kind="COURT_RULING_KIND_STAY",
            dispositions=[stay],
        ),
    )
    state = folded(stream)

    blocked = measure_on(state, date(2025, 5, 28))
    assert blocked["status"] == "MEASURE_STATUS_BLOCKED"
    assert blocked.get("in_force", False) is False
    assert blocked["court_effects"][0]["state"] == "COURT_EFFECT_STATE_IN_EFFECT"

    stayed = measure_on(state, date(2025, 5, 30))
    assert stayed["status"] == "MEASURE_STATUS_IN_FORCE"
    assert stayed["in_force"] is True
    [effect] = stayed["court_effects"]
    assert effect["state"] == "COURT_EFFECT_STATE_STAYED"
    assert effect["stayed_by_ruling_id"] == "cafc-stay"
    cit = cases_on(state, date(2025, 5, 30))["cit"]["latest_ruling"]["dispositions"][0]
    assert cit["stayed_by_ruling_id"] == "cafc-stay"


def test_a_ruling_withheld_until_a_day_takes_effect_the_day_after() -> None:
    stream = with_tariff()
    withheld = ends("levy", stayed_until={**day("2025-10-14"), "phrase": "through October 14"})
    stream.add("CourtRulingIssued", ruling("cafc", "2025-08-29", dispositions=[withheld]))
    state = folded(stream)

    before = measure_on(state, date(2025, 10, 14))
    assert before["status"] == "MEASURE_STATUS_IN_FORCE"
    assert before["pending_changes"][0]["effective"] == day("2025-10-15")
    assert before["court_effects"][0]["state"] == "COURT_EFFECT_STATE_PENDING"
    assert measure_on(state, date(2025, 10, 15))["status"] == "MEASURE_STATUS_ENDED"


def test_a_ruling_withheld_with_no_day_stays_until_a_later_ruling() -> None:
    stream = with_tariff()
    pending_appeal = {"precision": "DATE_PRECISION_UNKNOWN", "phrase": "pending appeal"}
    stream.add(
        "CourtRulingIssued",
        ruling("dc", "2025-05-29", dispositions=[ends("levy", stayed_until=pending_appeal)]),
    )
    state = folded(stream)

    measure = measure_on(state, date(2025, 12, 31))
    assert measure["status"] == "MEASURE_STATUS_IN_FORCE"
    assert measure.get("pending_changes", []) == []
    assert measure["court_effects"][0]["state"] == "COURT_EFFECT_STATE_STAYED"


def test_the_latest_ruling_is_the_latest_by_when_it_was_issued() -> None:
    stream = with_tariff()
    stream.add(
        "CourtRulingIssued", ruling("scotus", "2026-02-20", vote={"majority": 6, "dissent": 3})
    )
    stream.add(
        "CourtRulingIssued", ruling("cafc", "2025-08-29", vote={"majority": 7, "dissent": 4})
    )
    state = folded(stream)

    assert (
        render_view(state, date(2025, 9, 1))["legal_status"]["latest_ruling"]["vote"]["majority"]
        == 7
    )
    assert (
        render_view(state, date(2026, 3, 1))["legal_status"]["latest_ruling"]["vote"]["majority"]
        == 6
    )


def test_references_the_negotiation_lacks_are_refused_naming_them() -> None:
    stream = with_tariff()
    stream.add("CourtCaseDocketed", docket("below", "2025-04-14", appeal_from_case_id="nowhere"))
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "ghost",
            "kind": "COURT_STEP_KIND_CERTIORARI_GRANTED",
            "report": on("2025-09-09"),
        },
    )
    stream.add("CourtCaseDocketed", docket("vos", "2025-04-14"))
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "vos",
            "kind": "COURT_STEP_KIND_CONSOLIDATED",
            "consolidated_case_ids": ["oregon"],
            "report": on("2025-05-29"),
        },
    )
    stream.add("CourtRulingIssued", ruling("vos", "2025-05-28", dispositions=[ends("chips")]))
    stay = {"kind": "COURT_RULING_KIND_STAY", "description": "Stayed", "stays_ruling_id": "unheard"}
    stream.add("CourtRulingIssued", ruling("vos", "2025-05-29", dispositions=[stay]))
    state = folded(stream)

    assert problems(state) == [
        "appeal_from_case_id refers to unknown court_cases: nowhere",
        "case_id refers to unknown court_cases: ghost",
        "consolidated_case_ids refers to unknown court_cases: oregon",
        "dispositions[0].measure_ids refers to unknown measures: chips",
        "dispositions[0].stays_ruling_id refers to unknown rulings: unheard",
    ]


def test_fields_that_do_not_go_together_are_refused() -> None:
    stream = with_tariff()
    stream.add("CourtCaseDocketed", docket("vos", "2025-04-14"))
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "vos",
            "kind": "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED",
            "report": on("2025-09-18"),
        },
    )
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "vos",
            "kind": "COURT_STEP_KIND_CERTIORARI_GRANTED",
            "scheduled": day("2025-11-05"),
            "report": on("2025-09-18"),
        },
    )
    no_measures = {
        "kind": "COURT_RULING_KIND_VACATE",
        "description": "Vacated",
        "effect": "COURT_EFFECT_ENDS",
    }
    stream.add("CourtRulingIssued", ruling("vos", "2025-05-28", dispositions=[no_measures]))
    stream.add("CourtRulingIssued", ruling("vos", "2025-05-28", ruling_id="one"))
    stream.add("CourtRulingIssued", ruling("vos", "2025-05-29", ruling_id="one"))
    stream.add(
        "CourtRulingIssued", ruling("vos", "2025-05-29", vote={"majority": 7, "dissent": -4})
    )
    state = folded(stream)

    assert problems(state) == [
        "scheduled goes with COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED, and it needs it",
        "scheduled goes with COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED, and it needs it",
        "dispositions[0].effect COURT_EFFECT_ENDS names no measure_ids",
        "ruling_id one is already a ruling's id",
        "vote counts judges: majority and dissent cannot be negative",
    ]


def test_headlines_name_the_case_and_the_step() -> None:
    assert (
        headline(
            "CourtCaseDocketed",
            {"case_name": "V.O.S. v. Trump", "court": "CIT", "docket_number": "25-66"},
        )
        == "V.O.S. v. Trump docketed at CIT 25-66"
    )
    step = {
        "case_id": "scotus",
        "kind": "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED",
        "scheduled": day("2025-11-05"),
    }
    assert headline("CourtStepTaken", step) == "scotus: oral argument scheduled 2025-11-05"
    assert headline("CourtStepTaken", {**step, "description": "Argument set"}) == "Argument set"
