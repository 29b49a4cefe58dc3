"""The negotiation fold: one stream per negotiation, events applied in stream order."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsledger.domain.appliers import APPLIERS, NEGOTIATION_OPENED, derive
from newsledger.domain.corrections import EDITORS
from newsledger.domain.events import RecordedEvent
from newsledger.domain.references import UnappliedEvent
from newsledger.domain.registry import development_of, new_entry
from newsledger.domain.state import NegotiationState
from newsledger.domain.talks import settle_phase
from newsledger.domain.upcasting import UnsupportedSchemaVersion, upcast
from newsledger.domain.view import render_view

NEGOTIATION_STREAM_PREFIX = "negotiation-"
"""Every negotiation's stream is this prefix followed by the negotiation id."""

NEGOTIATION_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
"""A negotiation id: a lowercase slug of at most 63 characters."""

FOLD_VERSION = 4
"""The shape and rules of the folded state; stored snapshots of another version are ignored."""

NEGOTIATION_EVENT_TYPES: frozenset[str] = frozenset({*APPLIERS, *EDITORS})
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


def _check_place(state: NegotiationState | None, event: RecordedEvent) -> None:
    """Raise UnappliedEvent unless the event may come at this point of this stream."""
    opening = event.event_type == NEGOTIATION_OPENED
    if opening and state is not None:
        raise UnappliedEvent(f"negotiation {state.negotiation_id} is already opened")
    if not opening and state is None:
        raise UnappliedEvent(f"the first event is {event.event_type}, not {NEGOTIATION_OPENED}")
    if event.event_type not in NEGOTIATION_EVENT_TYPES:
        raise UnappliedEvent(f"unknown event type {event.event_type}")


def _apply_in_place(state: NegotiationState | None, event: RecordedEvent) -> NegotiationState:
    """Apply one event to `state`, recording a problem when it cannot; return the new state.

    A development is applied to the records directly. A correction edits the registry, and
    the records are derived again from it. An event that fails leaves the state as it was:
    a refused one never changed it, and a malformed one is undone by `_as_before`.
    """
    working = state or NegotiationState(negotiation_id_from_stream(event.stream) or "")
    try:
        _check_place(state, event)
        payload = upcast(event.event_type, event.schema_version, event.payload)
        if event.event_type == NEGOTIATION_OPENED:
            working = NegotiationState(negotiation_id=str(payload.get("negotiation_id")))
        if event.stream != NEGOTIATION_STREAM_PREFIX + working.negotiation_id:
            raise UnappliedEvent(f"the event is in stream {event.stream}, not this negotiation's")
        entry = new_entry(event, development_id_of(event), payload)
        editor = EDITORS.get(event.event_type)
        if editor is None:
            APPLIERS[event.event_type](working, development_of(entry))
        else:
            working = derive(working, editor(working, development_of(entry)))
            settle_phase(working)
        working.developments.append(entry)
    except (UnappliedEvent, UnsupportedSchemaVersion) as error:
        working = _as_refused(state, event)
        _record_problem(working, event, str(error))
    except (KeyError, TypeError, ValueError) as error:
        working = _as_before(state, event)
        _record_problem(working, event, f"malformed payload: {error!r}")
    working.last_position = {
        "event_id": str(event.event_id),
        "stream_version": str(event.stream_version),
        "position": str(event.position),
    }
    return working


def _as_refused(state: NegotiationState | None, event: RecordedEvent) -> NegotiationState:
    """Return the state as it was before a refused event, which changed nothing.

    Upcasting, the place and stream checks, and every applier and editor refuse an event
    (UnappliedEvent, UnsupportedSchemaVersion) before changing the state: appliers check first,
    and editors and `derive` work on copies. So there is nothing to undo.
    """
    if state is None:
        return NegotiationState(negotiation_id_from_stream(event.stream) or "")
    return state


def _as_before(state: NegotiationState | None, event: RecordedEvent) -> NegotiationState:
    """Return the state as it was before a malformed event, undoing any partial change.

    A malformed payload can break an applier part-way, after it changed records. Records are
    a function of the registry, which a failed event never reaches, so deriving them again
    restores them exactly.
    """
    if state is None:
        return _as_refused(state, event)
    return derive(state, state.developments)


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
    return _apply_in_place(None if state is None else state.copy(), event)


def fold(
    events: Iterable[RecordedEvent], state: NegotiationState | None = None
) -> NegotiationState | None:
    """Fold a negotiation's events in stream order onto `state` (left unchanged); None if empty."""
    return fold_in_place(events, None if state is None else state.copy())


def fold_in_place(
    events: Iterable[RecordedEvent], state: NegotiationState | None
) -> NegotiationState | None:
    """Fold events onto a state the caller owns and gives up (it may be changed); None if empty.

    For states decoded just for this fold (a snapshot, a stored view), where `fold`'s
    defensive copy would only cost time.
    """
    for event in events:
        state = _apply_in_place(state, event)
    return state


__all__ = [
    "APPLIERS",
    "NEGOTIATION_EVENT_TYPES",
    "NEGOTIATION_STREAM_PREFIX",
    "InvalidNegotiationId",
    "NegotiationState",
    "apply_event",
    "derive",
    "fold",
    "fold_in_place",
    "negotiation_id_from_stream",
    "render_view",
    "stream_for",
]
