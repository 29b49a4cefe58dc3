"""The negotiation fold: one stream per negotiation, events applied in stream order."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from newsledger.domain import measures, positions, talks
from newsledger.domain.events import RecordedEvent
from newsledger.domain.references import Development, UnappliedEvent
from newsledger.domain.state import NegotiationState
from newsledger.domain.upcasting import UnsupportedSchemaVersion, upcast
from newsledger.domain.view import render_view

NEGOTIATION_STREAM_PREFIX = "negotiation-"
"""Every negotiation's stream is this prefix followed by the negotiation id."""

NEGOTIATION_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
"""A negotiation id: a lowercase slug of at most 63 characters."""

NEGOTIATION_OPENED = "NegotiationOpened"

Applier = Callable[[NegotiationState, Development], None]

_APPLIERS: dict[str, Applier] = {
    "TalksHeld": talks.apply_talks_held,
    "OutcomeReached": talks.apply_outcome_reached,
    "TruceAgreed": talks.apply_truce_agreed,
    "DeadlineSet": talks.apply_deadline_set,
    "NextRoundStatusChanged": talks.apply_next_round_status_changed,
    "TariffMeasureChanged": measures.apply_tariff_measure_changed,
    "ExportControlChanged": measures.apply_export_control_changed,
    "LicenceDecisionReported": measures.apply_licence_decision_reported,
    "CourtRulingIssued": measures.apply_court_ruling_issued,
    "EconomicIndicatorReleased": measures.apply_economic_indicator_released,
    "MarketMoved": measures.apply_market_moved,
    "PersonRoleAssigned": positions.apply_person_role_assigned,
    "StatementMade": positions.apply_statement_made,
    "IssuePositionStated": positions.apply_issue_position_stated,
    "CommitmentMade": positions.apply_commitment_made,
}

NEGOTIATION_EVENT_TYPES: frozenset[str] = frozenset({NEGOTIATION_OPENED, *_APPLIERS})
"""The event type names the fold understands."""


class InvalidNegotiationId(ValueError):
    """A negotiation id is not a lowercase slug."""


def stream_for(negotiation_id: str) -> str:
    """Return the stream name of a negotiation; raises InvalidNegotiationId for a bad id."""
    if not NEGOTIATION_ID_PATTERN.fullmatch(negotiation_id):
        raise InvalidNegotiationId(f"negotiation id {negotiation_id!r} is not a lowercase slug")
    return NEGOTIATION_STREAM_PREFIX + negotiation_id


def negotiation_id_from_stream(stream: str) -> str | None:
    """Return the negotiation id of a negotiation stream, or None for any other stream."""
    if not stream.startswith(NEGOTIATION_STREAM_PREFIX):
        return None
    negotiation_id = stream.removeprefix(NEGOTIATION_STREAM_PREFIX)
    return negotiation_id if NEGOTIATION_ID_PATTERN.fullmatch(negotiation_id) else None


def development_id_of(event: RecordedEvent) -> str:
    """Return the event's development id from its metadata, or its event id when none."""
    development_id = event.metadata.get("development_id")
    return development_id if isinstance(development_id, str) else str(event.event_id)


def _opened(development: Development) -> NegotiationState:
    """Return a new state from a NegotiationOpened payload."""
    state = NegotiationState(
        negotiation_id=str(development.get("negotiation_id")),
        title=str(development.get("title")),
        parties=[dict(party) for party in development.get("parties", [])],
    )
    talks.set_phase(state, "NEGOTIATION_PHASE_OPENED", development)
    return state


def _apply_in_place(state: NegotiationState | None, event: RecordedEvent) -> NegotiationState:
    """Apply one event to `state` (mutating it), recording a problem when it cannot."""
    opening = event.event_type == NEGOTIATION_OPENED
    working = state or NegotiationState(negotiation_id_from_stream(event.stream) or "")
    try:
        development = Development(
            development_id_of(event), upcast(event.event_type, event.schema_version, event.payload)
        )
        if opening and state is not None:
            raise UnappliedEvent(f"negotiation {state.negotiation_id} is already opened")
        if opening:
            working = _opened(development)
        elif state is None:
            raise UnappliedEvent(f"the first event is {event.event_type}, not {NEGOTIATION_OPENED}")
        if event.stream != NEGOTIATION_STREAM_PREFIX + working.negotiation_id:
            raise UnappliedEvent(f"the event is in stream {event.stream}, not this negotiation's")
        applier = _APPLIERS.get(event.event_type)
        if applier is not None:
            applier(working, development)
        elif not opening:
            raise UnappliedEvent(f"unknown event type {event.event_type}")
    except (UnappliedEvent, UnsupportedSchemaVersion) as error:
        _record_problem(working, event, str(error))
    except (KeyError, TypeError, ValueError) as error:
        _record_problem(working, event, f"malformed payload: {error!r}")
    working.last_position = {
        "event_id": str(event.event_id),
        "stream_version": str(event.stream_version),
        "position": str(event.position),
    }
    return working


def _record_problem(state: NegotiationState, event: RecordedEvent, description: str) -> None:
    """Append a problem naming the event the fold could not apply."""
    state.problems.append(
        {
            "event_id": str(event.event_id),
            "development_id": development_id_of(event),
            "event_type": event.event_type,
            "position": str(event.position),
            "description": description,
        }
    )


def apply_event(state: NegotiationState | None, event: RecordedEvent) -> NegotiationState:
    """Return a new state with the event applied; `state` itself is left unchanged."""
    copied = NegotiationState.from_json(state.to_json()) if state is not None else None
    return _apply_in_place(copied, event)


def fold(events: Iterable[RecordedEvent]) -> NegotiationState | None:
    """Fold a negotiation's events in stream order; None when there are none."""
    state: NegotiationState | None = None
    for event in events:
        state = _apply_in_place(state, event)
    return state


__all__ = [
    "NEGOTIATION_EVENT_TYPES",
    "NEGOTIATION_STREAM_PREFIX",
    "InvalidNegotiationId",
    "NegotiationState",
    "apply_event",
    "fold",
    "negotiation_id_from_stream",
    "render_view",
    "stream_for",
]
