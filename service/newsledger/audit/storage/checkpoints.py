"""Signing checkpoints of the stored tree: one root per size, each consistent with the last."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from newsledger.audit.checkpoint import open_checkpoint, sign_checkpoint
from newsledger.audit.merkle import ProofError, verify_consistency
from newsledger.audit.note import NoteError, Signer
from newsledger.audit.storage.identity import active_vkey
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
    """Signs the stored tree's head with the log key, never two roots for one size.

    Before serving or signing, it checks the stored tree against the latest signed
    checkpoint. Once the tree is found inconsistent it refuses every later request (and tells
    its listeners, e.g. health): an operator must look before the log signs anything again.
    """

    def __init__(self, engine: Engine, signer: Signer) -> None:
        """Sign checkpoints of the tree in ``engine`` with ``signer`` (named by the origin)."""
        self.engine = engine
        self.signer = signer
        self.problem: str | None = None
        self._listeners: list[Callable[[str], None]] = []
        self._lock = threading.Lock()

    def on_inconsistency(self, listener: Callable[[str], None]) -> None:
        """Call ``listener`` with the problem once the stored tree is found inconsistent."""
        self._listeners.append(listener)
        if self.problem is not None:
            listener(self.problem)

    def check(self) -> None:
        """Raise CheckpointRefused unless the stored tree matches the latest signed checkpoint."""
        if self.problem is not None:
            raise CheckpointRefused(self.problem)
        with self.engine.connect() as connection:
            previous = _latest_row(connection)
            if previous is not None:
                self._check_matches(connection, previous, leaf_count(connection))

    def latest(self) -> SignedCheckpoint:
        """Return a checkpoint of the whole stored tree, signing one if the tree has grown."""
        if self.problem is not None:
            raise CheckpointRefused(self.problem)
        with self.engine.connect() as connection:
            size = leaf_count(connection)
            previous = _latest_row(connection)
            if previous is not None:
                self._check_matches(connection, previous, size)
                if previous.size >= size:
                    return self.signed_by_us(previous)
            self._check_key_active(connection)
            root = stored_root(connection, size)
            if previous is not None:
                self._prove_consistent(connection, previous, size, root)
        return self._insert(SignedCheckpoint(size, root, sign_checkpoint(self.signer, size, root)))

    def _check_matches(self, connection: Connection, previous: SignedCheckpoint, size: int) -> None:
        """Refuse a stored tree that lost leaves or whose root differs from the signed one."""
        if size < previous.size:
            self._inconsistent(
                f"the stored tree has {size} leaves, fewer than the {previous.size} of the "
                "latest signed checkpoint"
            )
        if stored_root(connection, previous.size) != previous.root:
            self._inconsistent(
                f"the stored tree's root at size {previous.size} differs from the signed "
                "checkpoint of that size"
            )

    def _inconsistent(self, problem: str) -> None:
        with self._lock:
            first = self.problem is None
            if first:
                self.problem = problem
        if first:
            for listener in self._listeners:
                listener(problem)
        raise CheckpointRefused(problem)

    def _check_key_active(self, connection: Connection) -> None:
        active = active_vkey(connection)
        if active is not None and active != self.signer.vkey:
            raise CheckpointRefused(
                f"this server's key {self.signer.vkey} was handed over to {active}: restart "
                "it with the new key (NEWSLEDGER_SIGNING_KEY)"
            )

    def _prove_consistent(
        self, connection: Connection, previous: SignedCheckpoint, size: int, root: bytes
    ) -> None:
        proof = stored_consistency_proof(connection, previous.size, size)
        try:
            verify_consistency(previous.size, size, previous.root, root, proof)
        except ProofError as error:
            self._inconsistent(
                f"the stored tree of size {size} is not consistent with the checkpoint of "
                f"size {previous.size} already signed: {error}"
            )

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
        return self.signed_by_us(stored)

    def signed_by_us(self, checkpoint: SignedCheckpoint) -> SignedCheckpoint:
        """Return the checkpoint with a note our key signs (a new key re-signs the same head)."""
        try:
            open_checkpoint(checkpoint.note, self.signer.verifier, self.signer.name)
            return checkpoint
        except NoteError:
            note = sign_checkpoint(self.signer, checkpoint.size, checkpoint.root)
            return SignedCheckpoint(checkpoint.size, checkpoint.root, note)


@dataclass(frozen=True, slots=True)
class HistoricalCheckpoint:
    """A checkpoint the log signed, and when."""

    checkpoint: SignedCheckpoint
    signed_at_us: int


def checkpoint_history(
    connection: Connection,
    *,
    from_size: int = 0,
    to_size: int | None = None,
    signed_after_us: int | None = None,
    signed_before_us: int | None = None,
    limit: int = 100,
) -> list[HistoricalCheckpoint]:
    """Return up to ``limit`` stored checkpoints by increasing size, within the bounds given."""
    table = audit_checkpoints
    query = sa.select(table.c.size, table.c.root, table.c.note, table.c.signed_at_us).where(
        table.c.size >= from_size
    )
    if to_size is not None:
        query = query.where(table.c.size <= to_size)
    if signed_after_us is not None:
        query = query.where(table.c.signed_at_us >= signed_after_us)
    if signed_before_us is not None:
        query = query.where(table.c.signed_at_us <= signed_before_us)
    rows = connection.execute(query.order_by(table.c.size).limit(limit))
    return [
        HistoricalCheckpoint(
            SignedCheckpoint(int(row.size), bytes(row.root), str(row.note)), int(row.signed_at_us)
        )
        for row in rows
    ]


def checkpoint_at(connection: Connection, size: int) -> SignedCheckpoint | None:
    """Return the checkpoint signed for exactly ``size``, or None."""
    return _row_for_size(connection, size)
