"""A suspension until a date, and of a part: distinct from the measure's own expiry."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.cli.text.basics import Names
from newsledger.cli.text.records import measures_block
from newsledger.domain.explain import explain
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report

JULY_9 = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-07-09"}


def change(status: str, day: str, **fields: Any) -> dict[str, Any]:
    return {
        "measure_id": "reciprocal",
        "description": "Reciprocal tariffs",
        "status": status,
        "imposed_by": ["us"],
        "targets": ["cn"],
        **fields,
        "report": report(
            occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
            sources=[{"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
        ),
    }


def measure_on(stream: Stream, day: date) -> dict[str, Any]:
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    [measure] = render_view(state, day)["measures"]
    return measure


def in_force_then_suspended(**suspension: Any) -> Stream:
    stream = Stream().opened()
    in_force = change("MEASURE_STATUS_IN_FORCE", "2025-04-05", rate_percent="20")
    stream.add("TariffMeasureChanged", in_force)
    stream.add(
        "TariffMeasureChanged", change("MEASURE_STATUS_SUSPENDED", "2025-04-10", **suspension)
    )
    return stream


def test_a_suspension_until_a_date_ends_after_it_and_the_measure_is_back_in_force() -> None:
    stream = in_force_then_suspended(suspended_until=JULY_9)

    during = measure_on(stream, date(2025, 7, 9))
    assert during["status"] == "MEASURE_STATUS_SUSPENDED"
    assert during.get("in_force", False) is False
    assert during["suspended_until"] == JULY_9
    assert "expires" not in during
    assert during["status_history"][-1]["suspended_until"] == JULY_9

    after = measure_on(stream, date(2025, 7, 10))
    assert (after["status"], after["in_force"], after["rate_percent"]) == (
        "MEASURE_STATUS_IN_FORCE",
        True,
        "20",
    )
    assert "suspended_until" not in after


def test_a_change_after_the_suspension_still_decides() -> None:
    stream = in_force_then_suspended(suspended_until=JULY_9)
    stream.add("TariffMeasureChanged", change("MEASURE_STATUS_ENDED", "2025-06-01"))

    assert measure_on(stream, date(2025, 7, 10))["status"] == "MEASURE_STATUS_ENDED"


def test_a_suspension_of_a_part_leaves_the_rest_in_force() -> None:
    stream = in_force_then_suspended(suspended_part="the part above 10%")

    view = measure_on(stream, date(2025, 5, 1))
    assert view["status"] == "MEASURE_STATUS_SUSPENDED"
    assert view["suspended_part"] == "the part above 10%"
    assert view["in_force"] is True
    text = "\n".join(measures_block([view], Names({"parties": []})))
    assert "suspended: the part above 10%" in text


def test_the_text_says_until_when() -> None:
    stream = in_force_then_suspended(suspended_until=JULY_9, suspended_part="the part above 10%")
    view = measure_on(stream, date(2025, 5, 1))
    text = "\n".join(measures_block([view], Names({"parties": []})))
    assert "suspended: the part above 10%, until 2025-07-09" in text


def test_suspension_fields_on_another_status_are_refused() -> None:
    stream = Stream().opened()
    bad = change("MEASURE_STATUS_IN_FORCE", "2025-04-05", suspended_until=JULY_9)
    stream.add("TariffMeasureChanged", bad, "bad")
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)

    [problem] = state.problems
    assert "suspended_until go with MEASURE_STATUS_SUSPENDED" in problem["description"]
    assert state.measures == {}


def test_after_a_lapsed_suspension_the_status_is_explained_by_the_change_before_it() -> None:
    stream = in_force_then_suspended(suspended_until=JULY_9)
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    as_of = date(2025, 7, 10)
    view = render_view(state, as_of)

    status = explain(state, view, "measures[reciprocal].status", as_of)
    assert status["explained_by_path"] == "measures[reciprocal].status_history[0]"
    assert [d["development_id"] for d in status["developments"]] == ["dev-1"]
    during = render_view(state, date(2025, 5, 1))
    until = explain(state, during, "measures[reciprocal].suspended_until", date(2025, 5, 1))
    assert [d["development_id"] for d in until["developments"]] == ["dev-2"]
