"""Serialized views kept in the process: a view at a point never changes, so it is built once.

A point is a negotiation, the stream version its state was folded up to, and the as-of date.
An append moves the negotiation's version on, so a view asked for after it is looked up at a
new point: a view kept from before is never served for it. The cache is bounded by entries
and by bytes, and drops the least recently used views first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from newsledger.application.queries import ViewPoint

DEFAULT_MAX_ENTRIES = 1024
DEFAULT_MAX_BYTES = 32 * 1024 * 1024


class ViewCache:
    """Serialized NegotiationView messages by view point, bounded, least recently used out."""

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._views: OrderedDict[ViewPoint, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, point: ViewPoint) -> bytes | None:
        """Return the view kept for a point, or None; a view found becomes the most recent."""
        with self._lock:
            data = self._views.get(point)
            if data is not None:
                self._views.move_to_end(point)
            return data

    def put(self, point: ViewPoint, data: bytes) -> None:
        """Keep a point's view, dropping the least recently used past either bound."""
        if len(data) > self.max_bytes or self.max_entries < 1:
            return
        with self._lock:
            previous = self._views.pop(point, None)
            if previous is not None:
                self._bytes -= len(previous)
            self._views[point] = data
            self._bytes += len(data)
            while len(self._views) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._views.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        """Return how many views are kept."""
        return len(self._views)

    @property
    def size_bytes(self) -> int:
        """Return the bytes of the views kept."""
        return self._bytes
