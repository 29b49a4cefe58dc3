"""Commitments with quantity, unit and period, and how much of them purchases fulfil by a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.cli.text.basics import Names
from newsledger.cli.text.output import _commitment
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import VIEW_LIST_LIMIT, render_view
from tests.support.builders import Stream, report

LATE_2025 = {
    "quantity": {"exact_value": "12000000", "unit": "tonnes"},
    "start_date": "2025-11-01",
    "end_date": "2025-12-31",
    "phrase": "in the last two months of 2025",
}
YEAR_2026 = {
    "quantity": {"exact_value": "25000000", "unit": "tonnes"},
    "start_date": "2026-01-01",
    "end_date": "2026-12-31",
}


def on(day: str) -> dict[str, Any]:
    return report(
        occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
        sources=[{"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
    )


def soybeans(**fields: Any) -> Stream:
    stream = Stream().opened()
    stream.add(
        "CommitmentMade",
        {
            "commitment_id": "soybeans",
            "party_id": "cn",
            "description": "Buy U.S. soybeans",
            "status": "COMMITMENT_STATUS_MADE",
            "goods": "soybeans",
            "schedule": [LATE_2025, YEAR_2026],
            **fields,
            "report": on("2025-10-30"),
        },
        "commitment",
    )
    return stream


def bought(stream: Stream, purchase_id: str, day: str, **figures: Any) -> None:
    stream.add(
        "PurchaseReported",
        {
            "purchase_id": purchase_id,
            "party_id": "cn",
            "from_party_id": "us",
            "goods": "soybeans",
            "commitment_id": "soybeans",
            **figures,
            "report": on(day),
        },
        purchase_id,
    )


def commitment_on(stream: Stream, day: date) -> dict[str, Any]:
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    [commitment] = render_view(state, day)["commitments"]
    return commitment


def test_fulfilment_sums_the_linked_purchases_counted_by_the_date_in_the_commitments_unit() -> None:
    stream = soybeans()
    bought(stream, "first", "2025-11-10", quantity={"exact_value": "3000000", "unit": "tonnes"})
    bought(stream, "legacy", "2025-12-01", quantity_value="1000000", quantity_unit="tonnes")
    bought(stream, "dollars", "2025-12-02", amount={"exact_value": "500000000", "currency": "USD"})
    bought(stream, "next-year", "2026-02-01", quantity={"low_value": "2000000", "unit": "tonnes"})

    december = commitment_on(stream, date(2025, 12, 15))
    assert december["status"] == "COMMITMENT_STATUS_PARTIALLY_FULFILLED"
    assert december["fulfilment"] == {
        "fulfilled": {"unit": "tonnes", "exact_value": "4000000"},
        "fulfilled_percent": "10.8",
        "purchase_ids": ["first", "legacy"],
    }
    late_2025, year_2026 = december["schedule"]
    assert late_2025["fulfilled"] == {"unit": "tonnes", "exact_value": "4000000"}
    assert late_2025["fulfilled_percent"] == "33.3"
    assert "fulfilled" not in year_2026

    march = commitment_on(stream, date(2026, 3, 1))
    assert march["fulfilment"]["fulfilled"] == {"unit": "tonnes", "low_value": "6000000"}
    assert march["schedule"][1]["fulfilled"] == {"unit": "tonnes", "low_value": "2000000"}


def test_before_any_purchase_counts_the_commitment_is_as_reported() -> None:
    stream = soybeans()
    bought(stream, "first", "2025-11-10", quantity={"exact_value": "3000000", "unit": "tonnes"})

    before = commitment_on(stream, date(2025, 11, 9))
    assert before["status"] == "COMMITMENT_STATUS_MADE"
    assert "fulfilment" not in before
    assert [p["quantity"] for p in before["schedule"]] == [
        LATE_2025["quantity"],
        YEAR_2026["quantity"],
    ]


def test_a_reported_fulfilment_stands_and_the_sum_is_still_shown() -> None:
    stream = soybeans()
    bought(stream, "first", "2025-11-10", quantity={"exact_value": "3000000", "unit": "tonnes"})
    stream.add(
        "CommitmentStatusChanged",
        {
            "commitment_id": "soybeans",
            "status": "COMMITMENT_STATUS_FULFILLED",
            "report": on("2025-12-31"),
        },
    )

    done = commitment_on(stream, date(2026, 1, 5))
    assert done["status"] == "COMMITMENT_STATUS_FULFILLED"
    assert done["fulfilment"]["fulfilled"]["exact_value"] == "3000000"


def test_a_commitment_in_money_counts_the_purchases_amounts() -> None:
    pledge = {"exact_value": "750000000000", "currency": "USD", "per": "three years"}
    stream = soybeans(quantity=pledge, schedule=[])
    bought(stream, "cargo", "2025-11-10", amount={"exact_value": "75000000000", "currency": "USD"})
    bought(stream, "tonnes", "2025-11-11", quantity={"exact_value": "5", "unit": "tonnes"})

    commitment = commitment_on(stream, date(2025, 12, 1))
    assert commitment["quantity"] == pledge
    assert commitment["fulfilment"]["fulfilled_percent"] == "10"
    assert commitment["fulfilment"]["purchase_ids"] == ["cargo"]
    lines = _commitment(commitment, Names({"parties": []}))
    assert "commits $750000000000 per three years of soybeans" in lines
    assert "in all, fulfilled: $75000000000 (10%)" in lines


def test_the_text_view_shows_each_period_and_how_much_of_it_is_fulfilled() -> None:
    stream = soybeans()
    bought(stream, "first", "2025-11-10", quantity={"exact_value": "3000000", "unit": "tonnes"})

    lines = _commitment(commitment_on(stream, date(2025, 12, 1)), Names({"parties": []}))
    assert (
        "in the last two months of 2025: 12000000 tonnes of soybeans;"
        " fulfilled: 3000000 tonnes (25%)"
    ) in lines
    assert "2026-01-01 to 2026-12-31: 25000000 tonnes of soybeans" in lines


def test_a_period_ending_before_it_starts_is_refused() -> None:
    backwards = {**YEAR_2026, "start_date": "2027-01-01"}
    state = fold(soybeans(schedule=[backwards]).events)
    assert isinstance(state, NegotiationState)

    [problem] = state.problems
    assert (
        "schedule[0]: end_date 2026-12-31 is before start_date 2027-01-01"
        in (problem["description"])
    )
    assert state.commitments == {}


def test_a_purchase_over_a_span_counts_in_the_period_it_was_complete_by() -> None:
    stream = soybeans()
    since_the_summit = {
        "precision": "DATE_PRECISION_WEEK",
        "start_date": "2025-10-30",
        "end_date": "2025-11-13",
        "phrase": "since the summit, in data released after 13 November",
    }
    stream.add(
        "PurchaseReported",
        {
            "purchase_id": "two-cargoes",
            "party_id": "cn",
            "goods": "soybeans",
            "commitment_id": "soybeans",
            "quantity": {"exact_value": "332000", "unit": "tonnes"},
            "report": report(
                occurred=since_the_summit,
                sources=[{"source_id": "w", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
            ),
        },
    )

    late_2025 = commitment_on(stream, date(2025, 11, 20))["schedule"][0]
    assert late_2025["fulfilled"] == {"unit": "tonnes", "exact_value": "332000"}


def test_the_purchases_counted_are_cut_to_the_newest_and_the_sum_still_takes_them_all() -> None:
    stream = soybeans()
    for number in range(VIEW_LIST_LIMIT + 5):
        bought(stream, f"p{number}", "2025-11-10", quantity={"exact_value": "1", "unit": "tonnes"})
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)

    view = render_view(state, date(2025, 12, 1))
    fulfilment = view["commitments"][0]["fulfilment"]
    assert fulfilment["fulfilled"]["exact_value"] == str(VIEW_LIST_LIMIT + 5)
    assert fulfilment["purchase_ids"][-1] == f"p{VIEW_LIST_LIMIT + 4}"
    assert len(fulfilment["purchase_ids"]) == VIEW_LIST_LIMIT
    assert {
        "path": "commitments[soybeans].fulfilment.purchase_ids",
        "shown": VIEW_LIST_LIMIT,
        "total": VIEW_LIST_LIMIT + 5,
        "paged_by": "ListTimelineEntries",
    } in view["truncated_lists"]


def test_periods_of_at_least_so_much_give_the_share_of_their_minimum() -> None:
    at_least = [
        {**period, "quantity": {"low_value": period["quantity"]["exact_value"], "unit": "tonnes"}}
        for period in (LATE_2025, YEAR_2026)
    ]
    stream = soybeans(schedule=at_least)
    bought(stream, "first", "2025-11-10", quantity={"exact_value": "3700000", "unit": "tonnes"})

    fulfilment = commitment_on(stream, date(2025, 12, 1))["fulfilment"]
    assert fulfilment["fulfilled_percent"] == "10"
