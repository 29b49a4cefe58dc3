"""The audit application service: checkpoints, proofs, entries, proven appends and replays."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from newsledger.application.errors import (
    CheckpointNotFound,
    InvalidRequest,
    NegotiationNotFound,
    Violation,
)
from newsledger.application.ledger import Ledger
from newsledger.audit.cosignature import WitnessPolicy
from newsledger.audit.entry import AuditEntry
from newsledger.audit.note import Signer
from newsledger.audit.replay import ReplayStep, known_at_cut, replay_views
from newsledger.audit.storage.checkpoints import (
    CheckpointSigner,
    HistoricalCheckpoint,
    SignedCheckpoint,
    checkpoint_at,
    checkpoint_history,
)
from newsledger.audit.storage.cosignatures import largest_witnessed_size, with_cosignatures
from newsledger.audit.storage.entries import read_entries
from newsledger.audit.storage.identity import handover_notes
from newsledger.audit.storage.proofs import stored_consistency_proof, stored_inclusion_proof
from newsledger.audit.storage.tree import leaf_count, read_leaves
from newsledger.domain.events import RecordedEvent, micros_from_time
from newsledger.domain.negotiation import stream_for
from newsledger.store.records import ANY, AppendResult, ExpectedVersion, ProposedEvent

STREAM_PAGE = 500
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProvenAppend:
    """An append's result, the checkpoint covering it, and each event's inclusion proof."""

    result: AppendResult
    checkpoint: SignedCheckpoint | None
    leaves: tuple[bytes, ...]
    inclusion_proofs: tuple[tuple[bytes, ...], ...]
    proof_unavailable: str = ""


class AuditLog:
    """What auditors can ask of the ledger, independent of the transport."""

    def __init__(
        self, ledger: Ledger, signer: Signer, witnesses: WitnessPolicy | None = None
    ) -> None:
        """Serve the audit of ``ledger``'s log, signing checkpoints with ``signer``.

        ``witnesses`` are the witnesses asked to cosign, and the quorum that makes a
        checkpoint "witnessed".
        """
        self.ledger = ledger
        self.engine = ledger.store.engine
        self.signer = signer
        self.witnesses = witnesses or WitnessPolicy((), 0)
        self.checkpoints = CheckpointSigner(self.engine, signer)

    def _cosigned(self, checkpoint: SignedCheckpoint) -> SignedCheckpoint:
        """Return the checkpoint with the witness cosignatures collected for its size."""
        with self.engine.connect() as connection:
            note = with_cosignatures(connection, checkpoint.size, checkpoint.note)
        return SignedCheckpoint(checkpoint.size, checkpoint.root, note)

    def witness_keys(self) -> list[str]:
        """Return the cosigning keys of the configured witnesses."""
        return [witness.vkey for witness in self.witnesses.witnesses]

    def witnessed_checkpoint(self) -> SignedCheckpoint:
        """Return the largest checkpoint a quorum of witnesses cosigned (else the latest)."""
        latest = self.checkpoint()
        policy = self.witnesses
        with self.engine.connect() as connection:
            size = largest_witnessed_size(connection, policy.witnesses, policy.quorum)
        if size is None or size == latest.size:
            return latest
        return self.checkpoint_at(size)

    @property
    def origin(self) -> str:
        """Return the log's origin, the name of its signing key."""
        return self.signer.name

    @property
    def vkey(self) -> str:
        """Return the verifier key that checks this log's checkpoints."""
        return self.signer.vkey

    def checkpoint(self) -> SignedCheckpoint:
        """Return the latest signed checkpoint (with its cosignatures), signing if it grew."""
        return self._cosigned(self.checkpoints.latest())

    def checkpoint_at(self, size: int) -> SignedCheckpoint:
        """Return the checkpoint signed for exactly ``size``; CheckpointNotFound if none was."""
        self.checkpoints.check()
        with self.engine.connect() as connection:
            found = checkpoint_at(connection, size)
        if found is None:
            raise CheckpointNotFound(size)
        return self._cosigned(self.checkpoints.signed_by_us(found))

    def history(
        self,
        *,
        from_size: int = 0,
        to_size: int | None = None,
        signed_after_us: int | None = None,
        signed_before_us: int | None = None,
        limit: int = 100,
    ) -> list[HistoricalCheckpoint]:
        """Return the signed checkpoints within the bounds, by increasing size."""
        self.checkpoints.check()
        with self.engine.connect() as connection:
            found = checkpoint_history(
                connection,
                from_size=from_size,
                to_size=to_size,
                signed_after_us=signed_after_us,
                signed_before_us=signed_before_us,
                limit=limit,
            )
            return [
                HistoricalCheckpoint(
                    SignedCheckpoint(
                        item.checkpoint.size,
                        item.checkpoint.root,
                        with_cosignatures(connection, item.checkpoint.size, item.checkpoint.note),
                    ),
                    item.signed_at_us,
                )
                for item in found
            ]

    def key_handovers(self) -> list[str]:
        """Return the signed handover notes of the log's key rotations, oldest first."""
        with self.engine.connect() as connection:
            return handover_notes(connection)

    def inclusion_proof(self, position: int, tree_size: int) -> list[bytes]:
        """Return the inclusion proof of the event at ``position`` in the tree of ``tree_size``."""
        self._check_size("tree_size", tree_size)
        if not 0 <= position < tree_size:
            raise InvalidRequest(
                [Violation("position", f"{position} is not below tree_size {tree_size}")],
                "POSITION_OUT_OF_RANGE",
            )
        with self.engine.connect() as connection:
            return stored_inclusion_proof(connection, position, tree_size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """Return the proof that the tree of ``old_size`` is a prefix of that of ``new_size``."""
        self._check_size("new_size", new_size)
        if not 0 <= old_size <= new_size:
            raise InvalidRequest(
                [Violation("old_size", f"{old_size} is larger than new_size {new_size}")],
                "TREE_SIZE_OUT_OF_RANGE",
            )
        with self.engine.connect() as connection:
            return stored_consistency_proof(connection, old_size, new_size)

    def entries(self, start: int, end: int) -> Iterator[AuditEntry]:
        """Yield the entries with sequence numbers in [start, end) (fewer if the log is shorter)."""
        if not 0 <= start <= end:
            raise InvalidRequest(
                [Violation("start", f"{start} is after end {end}")], "TREE_SIZE_OUT_OF_RANGE"
            )
        return read_entries(self.engine, start, end)

    def append_and_prove(
        self, stream: str, proposed: Sequence[ProposedEvent], expected: ExpectedVersion = ANY
    ) -> ProvenAppend:
        """Append through the ledger, then prove each event's inclusion in a signed checkpoint.

        An inconsistent stored tree refuses the call before anything is appended. Once the
        append has committed, the call succeeds: a proof that fails then is reported in
        ``proof_unavailable``, never as an error that would hide a committed append.
        """
        self.checkpoints.check()
        result = self.ledger.append(stream, proposed, expected)
        try:
            checkpoint = self.checkpoint()
            positions = [event.position for event in result.events]
            with self.engine.connect() as connection:
                stored = read_leaves(connection, positions)
                proofs = tuple(
                    tuple(stored_inclusion_proof(connection, position, checkpoint.size))
                    for position in positions
                )
            leaves = tuple(stored[position] for position in positions)
        except Exception as error:  # the append stands; say why it has no proof
            log.exception("appended %d event(s) but could not prove them", len(result.events))
            return ProvenAppend(result, None, (), (), f"appended, but no proof: {error}")
        return ProvenAppend(result, checkpoint, leaves, proofs)

    def replay(
        self, negotiation_id: str, known_at: datetime | None, as_of: date
    ) -> Iterator[ReplayStep]:
        """Yield a negotiation's events recorded by ``known_at`` with the view after each."""
        try:
            stream = stream_for(negotiation_id)
        except ValueError as error:
            raise InvalidRequest([Violation("negotiation_id", str(error))]) from None
        if self.ledger.store.stream_version(stream) is None:
            raise NegotiationNotFound(negotiation_id)
        if known_at is not None and known_at <= datetime.now(UTC):
            # A past instant is answered only once nothing can still be recorded by then.
            self.ledger.store.settle(micros_from_time(known_at))
        return replay_views(known_at_cut(self._stream_events(stream), known_at), as_of)

    def _stream_events(self, stream: str) -> Iterator[RecordedEvent]:
        version = 0
        while page := self.ledger.store.read_stream(
            stream, from_version=version, limit=STREAM_PAGE
        ):
            for event in page:
                yield event.to_domain()
            version = page[-1].stream_version + 1

    def _check_size(self, field: str, size: int) -> None:
        with self.engine.connect() as connection:
            available = leaf_count(connection)
        if size > available:
            raise InvalidRequest(
                [Violation(field, f"{size} is larger than the log's {available} entries")],
                "TREE_SIZE_OUT_OF_RANGE",
            )
