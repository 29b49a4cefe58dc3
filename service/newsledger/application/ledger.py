"""The write side and the log: validated appends, reads in pages, and following the log.

It speaks in domain and store types only; the gRPC layer translates to and from protobuf.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from newsledger.application.subscriptions import CaughtUp, Checkpoint, LogNotifier, follow
from newsledger.application.validation import check_append
from newsledger.domain.events import StoredEvent
from newsledger.store.event_rows import EventRow
from newsledger.store.event_store import EventStore
from newsledger.store.records import ANY, AppendResult, ExpectedVersion, ProposedEvent


class Ledger:
    """Appends and reads of the log, independent of the transport."""

    def __init__(self, store: EventStore, notifier: LogNotifier) -> None:
        self.store = store
        self.notifier = notifier

    def append(
        self,
        stream: str,
        proposed: Sequence[ProposedEvent],
        expected: ExpectedVersion = ANY,
    ) -> AppendResult:
        """Validate every event (see application.validation), then append them atomically."""
        check_append(self.store, stream, proposed)
        return self.store.append(stream, proposed, expected)

    def read_stream(self, stream: str, **options: Any) -> list[EventRow]:
        """Return a page of one stream as rows (see EventStore.read_stream_rows)."""
        return self.store.read_stream_rows(stream, **options)

    def read_log(self, **options: Any) -> list[EventRow]:
        """Return a page of the whole log as rows (see EventStore.read_all_rows)."""
        return self.store.read_all_rows(**options)

    def follow(self, **options: Any) -> Iterator[StoredEvent | Checkpoint | CaughtUp]:
        """Yield events from a position, then live (see subscriptions.follow)."""
        return follow(self.store, self.notifier, **options)
