"""Every applied development can be retracted: the view is then the one without it.

Over generated negotiations with developments of every record-setting type, retracting one
applied development gives, on every date, the view the negotiation would have if it had
never been recorded, apart from record-time fields (a fold without it lists what referred to
it as problems; the retraction keeps those developments, unresolved).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from newsledger.application.validation.payloads import validate_payload
from newsledger.domain.negotiation import fold, render_view
from newsledger.domain.registry import ACTIVE, CORRECTION_TYPES, RETRACTED, UNRESOLVED, applied
from newsledger.domain.state import NegotiationState
from newsledger.domain.timeline import TimelineFilter, timeline
from tests.support.every_type_strategies import TYPES, developments_of_every_type, payloads
from tests.support.negotiation_strategies import (
    Development,
    days,
    opening,
    recorded,
    valid_time_fields,
    with_event_ids,
)

NEGOTIATION = "generated"


def folded(developments: list[Development]) -> NegotiationState:
    state = fold(recorded(NEGOTIATION, developments))
    assert state is not None
    return state


def retraction(development_id: str) -> Development:
    """Return a retraction of one development, published on the generated year's last day."""
    source = {"source_id": "notice", "outlet": "Wire", "kind": "SOURCE_KIND_WIRE",
              "published_date": "2025-12-31"}  # fmt: skip
    report = {"occurred": {"precision": "DATE_PRECISION_UNKNOWN"}, "sources": [source]}
    payload = {"corrects": [development_id], "reason": "Withdrawn.", "report": report}
    return Development("ReportRetracted", payload, "retraction")


def without_traces(view: dict[str, Any], gone: set[str]) -> dict[str, Any]:
    """Return a view's valid-time fields without the retraction's traces.

    A dispute of a development the retraction took away stays listed, closed: the view
    without the development never had it.
    """
    kept = valid_time_fields(view)
    disputes = kept.pop("disputes", [])
    assert not [d for d in disputes if d["subject_development_id"] in gone and d.get("open")]
    remaining = [d for d in disputes if d["subject_development_id"] not in gone]
    return {**kept, "disputes": remaining} if remaining else kept


@st.composite
def negotiation_and_target(draw: st.DrawFn) -> tuple[list[Development], str, list[date]]:
    """A negotiation (only what its fold applied), one of its developments, and dates."""
    drawn = [opening(NEGOTIATION), *draw(developments_of_every_type())]
    registered = {str(e["development_id"]) for e in folded(drawn).developments}
    kept = [d for d in drawn if d.development_id in registered]
    candidates = [
        str(e["development_id"])
        for e in applied(folded(kept).developments)
        if e["event_type"] != "NegotiationOpened"
    ]
    target = draw(st.sampled_from(candidates)) if candidates else ""
    return kept, target, draw(st.lists(days(), min_size=1, max_size=3))


def test_the_generator_makes_valid_payloads_of_every_type() -> None:
    @given(developments_of_every_type())
    @settings(max_examples=30, deadline=None)
    def valid(developments: list[Development]) -> None:
        for development in developments:
            version = 2 if development.event_type == "TariffMeasureChanged" else 1
            payload = with_event_ids(NEGOTIATION, development)
            assert validate_payload(development.event_type, version, payload) == []

    valid()
    for kind in TYPES:  # a type the generator lacks fails here, drawn or not
        find(payloads(kind), lambda _: True, settings=settings(database=None))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiation_and_target())
def test_retracting_an_applied_development_gives_the_view_without_it(
    drawn: tuple[list[Development], str, list[date]],
) -> None:
    kept, target, dates = drawn
    if not target:
        return
    retracted = folded([*kept, retraction(target)])
    without = folded([d for d in kept if d.development_id != target])

    assert not [p for p in retracted.problems if p["development_id"] == "retraction"]
    statuses = {str(e["development_id"]): e["status"] for e in retracted.developments}
    gone = {d for d, status in statuses.items() if status in (RETRACTED, UNRESOLVED)}
    for as_of in dates:
        assert without_traces(render_view(retracted, as_of), gone) == valid_time_fields(
            render_view(without, as_of)
        )
    # What referred to the retracted development alone is kept, unresolved, not applied.
    refused = {
        str(p["development_id"])
        for p in without.problems
        if p["event_type"] not in CORRECTION_TYPES
    }
    assert {d for d, status in statuses.items() if status == UNRESOLVED} == refused
    assert statuses[target] == "retracted"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiation_and_target())
def test_the_timeline_shows_what_a_retraction_left_unresolved(
    drawn: tuple[list[Development], str, list[date]],
) -> None:
    kept, target, _ = drawn
    if not target:
        return
    retracted = folded([*kept, retraction(target)])
    entries = {e["development_id"]: e for e in timeline(retracted, TimelineFilter())}
    for entry in retracted.developments:
        shown = entries.get(str(entry["development_id"]))
        if shown is not None and entry["status"] == UNRESOLVED:
            assert shown["status"] == "TIMELINE_ENTRY_STATUS_UNRESOLVED"
            assert "retraction" in shown["corrected_by"]
        elif shown is not None and entry["status"] == ACTIVE:
            assert shown["status"] == "TIMELINE_ENTRY_STATUS_ACTIVE"


def test_a_statement_by_a_person_whose_introduction_is_retracted_is_unresolved() -> None:
    report = retraction("x").payload["report"]
    person = Development(
        "PersonRoleAssigned",
        {"person_id": "alice", "name": "Alice", "party_id": "us", "report": report},
        "alice",
    )
    said = Development(
        "StatementMade",
        {"statement_id": "s", "speaker_id": "alice", "kind": "STATEMENT_KIND_REMARK",
         "report": report},
        "said",
    )  # fmt: skip
    state = folded([opening(NEGOTIATION), person, said, retraction("alice")])
    assert not state.problems
    assert not state.people and not state.statements
    assert [e["status"] for e in state.developments[1:3]] == ["retracted", UNRESOLVED]


def test_the_opening_is_not_retracted() -> None:
    state = folded([opening(NEGOTIATION), retraction("negotiation-opened")])
    (problem,) = state.problems
    assert "opening" in problem["description"] and state.title == "Generated talks"
