"""Verifying a live server without trusting it: checkpoint, consistency, entries, proofs, views."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import grpc

from newsledger.audit import merkle
from newsledger.audit.checkpoint import open_checkpoint, parse_checkpoint
from newsledger.audit.cosignature import WitnessPolicy
from newsledger.audit.note import NoteError, parse_vkey
from newsledger.audit.verify.auditor import AuditReport, LogAuditor, Progress
from newsledger.audit.verify.trusted_state import (
    CheckpointRejected,
    ForkDetected,
    TrustedState,
    follow_key_handovers,
    update_trusted_state,
)
from newsledger.audit.verify.wire import EntryFormatError, entry_from_message
from newsledger.v1 import audit_pb2, audit_pb2_grpc, negotiations_pb2, negotiations_pb2_grpc
from newsledger.v1.negotiation_view_pb2 import NegotiationView

ENTRIES_PER_RESPONSE = 500  # a message per page of entries, not per entry


class AuditClient:
    """The calls a verifier makes, on a channel it is given (so tests can intercept it)."""

    def __init__(self, channel: grpc.Channel, timeout_seconds: float = 60.0) -> None:
        """Call the audit and negotiation services over ``channel``."""
        self.audit = audit_pb2_grpc.AuditServiceStub(channel)
        self.negotiations = negotiations_pb2_grpc.NegotiationServiceStub(channel)
        self.timeout = timeout_seconds

    def checkpoint(self, *, witnessed: bool = False) -> audit_pb2.GetCheckpointResponse:
        """Return the server's latest (or largest witnessed) checkpoint and its claimed key."""
        request = audit_pb2.GetCheckpointRequest(witnessed=witnessed)
        response: audit_pb2.GetCheckpointResponse = self.audit.GetCheckpoint(
            request, timeout=self.timeout
        )
        return response

    def checkpoint_history(self, to_size: int) -> Iterator[audit_pb2.HistoricalCheckpoint]:
        """Yield the server's signed checkpoints up to ``to_size``, oldest first."""
        token = ""
        while True:
            request = audit_pb2.ListCheckpointsRequest(
                to_size=to_size, page_size=1000, page_token=token
            )
            page = self.audit.ListCheckpoints(request, timeout=self.timeout)
            yield from page.checkpoints
            token = page.next_page_token
            if not token:
                return

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
        """Stream the entries in [start, end), a page per response (one, from a server that
        predates pages)."""
        request = audit_pb2.StreamEntriesRequest(
            start=start, end=end, max_entries_per_response=ENTRIES_PER_RESPONSE
        )
        for response in self.audit.StreamEntries(request):
            if response.entries:
                yield from response.entries
            else:
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
    # Why the server refused to serve a checkpoint (its tree is inconsistent), if it did: the
    # entries were then audited against the trusted checkpoint instead.
    server_refused: str = ""
    # The fork the latest checkpoint showed, if it did: the entries were then audited against
    # the trusted checkpoints to find where the log was rewritten.
    fork: ForkDetected | None = None


def check_witnesses(policy: WitnessPolicy | None, note: str) -> None:
    """Raise CheckpointRejected unless a quorum of the policy's witnesses cosigned ``note``."""
    if policy is None or not policy.witnesses:
        return
    try:
        policy.check(note)
    except NoteError as error:
        raise CheckpointRejected(f"checkpoint rejected: {error}") from None


def advance_state(
    client: AuditClient, state: TrustedState, witnesses: WitnessPolicy | None = None
) -> tuple[TrustedState, str]:
    """Fetch the latest checkpoint and return the state advanced to it, or raise AuditError.

    With witnesses, the server is asked for its largest witnessed checkpoint, and the
    checkpoint must carry cosignatures from a quorum of them.
    """
    response = client.checkpoint(witnessed=witnesses is not None and bool(witnesses.witnesses))
    note = response.checkpoint.note
    try:
        body = parse_checkpoint(note[: note.rfind("\n\n") + 1])
    except (NoteError, ValueError) as error:
        raise CheckpointRejected(f"checkpoint rejected: {error}") from None
    if (body.size, body.root) != (response.checkpoint.size, bytes(response.checkpoint.root_hash)):
        raise CheckpointRejected("the response's size or root differs from its signed note")
    if response.verifier_key != state.vkey and response.key_handovers:
        state = follow_key_handovers(state, list(response.key_handovers))
    proof: list[bytes] = []
    if body.size > state.size:
        proof = client.consistency_proof(state.size, body.size)
    advanced = update_trusted_state(state, note, proof)
    check_witnesses(witnesses, note)
    return advanced, note


def _spot_positions(size: int) -> set[int]:
    return {0, size // 2, size - 1} if size else set()


def _signed_roots(client: AuditClient, state: TrustedState, to_size: int) -> dict[int, bytes]:
    """Return size → root of every past checkpoint the pinned key signed (for locating a rewrite).

    Notes another key signed (before a handover) or that fail to open are left out; a server
    without the history call gives none.
    """
    key = parse_vkey(state.vkey)
    roots: dict[int, bytes] = {}
    try:
        for item in client.checkpoint_history(to_size):
            try:
                body = open_checkpoint(item.checkpoint.note, key, state.origin)
            except NoteError:
                continue
            if body.size:
                roots[body.size] = body.root
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.UNIMPLEMENTED:
            raise
    return roots


def _refusal(error: grpc.RpcError) -> str | None:
    """Return the server's reason when it refuses to serve a checkpoint of its own tree."""
    if error.code() in (grpc.StatusCode.INTERNAL, grpc.StatusCode.FAILED_PRECONDITION):
        return str(error.details() or error.code().name)
    return None


def verify_live(
    client: AuditClient,
    state: TrustedState,
    as_of: date,
    progress: Progress | None = None,
    witnesses: WitnessPolicy | None = None,
) -> LiveVerification:
    """Verify the server's whole log against its latest checkpoint, trusting only ``state``.

    A server that refuses to serve a checkpoint (it found its own tree inconsistent) is
    audited up to the trusted checkpoint instead, so the verifier still names the entries
    that changed.
    """
    refused, fork = "", None
    try:
        new_state, note = advance_state(client, state, witnesses)
    except grpc.RpcError as error:
        reason = _refusal(error)
        if reason is None or not state.size:
            raise
        refused, new_state, note = reason, state, state.note
    except ForkDetected as detected:
        fork, new_state, note = detected, state, state.note
    history = _signed_roots(client, state, new_state.size) if not (refused or fork) else {}
    roots = {**history, **state.known_roots()}
    auditor = LogAuditor(
        state.origin,
        new_state.size,
        new_state.root,
        roots_to_check=roots or None,
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
    if not (refused or fork):
        for negotiation_id in client.negotiation_ids():
            auditor.check_view(negotiation_id, as_of, client.view(negotiation_id, as_of))
    return LiveVerification(report, new_state, note, refused, fork)
