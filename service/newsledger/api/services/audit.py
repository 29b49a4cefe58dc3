"""AuditService: checkpoints, proofs, entries, proven appends and replays, over gRPC."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from newsledger.api import conversions, page_tokens
from newsledger.api.page_tokens import PageCursor
from newsledger.application.audit import AuditLog
from newsledger.audit.entry import AuditEntry
from newsledger.audit.storage.checkpoints import SignedCheckpoint
from newsledger.audit.view_changes import ViewChange
from newsledger.domain.events import time_from_micros
from newsledger.v1 import audit_pb2 as pb
from newsledger.v1 import audit_pb2_grpc


def _today_utc() -> date:
    return datetime.now(UTC).date()


def _micros(request: pb.ListCheckpointsRequest, field: str) -> int | None:
    if not request.HasField(field):  # type: ignore[arg-type]
        return None
    stamp: Timestamp = getattr(request, field)
    return int(stamp.ToMicroseconds())


def _timestamp(micros: int) -> Timestamp:
    stamp = Timestamp()
    stamp.FromMicroseconds(micros)
    return stamp


def signed_checkpoint(checkpoint: SignedCheckpoint) -> pb.SignedCheckpoint:
    """Convert a signed checkpoint to its message."""
    return pb.SignedCheckpoint(
        note=checkpoint.note, size=checkpoint.size, root_hash=checkpoint.root
    )


def _view_change(change: ViewChange) -> pb.ViewChange:
    """Convert one change of a replayed view to its message, the value as compact JSON."""
    if change.removed:
        return pb.ViewChange(path=change.path, removed=True)
    text = json.dumps(change.value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return pb.ViewChange(path=change.path, value_json=text)


def log_entry(entry: AuditEntry) -> pb.LogEntry:
    """Convert an audit entry to its message."""
    return pb.LogEntry(
        sequence_number=entry.event.position,
        leaf=entry.leaf,
        event=conversions.recorded_event(entry.event),
        completed_subtrees=[
            pb.SubtreeHash(level=level, index=index, hash=node)
            for level, index, node in entry.subtrees
        ],
        response_item=entry.response_item or b"",
    )


MAX_ENTRIES_PER_RESPONSE = 1000
RESPONSE_BYTES = 1 << 20  # a page of entries stays well under gRPC's 4 MiB message limit


def entry_pages(
    entries: Iterator[pb.LogEntry], most: int, byte_budget: int
) -> Iterator[list[pb.LogEntry]]:
    """Group entries in order into pages of at most `most` entries and about `byte_budget`
    bytes; a page always holds at least one entry, however large."""
    page: list[pb.LogEntry] = []
    size = 0
    for entry in entries:
        entry_size = entry.ByteSize()
        if page and (len(page) == most or size + entry_size > byte_budget):
            yield page
            page, size = [], 0
        page.append(entry)
        size += entry_size
    if page:
        yield page


def _inclusion(position: int, tree_size: int, hashes: Sequence[bytes]) -> pb.InclusionProof:
    return pb.InclusionProof(position=position, tree_size=tree_size, hashes=list(hashes))


class AuditService(audit_pb2_grpc.AuditServiceServicer):
    """Translates AuditService calls to the audit log."""

    def __init__(self, audit: AuditLog) -> None:
        """Serve ``audit``."""
        self.audit = audit

    def GetCheckpoint(
        self, request: pb.GetCheckpointRequest, context: grpc.ServicerContext
    ) -> pb.GetCheckpointResponse:
        """Return the latest (or the asked) signed checkpoint and the key that verifies it."""
        if request.size:
            checkpoint = self.audit.checkpoint_at(request.size)
        elif request.witnessed:
            checkpoint = self.audit.witnessed_checkpoint()
        else:
            checkpoint = self.audit.checkpoint()
        return pb.GetCheckpointResponse(
            checkpoint=signed_checkpoint(checkpoint),
            origin=self.audit.origin,
            verifier_key=self.audit.vkey,
            key_handovers=self.audit.key_handovers(),
            witness_keys=self.audit.witness_keys(),
        )

    def ListCheckpoints(
        self, request: pb.ListCheckpointsRequest, context: grpc.ServicerContext
    ) -> pb.ListCheckpointsResponse:
        """Return a page of the signed checkpoints within the request's bounds."""
        limit = conversions.page_size(request.page_size)
        start = request.from_size
        if request.page_token:
            start = max(start, page_tokens.decode(request.page_token, "checkpoints").position)
        found = self.audit.history(
            from_size=start,
            to_size=request.to_size or None,
            signed_after_us=_micros(request, "signed_after"),
            signed_before_us=_micros(request, "signed_before"),
            limit=limit + 1,
        )
        token = ""
        if len(found) > limit:
            token = page_tokens.encode(
                PageCursor("checkpoints", False, found[limit].checkpoint.size)
            )
        return pb.ListCheckpointsResponse(
            checkpoints=[
                pb.HistoricalCheckpoint(
                    checkpoint=signed_checkpoint(item.checkpoint),
                    signed_time=_timestamp(item.signed_at_us),
                )
                for item in found[:limit]
            ],
            next_page_token=token,
        )

    def GetInclusionProof(
        self, request: pb.GetInclusionProofRequest, context: grpc.ServicerContext
    ) -> pb.GetInclusionProofResponse:
        """Return the inclusion proof of one event in one tree size."""
        hashes = self.audit.inclusion_proof(request.position, request.tree_size)
        return pb.GetInclusionProofResponse(
            proof=_inclusion(request.position, request.tree_size, hashes)
        )

    def GetConsistencyProof(
        self, request: pb.GetConsistencyProofRequest, context: grpc.ServicerContext
    ) -> pb.GetConsistencyProofResponse:
        """Return the consistency proof between two tree sizes."""
        hashes = self.audit.consistency_proof(request.old_size, request.new_size)
        return pb.GetConsistencyProofResponse(
            old_size=request.old_size, new_size=request.new_size, hashes=hashes
        )

    def StreamEntries(
        self, request: pb.StreamEntriesRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.StreamEntriesResponse]:
        """Stream the entries of a range of sequence numbers, one or a page per response."""
        entries = self.audit.entries(request.start, request.end)
        if request.max_entries_per_response <= 1:
            for entry in entries:
                yield pb.StreamEntriesResponse(entry=log_entry(entry))
            return
        most = min(request.max_entries_per_response, MAX_ENTRIES_PER_RESPONSE)
        for page in entry_pages(map(log_entry, entries), most, RESPONSE_BYTES):
            yield pb.StreamEntriesResponse(entries=page)

    def AppendAndProve(
        self, request: pb.AppendAndProveRequest, context: grpc.ServicerContext
    ) -> pb.AppendAndProveResponse:
        """Append, then prove every event's inclusion in a signed checkpoint."""
        events = conversions.proposed_events(request.events)
        expected = conversions.expected_version(request.expected_version)
        proven = self.audit.append_and_prove(request.stream, events, expected)
        append = conversions.append_response(proven.result)
        if proven.checkpoint is None:
            return pb.AppendAndProveResponse(
                append=append, proof_unavailable=proven.proof_unavailable
            )
        size = proven.checkpoint.size
        return pb.AppendAndProveResponse(
            append=append,
            checkpoint=signed_checkpoint(proven.checkpoint),
            events=[
                pb.ProvenEvent(
                    position=position,
                    leaf=leaf,
                    inclusion_proof=_inclusion(position.position, size, proof),
                )
                for position, leaf, proof in zip(
                    append.positions, proven.leaves, proven.inclusion_proofs, strict=True
                )
            ],
        )

    def ReplayNegotiation(
        self, request: pb.ReplayNegotiationRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.ReplayNegotiationResponse]:
        """Stream a negotiation's events with the view after each."""
        as_of = conversions.query_date(request.as_of, _today_utc())
        known_at = None
        if request.HasField("known_at_time"):
            known_at = time_from_micros(request.known_at_time.ToMicroseconds())
        every = request.full_view_every
        for index, step in enumerate(self.audit.replay(request.negotiation_id, known_at, as_of)):
            full = not request.changes_only or index == 0 or (every and index % every == 0)
            yield pb.ReplayNegotiationResponse(
                event=conversions.domain_recorded_event(step.event),
                view=conversions.negotiation_view(step.view) if full else None,
                as_of=as_of.isoformat(),
                changes=[_view_change(change) for change in step.changes],
                has_view=bool(full),
            )
