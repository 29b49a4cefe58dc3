"""Verifying a live server without trusting it: checkpoint, consistency, entries, proofs, views."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import grpc

from newsledger.audit import merkle
from newsledger.audit.checkpoint import parse_checkpoint
from newsledger.audit.note import NoteError
from newsledger.audit.verify.auditor import AuditReport, LogAuditor, Progress
from newsledger.audit.verify.trusted_state import (
    CheckpointRejected,
    TrustedState,
    update_trusted_state,
)
from newsledger.audit.verify.wire import EntryFormatError, entry_from_message
from newsledger.v1 import audit_pb2, audit_pb2_grpc, negotiations_pb2, negotiations_pb2_grpc
from newsledger.v1.negotiation_view_pb2 import NegotiationView


class AuditClient:
    """The calls a verifier makes, on a channel it is given (so tests can intercept it)."""

    def __init__(self, channel: grpc.Channel, timeout_seconds: float = 60.0) -> None:
        """Call the audit and negotiation services over ``channel``."""
        self.audit = audit_pb2_grpc.AuditServiceStub(channel)
        self.negotiations = negotiations_pb2_grpc.NegotiationServiceStub(channel)
        self.timeout = timeout_seconds

    def checkpoint(self) -> audit_pb2.GetCheckpointResponse:
        """Return the server's latest checkpoint and its claimed key."""
        request = audit_pb2.GetCheckpointRequest()
        response: audit_pb2.GetCheckpointResponse = self.audit.GetCheckpoint(
            request, timeout=self.timeout
        )
        return response

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """Return the server's consistency proof between two sizes."""
        request = audit_pb2.GetConsistencyProofRequest(old_size=old_size, new_size=new_size)
        response = self.audit.GetConsistencyProof(request, timeout=self.timeout)
        return [bytes(h) for h in response.hashes]

    def inclusion_proof(self, position: int, tree_size: int) -> list[bytes]:
        """Return the server's inclusion proof of one leaf in one size."""
        request = audit_pb2.GetInclusionProofRequest(position=position, tree_size=tree_size)
        response = self.audit.GetInclusionProof(request, timeout=self.timeout)
        return [bytes(h) for h in response.proof.hashes]

    def entries(self, start: int, end: int) -> Iterator[audit_pb2.LogEntry]:
        """Stream the entries in [start, end)."""
        request = audit_pb2.StreamEntriesRequest(start=start, end=end)
        for response in self.audit.StreamEntries(request):
            yield response.entry

    def negotiation_ids(self) -> Iterator[str]:
        """Yield the id of every negotiation the server lists."""
        token = ""
        while True:
            request = negotiations_pb2.ListNegotiationsRequest(page_size=100, page_token=token)
            page = self.negotiations.ListNegotiations(request, timeout=self.timeout)
            yield from (n.negotiation_id for n in page.negotiations)
            token = page.next_page_token
            if not token:
                return

    def view(self, negotiation_id: str, as_of: date) -> NegotiationView:
        """Return the server's view of a negotiation as of a date."""
        request = negotiations_pb2.GetNegotiationRequest(
            negotiation_id=negotiation_id, as_of=as_of.isoformat()
        )
        view: NegotiationView = self.negotiations.GetNegotiation(request, timeout=self.timeout).view
        return view


@dataclass(frozen=True, slots=True)
class LiveVerification:
    """The outcome of verifying a live server: the report, and the state to keep if it passed."""

    report: AuditReport
    new_state: TrustedState
    note: str


def advance_state(client: AuditClient, state: TrustedState) -> tuple[TrustedState, str]:
    """Fetch the latest checkpoint and return the state advanced to it, or raise AuditError."""
    response = client.checkpoint()
    note = response.checkpoint.note
    try:
        body = parse_checkpoint(note[: note.rfind("\n\n") + 1])
    except (NoteError, ValueError) as error:
        raise CheckpointRejected(f"checkpoint rejected: {error}") from None
    if (body.size, body.root) != (response.checkpoint.size, bytes(response.checkpoint.root_hash)):
        raise CheckpointRejected("the response's size or root differs from its signed note")
    proof: list[bytes] = []
    if body.size > state.size:
        proof = client.consistency_proof(state.size, body.size)
    return update_trusted_state(state, note, proof), note


def _spot_positions(size: int) -> set[int]:
    return {0, size // 2, size - 1} if size else set()


def verify_live(
    client: AuditClient, state: TrustedState, as_of: date, progress: Progress | None = None
) -> LiveVerification:
    """Verify the server's whole log against its latest checkpoint, trusting only ``state``."""
    new_state, note = advance_state(client, state)
    auditor = LogAuditor(
        state.origin,
        new_state.size,
        new_state.root,
        roots_to_check={state.size: state.root} if state.size else None,
        progress=progress,
    )
    auditor.keep_leaf_hashes = _spot_positions(new_state.size)
    for message in client.entries(0, new_state.size):
        try:
            auditor.add(entry_from_message(message))
        except EntryFormatError as error:
            auditor.fail(error.sequence_number, "entry", str(error))
    report = auditor.finish()
    for position, leaf_hash in sorted(auditor.leaf_hashes.items()):
        try:
            proof = client.inclusion_proof(position, new_state.size)
            merkle.verify_inclusion(position, new_state.size, leaf_hash, proof, new_state.root)
        except grpc.RpcError as error:
            auditor.fail(None, "inclusion proof", f"no proof for {position}: {error.code().name}")
        except merkle.ProofError as error:
            # The proof, not the leaf, is wrong: it names no sequence number of the log.
            auditor.fail(None, "inclusion proof", f"the server's proof for {position}: {error}")
    for negotiation_id in client.negotiation_ids():
        auditor.check_view(negotiation_id, as_of, client.view(negotiation_id, as_of))
    return LiveVerification(report, new_state, note)
