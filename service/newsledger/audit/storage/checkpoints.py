"""Signing checkpoints of the stored tree: one root per size, each consistent with the last."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from newsledger.audit.checkpoint import open_checkpoint, sign_checkpoint
from newsledger.audit.merkle import ProofError, verify_consistency
from newsledger.audit.note import NoteError, Signer
from newsledger.audit.storage.proofs import stored_consistency_proof, stored_root
from newsledger.audit.storage.tree import leaf_count
from newsledger.store.tables import audit_checkpoints


class CheckpointRefused(RuntimeError):
    """The stored tree is not consistent with a checkpoint already signed: nothing is signed."""


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A signed checkpoint: its tree size, its root and the signed note."""

    size: int
    root: bytes
    note: str


def _latest_row(connection: Connection) -> SignedCheckpoint | None:
    table = audit_checkpoints
    query = sa.select(table.c.size, table.c.root, table.c.note).order_by(table.c.size.desc())
    row = connection.execute(query.limit(1)).first()
    return None if row is None else SignedCheckpoint(int(row[0]), bytes(row[1]), str(row[2]))


def _row_for_size(connection: Connection, size: int) -> SignedCheckpoint | None:
    table = audit_checkpoints
    query = sa.select(table.c.size, table.c.root, table.c.note).where(table.c.size == size)
    row = connection.execute(query).first()
    return None if row is None else SignedCheckpoint(int(row[0]), bytes(row[1]), str(row[2]))


class CheckpointSigner:
    """Signs the stored tree's head with the log key, never two roots for one size."""

    def __init__(self, engine: Engine, signer: Signer) -> None:
        """Sign checkpoints of the tree in ``engine`` with ``signer`` (named by the origin)."""
        self.engine = engine
        self.signer = signer

    def latest(self) -> SignedCheckpoint:
        """Return a checkpoint of the whole stored tree, signing one if the tree has grown."""
        with self.engine.connect() as connection:
            size = leaf_count(connection)
            previous = _latest_row(connection)
            if previous is not None and previous.size >= size:
                # A checkpoint larger than the tree is served as is: it commits the log to
                # leaves it lost, and a verifier finds exactly which ones.
                return self._signed_by_us(previous)
            root = stored_root(connection, size)
            if previous is not None:
                self._prove_consistent(connection, previous, size, root)
        return self._insert(SignedCheckpoint(size, root, sign_checkpoint(self.signer, size, root)))

    def _prove_consistent(
        self, connection: Connection, previous: SignedCheckpoint, size: int, root: bytes
    ) -> None:
        proof = stored_consistency_proof(connection, previous.size, size)
        try:
            verify_consistency(previous.size, size, previous.root, root, proof)
        except ProofError as error:
            raise CheckpointRefused(
                f"the stored tree of size {size} is not consistent with the checkpoint of "
                f"size {previous.size} already signed: {error}"
            ) from None

    def _insert(self, checkpoint: SignedCheckpoint) -> SignedCheckpoint:
        row = {
            "size": checkpoint.size,
            "root": checkpoint.root,
            "note": checkpoint.note,
            "signed_at_us": time.time_ns() // 1000,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(audit_checkpoints.insert().values(**row))
            return checkpoint
        except exc.IntegrityError:
            pass  # another signer stored this size first: its root must be ours
        with self.engine.connect() as connection:
            stored = _row_for_size(connection, checkpoint.size)
        if stored is None or stored.root != checkpoint.root:
            raise CheckpointRefused(
                f"a different root is already signed for size {checkpoint.size}"
            )
        return self._signed_by_us(stored)

    def _signed_by_us(self, checkpoint: SignedCheckpoint) -> SignedCheckpoint:
        """Return the checkpoint with a note our key signs (a new key re-signs the same head)."""
        try:
            open_checkpoint(checkpoint.note, self.signer.verifier, self.signer.name)
            return checkpoint
        except NoteError:
            note = sign_checkpoint(self.signer, checkpoint.size, checkpoint.root)
            return SignedCheckpoint(checkpoint.size, checkpoint.root, note)
