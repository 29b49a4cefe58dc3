"""A small typed client of the newsledger gRPC API, used by the CLI and the tests."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from newsledger.client.connection import ClientSecurity, open_channel
from newsledger.v1 import event_store_pb2 as es
from newsledger.v1 import (
    event_store_pb2_grpc,
    negotiation_view_pb2,
    negotiations_pb2,
    negotiations_pb2_grpc,
)


@dataclass(frozen=True, slots=True)
class ApiError(Exception):
    """A failed call, with the status code, the ErrorInfo reason and the field violations."""

    code: grpc.StatusCode
    message: str
    reason: str
    metadata: dict[str, str]
    violations: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        lines = [f"{self.code.name}: {self.message}"]
        lines += [f"  {field}: {description}" for field, description in self.violations]
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
        self, target: str, timeout_seconds: float = 30.0, security: ClientSecurity | None = None
    ) -> None:
        self.channel = open_channel(target, security)
        self.events = event_store_pb2_grpc.EventStoreServiceStub(self.channel)
        self.negotiations = negotiations_pb2_grpc.NegotiationServiceStub(self.channel)
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
        events: Sequence[es.ProposedEvent],
        expected: es.ExpectedVersion | None = None,
    ) -> es.AppendEventsResponse:
        """Append events to stream."""
        request = es.AppendEventsRequest(stream=stream, events=events, expected_version=expected)
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

    def negotiation(
        self, negotiation_id: str, as_of: str = "", known_at: Timestamp | None = None
    ) -> negotiations_pb2.GetNegotiationResponse:
        """Return a negotiation's view as of a date, as known at an instant (now if None)."""
        request = negotiations_pb2.GetNegotiationRequest(
            negotiation_id=negotiation_id, as_of=as_of, known_at=known_at
        )
        response: negotiations_pb2.GetNegotiationResponse = self._call(
            self.negotiations.GetNegotiation, request
        )
        return response

    def explain(
        self,
        negotiation_id: str,
        field_path: str,
        as_of: str = "",
        known_at: Timestamp | None = None,
    ) -> negotiations_pb2.ExplainNegotiationFieldResponse:
        """Return the developments and sources behind one field of a negotiation's view."""
        request = negotiations_pb2.ExplainNegotiationFieldRequest(
            negotiation_id=negotiation_id, field_path=field_path, as_of=as_of, known_at=known_at
        )
        response: negotiations_pb2.ExplainNegotiationFieldResponse = self._call(
            self.negotiations.ExplainNegotiationField, request
        )
        return response

    def timeline(
        self, negotiation_id: str, page_size: int = 100, **filters: Any
    ) -> Iterator[negotiations_pb2.TimelineEntry]:
        """Yield a negotiation's timeline entries, filtered, following the pages."""
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

    def watch(
        self, negotiation_id: str, as_of: str = ""
    ) -> Iterator[negotiations_pb2.WatchNegotiationResponse]:
        """Watch a negotiation; iterate the returned stream, cancel it to stop."""
        request = negotiations_pb2.WatchNegotiationRequest(
            negotiation_id=negotiation_id, as_of=as_of
        )
        return self.negotiations.WatchNegotiation(request)  # type: ignore[no-any-return]

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
