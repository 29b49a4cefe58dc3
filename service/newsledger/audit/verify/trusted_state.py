"""The client-side verifier core: a pinned trusted state that only moves forward consistently."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsledger.audit.checkpoint import Checkpoint, open_checkpoint
from newsledger.audit.handover import HandoverError, follow_handovers
from newsledger.audit.merkle import (
    EMPTY_ROOT,
    ProofError,
    hash_children,
    verify_consistency,
)
from newsledger.audit.note import NoteError, parse_vkey


class AuditError(Exception):
    """The log failed an audit check."""


class CheckpointRejected(AuditError):
    """A checkpoint is malformed, for another log, or not signed by the pinned key."""


class RollbackError(AuditError):
    """The log presented a tree smaller than one it already committed to."""


class ForkDetected(AuditError):
    """Two signed checkpoints cannot both be true: the log showed different histories."""

    def __init__(
        self, reason: str, trusted_note: str, new_note: str, proof: Sequence[bytes]
    ) -> None:
        """Keep both signed notes and the failing proof as evidence."""
        super().__init__(f"fork detected: {reason}")
        self.reason = reason
        self.trusted_note = trusted_note
        self.new_note = new_note
        self.proof = tuple(proof)

    def evidence(self) -> dict[str, Any]:
        """Return the evidence as a JSON-ready object."""
        return {
            "reason": self.reason,
            "trusted_note": self.trusted_note,
            "new_note": self.new_note,
            "consistency_proof": [base64.b64encode(p).decode("ascii") for p in self.proof],
        }


MAX_HISTORY = 10_000
"""Most earlier verified (size, root) pairs a state keeps to locate a rewrite later."""


@dataclass(frozen=True)
class TrustedState:
    """What a client trusts: the log origin, its pinned key, and the latest verified checkpoint.

    ``history`` holds the sizes and roots of earlier checkpoints it verified: if the log
    later rewrites entries, comparing them with these roots tells where the rewrite starts.
    """

    origin: str
    vkey: str
    size: int
    root: bytes
    note: str
    history: tuple[tuple[int, bytes], ...] = ()

    def known_roots(self) -> dict[int, bytes]:
        """Return size → root of every checkpoint this state verified, the current one too."""
        roots = dict(self.history)
        if self.size:
            roots[self.size] = self.root
        return roots

    @classmethod
    def pin(cls, origin: str, vkey: str, note: str = "") -> TrustedState:
        """Trust a log key; start from its signed checkpoint, or from the empty tree if none."""
        empty = cls(origin, vkey, 0, EMPTY_ROOT, "")
        return update_trusted_state(empty, note, []) if note else empty

    def to_json(self) -> str:
        """Return the state as a JSON document."""
        document = {
            "origin": self.origin,
            "vkey": self.vkey,
            "size": self.size,
            "root": base64.b64encode(self.root).decode("ascii"),
            "note": self.note,
            "history": [
                [size, base64.b64encode(root).decode("ascii")] for size, root in self.history
            ],
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> TrustedState:
        """Parse a saved state, re-verifying its signed note against its own fields."""
        try:
            document = json.loads(text)
            state = cls(
                origin=str(document["origin"]),
                vkey=str(document["vkey"]),
                size=int(document["size"]),
                root=base64.b64decode(document["root"], validate=True),
                note=str(document["note"]),
                history=tuple(
                    (int(size), base64.b64decode(root, validate=True))
                    for size, root in document.get("history", [])
                ),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise AuditError(f"trusted state is malformed: {error}") from None
        if state.note:
            checkpoint = _open(state, state.note)
            if (checkpoint.size, checkpoint.root) != (state.size, state.root):
                raise AuditError("trusted state does not match its own signed checkpoint")
        elif (state.size, state.root) != (0, EMPTY_ROOT):
            raise AuditError("trusted state has a non-empty tree but no signed checkpoint")
        return state

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state atomically to ``path``."""
        target = Path(path)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(self.to_json(), encoding="utf-8")
        os.replace(temporary, target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrustedState:
        """Read and re-verify a state saved by ``save``."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def update_trusted_state(
    state: TrustedState, new_note: str, consistency_proof: Sequence[bytes]
) -> TrustedState:
    """Return the state advanced to ``new_note`` if it is signed, not older, and consistent."""
    checkpoint = _open(state, new_note)
    if checkpoint.size < state.size:
        raise RollbackError(
            f"log presented size {checkpoint.size}, smaller than the trusted size {state.size}"
        )
    try:
        verify_consistency(
            state.size, checkpoint.size, state.root, checkpoint.root, consistency_proof
        )
    except ProofError as error:
        raise ForkDetected(str(error), state.note, new_note, consistency_proof) from None
    history = state.history
    if state.size and checkpoint.size > state.size:
        history = (*state.history, (state.size, state.root))[-MAX_HISTORY:]
    return replace(
        state, size=checkpoint.size, root=checkpoint.root, note=new_note, history=history
    )


def follow_key_handovers(state: TrustedState, notes: Sequence[str]) -> TrustedState:
    """Return the state pinned to the key the log handed its signing over to, if it did.

    Each handover must be signed by the key pinned so far and by the next one; a forged or
    broken chain rejects the checkpoint.
    """
    try:
        chain = follow_handovers(state.vkey, notes)
    except HandoverError as error:
        raise CheckpointRejected(f"checkpoint rejected: {error}") from None
    for handover in chain:
        if handover.origin != state.origin:
            raise CheckpointRejected(
                f"checkpoint rejected: a key handover names log {handover.origin!r}"
            )
    return replace(state, vkey=chain[-1].new_vkey) if chain else state


class RootAccumulator:
    """Folds leaf hashes into the Merkle root keeping only O(log n) subtree hashes."""

    def __init__(self) -> None:
        """Start from the empty tree."""
        self.size = 0
        self._peaks: list[bytes] = []  # complete subtrees, largest first

    def add_leaf_hash(self, leaf_hash: bytes) -> None:
        """Append one leaf hash."""
        node, index = leaf_hash, self.size
        while index & 1:
            node = hash_children(self._peaks.pop(), node)
            index >>= 1
        self._peaks.append(node)
        self.size += 1

    def root(self) -> bytes:
        """Return the root of the leaves added so far."""
        if not self._peaks:
            return EMPTY_ROOT
        accumulated = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            accumulated = hash_children(peak, accumulated)
        return accumulated


def _open(state: TrustedState, note: str) -> Checkpoint:
    try:
        return open_checkpoint(note, parse_vkey(state.vkey), state.origin)
    except NoteError as error:
        raise CheckpointRejected(f"checkpoint rejected: {error}") from None
