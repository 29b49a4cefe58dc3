"""The write side and the log: validated appends, reads in pages, and following the log.

It speaks in domain and store types only; the gRPC layer translates to and from protobuf.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from newsledger.application.errors import UnknownReferences, Violation
from newsledger.application.subscriptions import CaughtUp, Checkpoint, LogNotifier, follow
from newsledger.application.validation import check_append
from newsledger.domain.events import StoredEvent
from newsledger.domain.integrity import ReferencesRefused
from newsledger.store.event_store import EventStore
from newsledger.store.page_reads import ItemRow
from newsledger.store.records import ANY, AppendResult, ExpectedVersion, ProposedEvent


def unknown_references(
    proposed: Sequence[ProposedEvent], refused: ReferencesRefused
) -> UnknownReferences:
    """Return the error naming, by their paths in the request, the references refused."""
    index_of = {str(event.event_id): index for index, event in enumerate(proposed)}
    violations = [
        Violation(f"events[{index_of[r.event_id]}].payload_json.{path}", r.description)
        for r in refused.refused
        for path in r.paths
    ]
    first = refused.refused[0]
    metadata = {
        "event_id": first.event_id,
        "event_index": str(index_of[first.event_id]),
        "development_id": first.development_id,
        "field": first.paths[0],
        "missing_ids": ",".join(first.missing),
        "refused_events": str(len(refused.refused)),
    }
    return UnknownReferences(violations, metadata)


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
        """Validate every event (see application.validation), then append them atomically.

        Raises UnknownReferences, and writes nothing, when the fold of the append (in its
        transaction) finds a development referring to ids its negotiation does not have.
        """
        check_append(self.store, stream, proposed)
        try:
            return self.store.append(stream, proposed, expected)
        except ReferencesRefused as refused:
            raise unknown_references(proposed, refused) from None

    def read_stream(self, stream: str, **options: Any) -> list[ItemRow]:
        """Return a page of one stream in wire form (see EventStore.read_stream_items)."""
        return self.store.read_stream_items(stream, **options)

    def read_log(self, **options: Any) -> list[ItemRow]:
        """Return a page of the whole log in wire form (see EventStore.read_all_items)."""
        return self.store.read_all_items(**options)

    def follow(self, **options: Any) -> Iterator[StoredEvent | Checkpoint | CaughtUp]:
        """Yield events from a position, then live (see subscriptions.follow)."""
        return follow(self.store, self.notifier, **options)
