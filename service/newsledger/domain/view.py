"""Rendering the folded state as a NegotiationView JSON object for a query date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from newsledger.domain.dates import countdown
from newsledger.domain.state import JsonDict, NegotiationState

NOT_SCHEDULED: JsonDict = {"status": "NEXT_ROUND_STATUS_NOT_SCHEDULED"}
"""The next round when no development has set one: explicitly not scheduled."""


def _sorted_records(records: Mapping[str, JsonDict]) -> list[JsonDict]:
    """Return records ordered by id, so equal states render identically."""
    return [records[key] for key in sorted(records)]


def _with_countdown(record: Mapping[str, Any], history_key: str, as_of: date) -> JsonDict:
    """Replace a record's deadline entries by its current deadline, history and countdown."""
    rendered = {key: value for key, value in record.items() if key != "deadline_entries"}
    entries = record.get("deadline_entries", [])
    if not entries:
        return rendered
    rendered["deadline"] = entries[-1]["deadline"]
    rendered[history_key] = entries[:-1]
    remaining = countdown(rendered["deadline"], as_of)
    if remaining is not None:
        rendered["days_remaining"] = remaining.days_remaining
        rendered["expired"] = remaining.expired
    return rendered


def _pruned(value: Any) -> Any:
    """Drop empty strings, lists, objects and false, as protobuf JSON omits those defaults."""
    if isinstance(value, Mapping):
        pruned = {key: _pruned(item) for key, item in value.items()}
        return {
            key: item
            for key, item in pruned.items()
            if item is not False and item not in ("", [], {})
        }
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


def render_view(state: NegotiationState, as_of: date) -> JsonDict:
    """Return the NegotiationView JSON object (proto field names) as of a query date.

    Days remaining are computed from `as_of` and the deadline, never taken from quotes.
    """
    truce = state.truces.get(state.current_truce_id)
    latest_case = state.court_cases.get(state.latest_ruling_case_id, {})
    view: JsonDict = {
        "negotiation_id": state.negotiation_id,
        "title": state.title,
        "parties": state.parties,
        "as_of_date": as_of.isoformat(),
        "phase": state.phase,
        "phase_history": state.phase_history,
        "talks": _sorted_records(state.talks),
        "outcomes": _sorted_records(state.outcomes),
        "truce": _with_countdown(truce, "deadline_history", as_of) if truce else {},
        "deadlines": [
            _with_countdown(record, "history", as_of) for record in _sorted_records(state.deadlines)
        ],
        "issues": _sorted_records(state.issues),
        "commitments": _sorted_records(state.commitments),
        "measures": _sorted_records(state.measures),
        "legal_status": {
            "cases": _sorted_records(state.court_cases),
            "latest_ruling": latest_case.get("latest_ruling", {}),
        },
        "economic_context": {"indicators": _sorted_records(state.indicators)},
        "market_reactions": _sorted_records(state.market_reactions),
        "people": _sorted_records(state.people),
        "statements": _sorted_records(state.statements),
        "next_round": state.next_round or NOT_SCHEDULED,
        "last_position": state.last_position,
        "problems": state.problems,
        "stale": bool(state.problems),
    }
    pruned: JsonDict = _pruned(view)
    return pruned
