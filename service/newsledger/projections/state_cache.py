"""Decoded negotiation states kept in the process, keyed by the stream version folded to.

An append folds its events onto the kept state instead of decoding and re-encoding the whole
state, so its cost does not grow with the negotiation. A kept state is trusted only at the
version it was folded to, and only once the append that folded it has committed: the
projector marks it pending while its transaction runs, and the store's commit listener
confirms it. A rollback leaves it pending, so it is dropped and loaded again on next use.

Each entry has a lock: an append folds in place under it and a reader renders under it, so
a reader never sees a state changing under it. The cache is bounded by entries, least
recently used out; a dropped state is loaded again from the stored state and the events
after it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsledger.domain.confirmation import RegistryIndex
from newsledger.domain.events import StoredEvent
from newsledger.domain.negotiation import negotiation_id_from_stream
from newsledger.domain.state import NegotiationState
from newsledger.domain.view_reuse import FinishedItems

DEFAULT_MAX_STATES = 64


@dataclass(slots=True)
class KeptState:
    """One negotiation's decoded state, the version it is folded to, and its lock.

    `index` is the state's registry index, kept up to date by the renders (under the lock);
    `finished`, the list items of its latest current view, checked before each reuse.

    `version` is None while an append that changed the state has not committed.
    """

    state: NegotiationState
    version: int | None
    pending: int | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    index: RegistryIndex = field(default_factory=RegistryIndex)
    finished: FinishedItems = field(default_factory=FinishedItems)


class StateCache:
    """Decoded states by negotiation id, bounded, least recently used out."""

    def __init__(self, max_states: int = DEFAULT_MAX_STATES) -> None:
        self.max_states = max_states
        self._states: OrderedDict[str, KeptState] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, negotiation_id: str) -> KeptState | None:
        """Return the kept state of a negotiation (any version), or None."""
        with self._lock:
            kept = self._states.get(negotiation_id)
            if kept is not None:
                self._states.move_to_end(negotiation_id)
            return kept

    def put(self, negotiation_id: str, kept: KeptState) -> None:
        """Keep a state, dropping the least recently used past the bound."""
        if self.max_states < 1:
            return
        with self._lock:
            self._states[negotiation_id] = kept
            self._states.move_to_end(negotiation_id)
            while len(self._states) > self.max_states:
                self._states.popitem(last=False)

    def drop(self, negotiation_id: str) -> None:
        """Forget a negotiation's state (e.g. after a rebuild replaced it)."""
        with self._lock:
            self._states.pop(negotiation_id, None)

    def committed(self, events: Sequence[StoredEvent]) -> None:
        """Confirm the states folded by an append that has now committed."""
        for event in events:
            negotiation_id = negotiation_id_from_stream(event.stream)
            kept = None if negotiation_id is None else self.get(negotiation_id)
            if kept is not None and kept.pending == event.stream_version:
                with kept.lock:
                    kept.version, kept.pending = kept.pending, None

    def __len__(self) -> int:
        """Return how many states are kept."""
        return len(self._states)
