"""A threat withdrawn: a status of its own, never in force, distinct from a measure ended."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.cli.text.basics import Names
from newsledger.cli.text.records import measures_block
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report


def change(status: str, day: str, **extra: Any) -> dict[str, Any]:
    return {
        "measure_id": "threat",
        "description": "A 50% tariff",
        "status": status,
        "imposed_by": ["us"],
        "targets": ["cn"],
        "report": report(
            occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
            sources=[{"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
            **extra,
        ),
    }


def fold_of(stream: Stream) -> NegotiationState:
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    return state


def measure_on(state: NegotiationState, day: date) -> dict[str, Any]:
    [measure] = render_view(state, day)["measures"]
    return measure


def test_a_withdrawn_threat_shows_its_date_and_was_never_in_force() -> None:
    stream = Stream().opened()
    june_1 = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-01"}
    stream.add(
        "TariffMeasureChanged", change("MEASURE_STATUS_THREATENED", "2025-05-23", effective=june_1)
    )
    stream.add("TariffMeasureChanged", change("MEASURE_STATUS_WITHDRAWN", "2025-05-25"))
    state = fold_of(stream)

    before = measure_on(state, date(2025, 5, 24))
    assert before["status"] == "MEASURE_STATUS_THREATENED"
    assert "withdrawn" not in before
    after = measure_on(state, date(2025, 6, 10))
    assert after["status"] == "MEASURE_STATUS_WITHDRAWN"
    assert after["withdrawn"]["start_date"] == "2025-05-25"
    assert after.get("in_force", False) is False
    view = render_view(state, date(2025, 6, 10))
    groups = view.get("measures_in_force", [])
    assert all("threat" not in group.get("tariff_measure_ids", []) for group in groups)
    text = "\n".join(measures_block(view["measures"], Names(view)))
    assert "withdrawn  A 50% tariff" in text
    assert "withdrawn 2025-05-25, never in force" in text


def test_a_measure_that_was_in_force_cannot_be_withdrawn() -> None:
    stream = Stream().opened()
    stream.add("TariffMeasureChanged", change("MEASURE_STATUS_IN_FORCE", "2025-05-23"))
    stream.add("TariffMeasureChanged", change("MEASURE_STATUS_WITHDRAWN", "2025-05-25"), "undo")
    state = fold_of(stream)

    [problem] = state.problems
    assert problem["development_id"] == "undo"
    assert "MEASURE_STATUS_ENDED" in problem["description"]
    assert measure_on(state, date(2025, 6, 1))["status"] == "MEASURE_STATUS_IN_FORCE"
