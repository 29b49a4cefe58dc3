"""The typed client of the newsledger gRPC API: `connect()` and `LedgerClient`.

docs/python-client.md shows it at work.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from newsledger.client.connection import ClientSecurity, open_channel
from newsledger.client.retries import retry_options
from newsledger.client.subscription import Subscription
from newsledger.client.values import (
    EventLike,
    Instant,
    as_dict,
    date_text,
    proposed_event,
    timestamp,
)
from newsledger.config import DEFAULT_ADDRESS
from newsledger.v1 import (
    audit_pb2,
    audit_pb2_grpc,
    event_store_pb2_grpc,
    negotiation_view_pb2,
    negotiations_pb2,
    negotiations_pb2_grpc,
)
from newsledger.v1 import event_store_pb2 as es


@dataclass(frozen=True, slots=True)
class ApiError(Exception):
    """A failed call, with the status code, the ErrorInfo reason and the field violations."""

    code: grpc.StatusCode
    message: str
    reason: str
    metadata: dict[str, str]
    violations: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        """The status and message, then each violation the message does not already say."""
        lines = [f"{self.code.name}: {self.message}"]
        said = [f"{field}: {description}" for field, description in self.violations]
        lines += [f"  {line}" for line in said if line not in self.message]
        return "\n".join(lines)

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> ApiError:
        """Decode the rich status of a failed call."""
        reason, metadata, violations = "", {}, []
        status = rpc_status.from_call(error)
        for detail in status.details if status else ():
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason, metadata = info.reason, dict(info.metadata)
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                violations += [(v.field, v.description) for v in bad.field_violations]
        return cls(
            code=error.code(),
            message=error.details() or "",
            reason=reason,
            metadata=metadata,
            violations=tuple(violations),
        )


def proposed(
    event_id: str,
    event_type: str,
    payload: Any,
    metadata: Any = None,
    schema_version: int = 1,
) -> es.ProposedEvent:
    """Build a ProposedEvent message from Python values."""
    return es.ProposedEvent(
        event_id=event_id,
        event_type=event_type,
        schema_version=schema_version,
        payload_json=json.dumps(payload, ensure_ascii=False),
        metadata_json=json.dumps(metadata or {}, ensure_ascii=False),
    )


class LedgerClient:
    """Calls the newsledger services on one channel; failures raise ApiError."""

    def __init__(
        self,
        target: str,
        timeout_seconds: float = 30.0,
        security: ClientSecurity | None = None,
        retry_attempts: int = 1,
    ) -> None:
        self.channel = open_channel(target, security, retry_options(retry_attempts))
        self.events = event_store_pb2_grpc.EventStoreServiceStub(self.channel)
        self.negotiations = negotiations_pb2_grpc.NegotiationServiceStub(self.channel)
        self.audit = audit_pb2_grpc.AuditServiceStub(self.channel)
        self.timeout = timeout_seconds

    def close(self) -> None:
        """Close the channel."""
        self.channel.close()

    def __enter__(self) -> LedgerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: Any, request: Any) -> Any:
        try:
            return method(request, timeout=self.timeout)
        except grpc.RpcError as error:
            raise ApiError.from_rpc_error(error) from None

    def append(
        self,
        stream: str,
        events: Sequence[EventLike],
        expected: es.ExpectedVersion | None = None,
    ) -> es.AppendEventsResponse:
        """Append events (ProposedEvent messages or dicts) to stream, all or none."""
        request = es.AppendEventsRequest(
            stream=stream, events=[proposed_event(e) for e in events], expected_version=expected
        )
        response: es.AppendEventsResponse = self._call(self.events.AppendEvents, request)
        return response

    def read_log(self, **fields: Any) -> es.ReadLogResponse:
        """Read one page of the log."""
        response: es.ReadLogResponse = self._call(self.events.ReadLog, es.ReadLogRequest(**fields))
        return response

    def read_stream(self, stream: str, **fields: Any) -> es.ReadStreamResponse:
        """Read one page of a stream."""
        request = es.ReadStreamRequest(stream=stream, **fields)
        response: es.ReadStreamResponse = self._call(self.events.ReadStream, request)
        return response

    def iter_log(self, page_size: int = 1000, **fields: Any) -> Iterator[es.RecordedEvent]:
        """Yield every event of the log, page after page."""
        token = ""
        while True:
            page = self.read_log(page_size=page_size, page_token=token, **fields)
            yield from page.events
            token = page.next_page_token
            if not token:
                return

    def subscribe(self, **fields: Any) -> Iterator[es.SubscribeResponse]:
        """Subscribe; iterate the returned stream, cancel it to stop."""
        return self.events.Subscribe(es.SubscribeRequest(**fields))  # type: ignore[no-any-return]

    def follow(
        self,
        stream: str = "",
        event_types: Sequence[str] = (),
        after_position: int | None = None,
        reconnect: bool = True,
    ) -> Subscription:
        """Return a subscription that resumes from its last position and reconnects."""
        return Subscription(
            self.events.Subscribe, stream, event_types, after_position, reconnect=reconnect
        )

    def view(
        self,
        negotiation_id: str,
        as_of: date | str | None = None,
        known_at: Instant | None = None,
        reported_by: Instant | None = None,
    ) -> dict[str, Any]:
        """Return a negotiation's view as a plain dict (proto field names)."""
        return as_dict(self.negotiation(negotiation_id, as_of, known_at, reported_by).view)

    def negotiation(
        self,
        negotiation_id: str,
        as_of: date | str | None = "",
        known_at: Instant | None = None,
        reported_by: Instant | None = None,
    ) -> negotiations_pb2.GetNegotiationResponse:
        """Return a negotiation's view as of a date, as known at an instant (now if None),
        holding only what was reported by `reported_by` (everything if None)."""
        request = negotiations_pb2.GetNegotiationRequest(
            negotiation_id=negotiation_id,
            as_of=date_text(as_of),
            known_at=timestamp(known_at),
            reported_by=timestamp(reported_by),
        )
        response: negotiations_pb2.GetNegotiationResponse = self._call(
            self.negotiations.GetNegotiation, request
        )
        return response

    def explain(
        self,
        negotiation_id: str,
        field_path: str,
        as_of: date | str | None = "",
        known_at: Instant | None = None,
        reported_by: Instant | None = None,
    ) -> negotiations_pb2.ExplainNegotiationFieldResponse:
        """Return the developments and sources behind one field of a negotiation's view."""
        request = negotiations_pb2.ExplainNegotiationFieldRequest(
            negotiation_id=negotiation_id,
            field_path=field_path,
            as_of=date_text(as_of),
            known_at=timestamp(known_at),
            reported_by=timestamp(reported_by),
        )
        response: negotiations_pb2.ExplainNegotiationFieldResponse = self._call(
            self.negotiations.ExplainNegotiationField, request
        )
        return response

    def timeline(
        self, negotiation_id: str, page_size: int = 100, **filters: Any
    ) -> Iterator[negotiations_pb2.TimelineEntry]:
        """Yield a negotiation's timeline entries, filtered, following the pages."""
        for name in ("known_at", "reported_by"):
            if name in filters:
                filters[name] = timestamp(filters[name])
        for name in ("occurred_after", "occurred_before"):
            if name in filters:
                filters[name] = date_text(filters[name])
        token = ""
        while True:
            request = negotiations_pb2.ListTimelineEntriesRequest(
                negotiation_id=negotiation_id, page_size=page_size, page_token=token, **filters
            )
            page = self._call(self.negotiations.ListTimelineEntries, request)
            yield from page.entries
            token = page.next_page_token
            if not token:
                return

    def statements(
        self, negotiation_id: str, page_size: int = 100, **filters: Any
    ) -> Iterator[negotiation_view_pb2.StatementView]:
        """Yield a negotiation's statements, newest first, following the pages.

        Filters: `as_of` (a date or YYYY-MM-DD), `known_at` and `reported_by` (instants, as
        for `view`), `speaker_id`.
        """
        for name in ("known_at", "reported_by"):
            if name in filters:
                filters[name] = timestamp(filters[name])
        if "as_of" in filters:
            filters["as_of"] = date_text(filters["as_of"])
        token = ""
        while True:
            request = negotiations_pb2.ListStatementsRequest(
                negotiation_id=negotiation_id, page_size=page_size, page_token=token, **filters
            )
            page = self._call(self.negotiations.ListStatements, request)
            yield from page.statements
            token = page.next_page_token
            if not token:
                return

    def timeline_dicts(self, negotiation_id: str, **filters: Any) -> Iterator[dict[str, Any]]:
        """Yield a negotiation's timeline entries as plain dicts (see timeline)."""
        for entry in self.timeline(negotiation_id, **filters):
            yield as_dict(entry)

    def watch(
        self,
        negotiation_id: str,
        as_of: date | str | None = "",
        reported_by: Instant | None = None,
    ) -> Iterator[negotiations_pb2.WatchNegotiationResponse]:
        """Watch a negotiation; iterate the returned stream, cancel it to stop."""
        request = negotiations_pb2.WatchNegotiationRequest(
            negotiation_id=negotiation_id,
            as_of=date_text(as_of),
            reported_by=timestamp(reported_by),
        )
        return self.negotiations.WatchNegotiation(request)  # type: ignore[no-any-return]

    def changes(
        self,
        negotiation_id: str,
        as_of: date | str | None = "",
        reported_by: Instant | None = None,
    ) -> Iterator[negotiations_pb2.WatchNegotiationResponse]:
        """Yield the view, then each change, until the server ends it; failures raise ApiError."""
        call = self.watch(negotiation_id, as_of, reported_by)
        try:
            yield from call
        except grpc.RpcError as error:
            raise ApiError.from_rpc_error(error) from None
        finally:
            call.cancel()  # type: ignore[attr-defined]

    def checkpoint(self) -> audit_pb2.GetCheckpointResponse:
        """Return the audit log's latest signed checkpoint, its origin and verifier key."""
        response: audit_pb2.GetCheckpointResponse = self._call(
            self.audit.GetCheckpoint, audit_pb2.GetCheckpointRequest()
        )
        return response

    def inclusion_proof(self, position: int, tree_size: int) -> audit_pb2.InclusionProof:
        """Return the proof that the event at position is in the tree of tree_size."""
        request = audit_pb2.GetInclusionProofRequest(position=position, tree_size=tree_size)
        response: audit_pb2.GetInclusionProofResponse = self._call(
            self.audit.GetInclusionProof, request
        )
        return response.proof

    def consistency_proof(
        self, old_size: int, new_size: int
    ) -> audit_pb2.GetConsistencyProofResponse:
        """Return the proof that the tree of old_size is a prefix of the tree of new_size."""
        request = audit_pb2.GetConsistencyProofRequest(old_size=old_size, new_size=new_size)
        response: audit_pb2.GetConsistencyProofResponse = self._call(
            self.audit.GetConsistencyProof, request
        )
        return response

    def entries(self, start: int, end: int) -> Iterator[audit_pb2.LogEntry]:
        """Yield the audit log's entries from start to end (exclusive); failures raise ApiError."""
        call = self.audit.StreamEntries(audit_pb2.StreamEntriesRequest(start=start, end=end))
        try:
            for response in call:
                yield response.entry
        except grpc.RpcError as error:
            raise ApiError.from_rpc_error(error) from None
        finally:
            call.cancel()

    def list_negotiations(
        self,
        party_id: str = "",
        phase: negotiation_view_pb2.NegotiationPhase.ValueType = (
            negotiation_view_pb2.NEGOTIATION_PHASE_UNSPECIFIED
        ),
    ) -> list[negotiations_pb2.NegotiationSummary]:
        """Return every negotiation (with a party, in a phase, if given), following the pages."""
        found: list[negotiations_pb2.NegotiationSummary] = []
        token = ""
        while True:
            request = negotiations_pb2.ListNegotiationsRequest(
                page_size=100, page_token=token, party_id=party_id, phase=phase
            )
            page = self._call(self.negotiations.ListNegotiations, request)
            found += page.negotiations
            token = page.next_page_token
            if not token:
                return found


def connect(
    target: str | None = None,
    *,
    token: str | None = None,
    security: ClientSecurity | None = None,
    timeout_seconds: float = 30.0,
    retry_attempts: int = 5,
) -> LedgerClient:
    """Return a client of the server at target (NEWSLEDGER_SERVER, else 127.0.0.1:50051).

    A token (or NEWSLEDGER_TOKEN) is presented on every call; security gives TLS as well.
    Calls that fail with UNAVAILABLE are retried up to retry_attempts times in all.
    """
    address = target or os.environ.get("NEWSLEDGER_SERVER") or DEFAULT_ADDRESS
    if token is not None:
        security = ClientSecurity(token=token, tls=security.tls if security else None)
    return LedgerClient(address, timeout_seconds, security, retry_attempts=retry_attempts)
