"""The application service: validated appends, reads, views and subscriptions.

It speaks in domain and store types only; the gRPC layer translates to and from protobuf.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from newsledger.application.errors import (
    InvalidRequest,
    LedgerError,
    NegotiationNotFound,
    Violation,
)
from newsledger.application.queries import NegotiationQueries
from newsledger.application.subscriptions import CaughtUp, Checkpoint, LogNotifier, follow
from newsledger.application.validation.corrections import correction_violations
from newsledger.application.validation.payloads import validate_payload
from newsledger.audit.storage.tree import AuditObserver
from newsledger.config import DEFAULT_LOG_ORIGIN
from newsledger.domain.negotiation import NEGOTIATION_STREAM_PREFIX, negotiation_id_from_stream
from newsledger.projections.negotiation_views import NegotiationProjector, NegotiationViews
from newsledger.store.event_rows import EventRow
from newsledger.store.event_store import EventStore
from newsledger.store.records import ANY, AppendResult, ExpectedVersion, ProposedEvent, StoredEvent


@dataclass(frozen=True, slots=True)
class NegotiationSummary:
    """One line of the negotiation listing."""

    negotiation_id: str
    title: str
    parties: tuple[str, ...]
    stream: str
    last_position: int
    party_ids: tuple[str, ...] = ()
    phase: str = ""


def payload_violations(index: int, event: ProposedEvent) -> list[Violation]:
    """Return the schema violations of one proposed event, with paths into the request."""
    prefix = f"events[{index}]"
    return [
        Violation(
            f"{prefix}.{problem.field}"
            if problem.field in ("event_type", "schema_version")
            else f"{prefix}.payload_json.{problem.field}".rstrip("."),
            problem.description,
        )
        for problem in validate_payload(event.event_type, event.schema_version, event.payload)
    ]


class Ledger:
    """What clients can do with newsledger, independent of the transport."""

    def __init__(
        self,
        store: EventStore,
        notifier: LogNotifier | None = None,
        log_origin: str = DEFAULT_LOG_ORIGIN,
    ) -> None:
        self.store = store
        self.views = NegotiationViews(store.engine)
        self.notifier = notifier or LogNotifier()
        self.queries = NegotiationQueries(store, self.notifier)
        store.add_observer(NegotiationProjector())
        # The audit log's leaves and subtree hashes commit with every append.
        self.log_origin = log_origin
        audit = AuditObserver(log_origin)
        store.add_observer(audit)
        store.add_commit_listener(audit.committed)
        store.add_commit_listener(self.notifier.publish)

    def append(
        self,
        stream: str,
        proposed: Sequence[ProposedEvent],
        expected: ExpectedVersion = ANY,
    ) -> AppendResult:
        """Validate every event against its type's schema, then append them atomically."""
        violations = _stream_violations(stream)
        for index, event in enumerate(proposed):
            violations += payload_violations(index, event)
        if not violations:
            violations = correction_violations(self.store, stream, proposed)
        if violations:
            raise InvalidRequest(violations, reason="INVALID_EVENT")
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

    def negotiation_view(
        self, negotiation_id: str, as_of: date, known_at: datetime | None = None
    ) -> dict[str, Any]:
        """Return the negotiation's view as of a date, as known at an instant (now if None)."""
        return self.queries.view(negotiation_id, as_of, known_at)

    def negotiations(
        self, after_id: str, limit: int, party_id: str = "", phase: str = ""
    ) -> list[NegotiationSummary]:
        """Return up to limit negotiations whose ids sort after after_id, filtered."""
        return [
            NegotiationSummary(
                negotiation_id=summary.negotiation_id,
                title=summary.title,
                parties=summary.party_names,
                stream=summary.stream,
                last_position=summary.last_position,
                party_ids=summary.party_ids,
                phase=summary.phase,
            )
            for summary in self.queries.summaries(after_id, limit, party_id, phase)
        ]


def _stream_violations(stream: str) -> list[Violation]:
    if stream.startswith(NEGOTIATION_STREAM_PREFIX) and negotiation_id_from_stream(stream) is None:
        return [
            Violation(
                "stream",
                f"{stream!r} is not {NEGOTIATION_STREAM_PREFIX}<id> with an id of lowercase "
                "letters, digits and hyphens (at most 63)",
            )
        ]
    return []


__all__ = [
    "InvalidRequest",
    "Ledger",
    "LedgerError",
    "NegotiationNotFound",
    "NegotiationSummary",
    "Violation",
]
