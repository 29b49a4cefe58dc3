"""The application service: validated appends, reads, views and subscriptions.

It speaks in domain and store types only; the gRPC layer translates to and from protobuf.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from newsledger.audit.log import AuditObserver
from newsledger.config import DEFAULT_LOG_ORIGIN
from newsledger.domain.negotiation import NEGOTIATION_STREAM_PREFIX, negotiation_id_from_stream
from newsledger.domain.view import render_view
from newsledger.projections.negotiation_views import NegotiationProjector, NegotiationViews
from newsledger.schemas import validate_payload
from newsledger.store.event_store import EventStore
from newsledger.store.records import ANY, AppendResult, ExpectedVersion, ProposedEvent, StoredEvent
from newsledger.subscriptions import CaughtUp, Checkpoint, LogNotifier, follow


@dataclass(frozen=True, slots=True)
class Violation:
    """One problem with a request: the field's path and what is wrong with it."""

    field: str
    description: str


class LedgerError(Exception):
    """Base of the errors the application service raises itself."""


class InvalidRequest(LedgerError):
    """The request breaks a rule; every violation names its field."""

    def __init__(self, violations: Sequence[Violation], reason: str = "INVALID_ARGUMENT") -> None:
        self.violations = list(violations)
        self.reason = reason
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in self.violations))


class NegotiationNotFound(LedgerError):
    """No negotiation has the requested id."""

    def __init__(self, negotiation_id: str) -> None:
        self.negotiation_id = negotiation_id
        super().__init__(f"no negotiation has the id {negotiation_id!r}")


@dataclass(frozen=True, slots=True)
class NegotiationSummary:
    """One line of the negotiation listing."""

    negotiation_id: str
    title: str
    parties: tuple[str, ...]
    stream: str
    last_position: int


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
        store.add_observer(NegotiationProjector())
        # The audit log's leaves and subtree hashes commit with every append.
        self.log_origin = log_origin
        store.add_observer(AuditObserver(log_origin))
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
        if violations:
            raise InvalidRequest(violations, reason="INVALID_EVENT")
        return self.store.append(stream, proposed, expected)

    def read_stream(self, stream: str, **options: Any) -> list[StoredEvent]:
        """Return a page of one stream (see EventStore.read_stream)."""
        return self.store.read_stream(stream, **options)

    def read_log(self, **options: Any) -> list[StoredEvent]:
        """Return a page of the whole log (see EventStore.read_all)."""
        return self.store.read_all(**options)

    def follow(self, **options: Any) -> Iterator[StoredEvent | Checkpoint | CaughtUp]:
        """Yield events from a position, then live (see subscriptions.follow)."""
        return follow(self.store, self.notifier, **options)

    def negotiation_view(self, negotiation_id: str, as_of: date) -> dict[str, Any]:
        """Return the negotiation's view as of a date, in the NegotiationView JSON shape."""
        stored = self.views.get(negotiation_id)
        if stored is None:
            raise NegotiationNotFound(negotiation_id)
        return render_view(stored.state, as_of)

    def negotiations(self, after_id: str, limit: int) -> list[NegotiationSummary]:
        """Return up to limit negotiations whose ids sort after after_id."""
        return [
            NegotiationSummary(
                negotiation_id=view.negotiation_id,
                title=view.state.title,
                parties=tuple(str(p.get("name", p.get("party_id"))) for p in view.state.parties),
                stream=view.stream,
                last_position=view.last_position,
            )
            for view in self.views.list_after(after_id, limit)
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
