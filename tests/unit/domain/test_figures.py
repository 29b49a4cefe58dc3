"""Figures on measures: fees per unit in two currencies, ranges, totals kept apart from parts."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.cli.text.basics import Names
from newsledger.cli.text.records import measures_block
from newsledger.domain.explain import explain
from newsledger.domain.figures import total
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report

PORT_FEE = {
    "exact_value": "400",
    "currency": "CNY",
    "per": "net ton",
    "phrase": "400 yuan (about $56) per net ton",
    "equivalents": [{"exact_value": "56", "currency": "USD", "approximate": True}],
}
HEADLINE = {
    "exact_value": "145",
    "unit": "percent",
    "components": [
        {"label": "reciprocal tariff", "exact_value": "125", "measure_id": "reciprocal"},
        {"label": "fentanyl tariff", "exact_value": "20"},
    ],
}


NAMES = Names({"parties": []})


def change(measure_id: str, status: str, day: str, **fields: Any) -> dict[str, Any]:
    effective = {"effective": fields.pop("effective")} if "effective" in fields else {}
    return {
        "measure_id": measure_id,
        "description": measure_id.title(),
        "status": status,
        "imposed_by": ["us"],
        "targets": ["cn"],
        **fields,
        "report": report(
            occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
            sources=[{"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
            **effective,
        ),
    }


def folded(stream: Stream) -> NegotiationState:
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    return state


def measures_on(stream: Stream, day: date) -> dict[str, dict[str, Any]]:
    return {m["measure_id"]: m for m in render_view(folded(stream), day)["measures"]}


def test_a_fee_per_net_ton_keeps_its_currency_its_equivalent_and_what_it_is_per() -> None:
    stream = Stream().opened()
    fee = change("port-fees", "MEASURE_STATUS_IN_FORCE", "2025-10-14", rate=PORT_FEE)
    stream.add("TariffMeasureChanged", fee)

    measure = measures_on(stream, date(2025, 10, 20))["port-fees"]
    assert measure["rate"] == PORT_FEE
    assert "rate_percent" not in measure
    assert measure["status_history"][0]["rate"] == PORT_FEE
    [line] = [line for line in measures_block([measure], NAMES) if "Port-Fees" in line]
    assert "¥400 (about $56) per net ton" in line


def test_a_headline_total_keeps_its_components_and_a_component_names_its_measure() -> None:
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        change("reciprocal", "MEASURE_STATUS_IN_FORCE", "2025-04-09", rate_percent="125"),
    )
    stream.add(
        "TariffMeasureChanged",
        change("total", "MEASURE_STATUS_IN_FORCE", "2025-04-10", rate=HEADLINE),
    )

    measure = measures_on(stream, date(2025, 4, 11))["total"]
    assert measure["rate"]["exact_value"] == "145"
    parts = measure["rate"]["components"]
    assert [(p["label"], p["exact_value"]) for p in parts] == [
        ("reciprocal tariff", "125"),
        ("fentanyl tariff", "20"),
    ]
    text = "\n".join(measures_block([measure], NAMES))
    assert "145% = 125% reciprocal tariff + 20% fentanyl tariff" in text


def test_a_component_naming_an_unknown_measure_is_refused() -> None:
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        change("total", "MEASURE_STATUS_IN_FORCE", "2025-04-10", rate=HEADLINE),
    )
    state = folded(stream)

    [problem] = state.problems
    assert (
        "rate.components.measure_id refers to unknown measures: reciprocal"
        in (problem["description"])
    )
    assert state.measures == {}


def test_a_figure_both_exact_and_a_range_or_running_backwards_is_refused() -> None:
    stream = Stream().opened()
    both = {"exact_value": "10", "low_value": "5", "unit": "percent"}
    backwards = {"low_value": "15", "high_value": "10", "unit": "percent"}
    stream.add(
        "TariffMeasureChanged", change("a", "MEASURE_STATUS_IN_FORCE", "2025-04-10", rate=both)
    )
    stream.add(
        "TariffMeasureChanged", change("b", "MEASURE_STATUS_IN_FORCE", "2025-04-10", rate=backwards)
    )
    state = folded(stream)

    first, second = (problem["description"] for problem in state.problems)
    assert "rate: exact_value or a range (low_value, high_value), not both" in first
    assert "rate: low_value 15 is above high_value 10" in second


def test_a_range_is_shown_between_its_bounds() -> None:
    stream = Stream().opened()
    rate = {"low_value": "10", "high_value": "15", "unit": "percent"}
    stream.add(
        "TariffMeasureChanged", change("a", "MEASURE_STATUS_IN_FORCE", "2025-04-10", rate=rate)
    )

    text = "\n".join(measures_block(list(measures_on(stream, date(2025, 5, 1)).values()), NAMES))
    assert "between 10% and 15%" in text


def test_a_rate_announced_ahead_is_pending_until_its_effective_day() -> None:
    stream = Stream().opened()
    before = {"exact_value": "50", "currency": "USD", "per": "net ton"}
    after = {"exact_value": "80", "currency": "USD", "per": "net ton"}
    stream.add(
        "TariffMeasureChanged",
        change("fees", "MEASURE_STATUS_IN_FORCE", "2025-10-14", rate=before),
    )
    ahead = {"precision": "DATE_PRECISION_DAY", "start_date": "2026-04-17"}
    stream.add(
        "TariffMeasureChanged",
        change("fees", "MEASURE_STATUS_MODIFIED", "2025-10-20", rate=after, effective=ahead),
    )

    waiting = measures_on(stream, date(2025, 11, 1))["fees"]
    assert waiting["rate"] == before
    assert [c["rate"] for c in waiting["pending_changes"]] == [after]
    assert measures_on(stream, date(2026, 4, 17))["fees"]["rate"] == after


def test_a_later_percent_without_a_figure_replaces_the_earlier_figure() -> None:
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        change(
            "total",
            "MEASURE_STATUS_IN_FORCE",
            "2025-04-10",
            rate={"exact_value": "145", "unit": "percent"},
        ),
    )
    stream.add(
        "TariffMeasureChanged",
        change("total", "MEASURE_STATUS_MODIFIED", "2025-05-14", rate_percent="30"),
    )

    measure = measures_on(stream, date(2025, 5, 20))["total"]
    assert measure["rate_percent"] == "30"
    assert "rate" not in measure


def test_totals_add_only_figures_in_the_same_unit_and_keep_ranges_open() -> None:
    tonnes = {"unit": "tonnes"}
    figures = [
        {"exact_value": "1000000", "unit": "Tonnes"},
        {"low_value": "200000", "unit": "tonnes"},
        {"exact_value": "5", "currency": "USD"},
    ]
    assert total(figures, tonnes) == {"unit": "tonnes", "low_value": "1200000"}
    assert total(figures[:1], tonnes) == {"unit": "tonnes", "exact_value": "1000000"}
    assert total(figures, {"currency": "usd"}) == {"currency": "usd", "exact_value": "5"}
    assert total(figures, {"unit": "bushels"}) is None


def test_a_fee_and_the_day_it_resumes_are_explained_by_the_changes_that_set_them() -> None:
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        change("port-fees", "MEASURE_STATUS_IN_FORCE", "2025-10-14", rate=PORT_FEE),
        "fee",
    )
    until = {"precision": "DATE_PRECISION_DAY", "start_date": "2026-11-09"}
    stream.add(
        "TariffMeasureChanged",
        change("port-fees", "MEASURE_STATUS_SUSPENDED", "2025-11-10", suspended_until=until),
        "pause",
    )
    state = folded(stream)
    as_of = date(2025, 11, 20)
    view = render_view(state, as_of)

    rate = explain(state, view, "measures[port-fees].rate", as_of)
    assert [d["development_id"] for d in rate["developments"]] == ["fee"]
    resumes = explain(state, view, "measures[port-fees].resumes", as_of)
    assert [d["development_id"] for d in resumes["developments"]] == ["pause"]
