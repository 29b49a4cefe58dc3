"""States at past stream versions, kept in the process so a later cut folds only the gap.

A `known_at` view is the state right after the cut: the latest snapshot at or before it plus
up to a snapshot step of events. The state right after a version is a function of the
committed events up to it, which never change, so a state computed for one cut answers any
later cut of the same stream by folding only the events between the two. Views asked at
advancing instants (a reader stepping through a negotiation's history) each fold a few
events instead of decoding a snapshot and folding its tail.

A kept state is owned by one reader at a time: `take` removes it, the reader folds onto it
and renders it, and `give_back` keeps it again at its new version. The cache is bounded by
states, least recently used out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from newsledger.domain.state import NegotiationState

DEFAULT_MAX_STATES = 4


@dataclass(slots=True)
class PastState:
    """A negotiation's state right after one stream version, and that event's position."""

    stream_version: int
    last_position: int
    state: NegotiationState


class PastStates:
    """Past states by (negotiation id, stream version), bounded, least recently used out."""

    def __init__(self, max_states: int = DEFAULT_MAX_STATES) -> None:
        self.max_states = max_states
        self._states: OrderedDict[tuple[str, int], PastState] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, negotiation_id: str, at_most: int, at_least: int) -> PastState | None:
        """Remove and return the negotiation's latest kept state within the versions given."""
        with self._lock:
            found = [
                version
                for kept_id, version in self._states
                if kept_id == negotiation_id and at_least <= version <= at_most
            ]
            if not found:
                return None
            return self._states.pop((negotiation_id, max(found)))

    def give_back(self, negotiation_id: str, past: PastState) -> None:
        """Keep a state the caller no longer uses, dropping the least recently used."""
        if self.max_states < 1:
            return
        with self._lock:
            self._states[(negotiation_id, past.stream_version)] = past
            self._states.move_to_end((negotiation_id, past.stream_version))
            while len(self._states) > self.max_states:
                self._states.popitem(last=False)

    def __len__(self) -> int:
        """Return how many states are kept."""
        return len(self._states)
