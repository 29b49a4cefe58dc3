"""Rendering the folded state as a NegotiationView JSON object for a query date (valid time).

The state keeps dated entries; rendering keeps those that count by the date and computes the
rest from them: current phase and statuses, the truce's deadline and days remaining, measures
in force, confirmation levels. No event is read: the state holds everything needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from newsledger.domain import view_sections as sections
from newsledger.domain.as_of import state_as_of
from newsledger.domain.confirmation import Confirmer, disputes
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.valid_time import valid_order

NOT_SCHEDULED: JsonDict = {"status": "NEXT_ROUND_STATUS_NOT_SCHEDULED"}
"""The next round when no development has set one: explicitly not scheduled."""

Renderer = Callable[[Mapping[str, Any], date], JsonDict | None]


def _rendered(records: Mapping[str, JsonDict], render: Renderer, as_of: date) -> list[JsonDict]:
    """Return records rendered as of the date, ordered by id, leaving out those not counted."""
    shown = (render(records[key], as_of) for key in sorted(records))
    return [record for record in shown if record is not None]


def _latest(records: list[JsonDict], state_records: Mapping[str, JsonDict], key: str) -> JsonDict:
    """Return the rendered record that happened last (valid time), or {} when there is none."""
    if not records:
        return {}
    return max(records, key=lambda record: valid_order(state_records[record[key]]))


def _backed_by_all(
    state: NegotiationState, confirmer: Confirmer, outcomes: list[JsonDict]
) -> Callable[[Mapping[str, Any]], bool]:
    """Return whether a claimed phase change has every party behind it on the date.

    A party stands behind it when it claims or confirmed the development that set it, or
    confirmed the outcome it is about; an open dispute leaves it a claim.
    """
    confirmed = {o["outcome_id"]: set(o.get("confirmed_by", [])) for o in outcomes}

    def backed(entry: Mapping[str, Any]) -> bool:
        development_id = entry["provenance"]["development_ids"][0]
        claimed, confirming, disputing = confirmer.stances.get(
            development_id, (set(), set(), set())
        )
        backers = claimed | confirming | confirmed.get(str(entry.get("_outcome_id", "")), set())
        return not disputing and backers >= state.party_ids()

    return backed


def _in_force_by_party(state: NegotiationState, measures: list[JsonDict]) -> list[JsonDict]:
    """Group the measures in force by imposing party, parties in their listed order."""
    order = [str(party["party_id"]) for party in state.parties]
    order += sorted({p for m in measures for p in m.get("imposed_by", []) if p not in order})
    grouped = []
    for party in order:
        mine = [m for m in measures if m["in_force"] and party in m.get("imposed_by", [])]
        tariffs = [m["measure_id"] for m in mine if m["measure_type"] == "TariffMeasureChanged"]
        controls = [m["measure_id"] for m in mine if m["measure_type"] != "TariffMeasureChanged"]
        if tariffs or controls:
            grouped.append(
                {"party_id": party, "tariff_measure_ids": tariffs, "export_control_ids": controls}
            )
    return grouped


_OMITTED_DEFAULTS: tuple[Any, ...] = ("", [], {})
"""Empty values protobuf JSON omits (besides false, compared by identity)."""

_SCALARS = (str, int, float, type(None))
"""Types of JSON leaves, told apart from containers without the slower Mapping check."""


def _finished(value: Any, confirmer: Confirmer) -> Any:
    """Return a fresh copy with a confirmation in every provenance and empty values dropped.

    Empty strings, lists, objects and false are dropped, as protobuf JSON omits those
    defaults; an object emptied that way is dropped in turn. One walk builds the copy, so
    the result shares no list or object with the state it was rendered from.
    """
    if isinstance(value, list):
        return [_finished(item, confirmer) for item in value]
    if isinstance(value, _SCALARS) or not isinstance(value, Mapping):
        return value
    finished = {}
    for key, item in value.items():
        if key == "provenance" and isinstance(item, Mapping) and item:
            item = {**item, "confirmation": confirmer.confirmation(item)}
        if not isinstance(item, _SCALARS):
            item = _finished(item, confirmer)
        if item is not False and item not in _OMITTED_DEFAULTS:
            finished[key] = item
    return finished


def render_view(state: NegotiationState, as_of: date) -> JsonDict:
    """Return the NegotiationView JSON object (proto field names) as of a query date.

    Days remaining are computed from `as_of` and the deadline, never taken from quotes. Every
    field follows from the developments that count by `as_of` alone (`state_as_of`).
    """
    state = state_as_of(state, as_of)
    confirmer = Confirmer(state.developments, state.party_ids(), as_of)
    outcomes = _rendered(state.outcomes, sections.outcome, as_of)
    phase_history, claimed_phases = sections.phases(
        state.phase_history, as_of, _backed_by_all(state, confirmer, outcomes)
    )
    truces = _rendered(state.truces, sections.truce, as_of)
    measures = _rendered(state.measures, sections.measure, as_of)
    cases = _rendered(state.court_cases, sections.court_case, as_of)
    rounds = sections.ordered(state.next_round_history, as_of)
    rulings = [
        r for case in state.court_cases.values() for r in sections.counted(case["rulings"], as_of)
    ]
    latest_ruling = max(rulings, key=valid_order, default={})
    view: JsonDict = {
        "negotiation_id": state.negotiation_id,
        "title": state.title,
        "parties": state.parties,
        "as_of_date": as_of.isoformat(),
        "phase": phase_history[-1]["phase"] if phase_history else "NEGOTIATION_PHASE_UNSPECIFIED",
        "phase_history": phase_history,
        "claimed_phases": claimed_phases,
        "talks": _rendered(state.talks, sections.talks, as_of),
        "outcomes": outcomes,
        "truce": _latest(truces, state.truces, "truce_id"),
        "deadlines": _rendered(
            state.deadlines, lambda r, d: sections.with_countdown(r, "history", d), as_of
        ),
        "issues": _rendered(state.issues, sections.issue, as_of),
        "commitments": _rendered(state.commitments, sections.with_status, as_of),
        "measures": measures,
        "measures_in_force": _in_force_by_party(state, measures),
        "legal_status": {"cases": cases, "latest_ruling": sections.public(latest_ruling)},
        "economic_context": {"indicators": _rendered(state.indicators, sections.plain, as_of)},
        "market_reactions": _rendered(state.market_reactions, sections.plain, as_of),
        "people": _rendered(state.people, sections.person, as_of),
        "statements": _rendered(state.statements, sections.plain, as_of),
        "investigations": _rendered(state.investigations, sections.investigation, as_of),
        "purchases": _rendered(state.purchases, sections.plain, as_of),
        "disputes": disputes(state.developments, as_of),
        "next_round": sections.public(rounds[-1]) if rounds else NOT_SCHEDULED,
        "last_position": state.last_position,
        "problems": state.problems,
        "stale": bool(state.problems),
    }
    finished: JsonDict = _finished(view, confirmer)
    return finished
