"""Replaying a negotiation for an audit: the view after each event, for a record-time cut."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from newsledger.audit.view_changes import ViewChange, view_changes
from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import fold_in_place, negotiation_id_from_stream, render_view
from newsledger.domain.state import NegotiationState


@dataclass(frozen=True, slots=True)
class ReplayStep:
    """One event of a negotiation, the view right after it, and what the event changed in it."""

    event: RecordedEvent
    view: dict[str, Any]
    changes: tuple[ViewChange, ...] = ()


def known_at_cut(
    events: Iterable[RecordedEvent], known_at: datetime | None
) -> Iterator[RecordedEvent]:
    """Yield the events recorded at or before ``known_at`` (all of them when it is None)."""
    for event in events:
        if known_at is not None and event.record_time > known_at:
            return  # record times never decrease along the log, so nothing later qualifies
        yield event


def replay_views(events: Iterable[RecordedEvent], as_of: date) -> Iterator[ReplayStep]:
    """Fold a negotiation's events in order, yielding the rendered view after each one.

    The state is folded in place, never copied: each step costs the event and one rendering,
    so a replay is linear in the stream for views of bounded size. Each step also carries
    the changes from the view before it (all of the first view's members for the first).
    """
    state: NegotiationState | None = None
    previous: dict[str, Any] = {}
    for event in events:
        state = fold_in_place((event,), state)
        assert state is not None  # one event folded onto any state gives a state
        view = render_view(state, as_of)
        yield ReplayStep(event, view, tuple(view_changes(previous, view)))
        previous = view


class ViewReplayer:
    """Folds the events of every negotiation of a log as they stream past, one state each."""

    def __init__(self) -> None:
        """Start with no negotiation seen."""
        self.states: dict[str, NegotiationState] = {}

    def add(self, event: RecordedEvent) -> None:
        """Fold ``event`` into its negotiation's state; events of other streams are ignored."""
        negotiation_id = negotiation_id_from_stream(event.stream)
        if negotiation_id is None:
            return
        # In place: copying a negotiation's whole state for each event made audits quadratic.
        state = fold_in_place((event,), self.states.get(negotiation_id))
        assert state is not None  # one event folded onto any state gives a state
        self.states[negotiation_id] = state

    def view(self, negotiation_id: str, as_of: date) -> dict[str, Any] | None:
        """Return the replayed view of a negotiation as of a date, or None if it had no events."""
        state = self.states.get(negotiation_id)
        return None if state is None else render_view(state, as_of)
