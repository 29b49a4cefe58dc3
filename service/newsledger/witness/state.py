"""The witness's own SQLite file: trusted log keys, the last checkpoint cosigned per log, evidence.

The witness never shares a database (or a failure) with a log. Its state only moves forward:
triggers refuse an update that lowers a log's size or changes its root at the same size, and
any delete, so even a bug cannot make it cosign a rollback. The file is bound to the
witness key that created it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from newsledger.audit.merkle import EMPTY_ROOT

SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE logs (
  origin TEXT NOT NULL, vkey TEXT NOT NULL, added_at INTEGER NOT NULL,
  PRIMARY KEY (origin, vkey));
CREATE TABLE state (
  origin TEXT PRIMARY KEY, size INTEGER NOT NULL CHECK (size >= 0),
  root BLOB NOT NULL CHECK (length(root) = 32), note TEXT NOT NULL,
  cosigned_at INTEGER NOT NULL);
CREATE TRIGGER state_no_rollback BEFORE UPDATE ON state
  WHEN NEW.size < OLD.size OR (NEW.size = OLD.size AND NEW.root <> OLD.root)
  BEGIN SELECT RAISE(ABORT, 'witness state rollback'); END;
CREATE TRIGGER state_no_delete BEFORE DELETE ON state
  BEGIN SELECT RAISE(ABORT, 'witness state cannot be deleted'); END;
CREATE TABLE evidence (
  id INTEGER PRIMARY KEY, origin TEXT NOT NULL, received_at INTEGER NOT NULL,
  reason TEXT NOT NULL, old_size INTEGER NOT NULL, stored_size INTEGER NOT NULL,
  stored_root BLOB NOT NULL, stored_note TEXT, presented_note TEXT NOT NULL,
  proof TEXT NOT NULL);
"""
EVIDENCE_PER_LOG = 1000


class WitnessStateError(Exception):
    """The witness database is missing, for another key, or refused a change."""


@dataclass(frozen=True, slots=True)
class LogState:
    """The latest checkpoint the witness cosigned for one log (size 0 before any)."""

    origin: str
    size: int
    root: bytes
    note: str | None
    cosigned_at: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """A checkpoint, validly signed by the log, that contradicts what the witness cosigned."""

    origin: str
    received_at: int
    reason: str
    old_size: int
    stored_size: int
    stored_root: bytes
    stored_note: str | None
    presented_note: str
    proof: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """Return the evidence as a JSON-ready object."""
        return {
            "origin": self.origin,
            "received_at": self.received_at,
            "reason": self.reason,
            "old_size": self.old_size,
            "stored_size": self.stored_size,
            "stored_root": self.stored_root.hex(),
            "stored_note": self.stored_note,
            "presented_note": self.presented_note,
            "consistency_proof": list(self.proof),
        }


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=5.0, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    return connection


class WitnessState:
    """The witness's database, opened for one witness key."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        """Use an open connection (see ``create`` and ``open``)."""
        self.connection = connection

    @classmethod
    def create(cls, path: Path, witness_vkey: str) -> WitnessState:
        """Create a new witness database bound to ``witness_vkey``; refuse an existing file."""
        if path.exists():
            raise WitnessStateError(f"{path} already exists: a witness's state is never reset")
        connection = _connect(path)
        connection.executescript(SCHEMA)
        connection.execute("INSERT INTO meta VALUES ('witness_vkey', ?)", (witness_vkey,))
        return cls(connection)

    @classmethod
    def open(cls, path: Path, witness_vkey: str) -> WitnessState:
        """Open an existing database, checking it belongs to ``witness_vkey``."""
        if not path.exists():
            raise WitnessStateError(
                f"no witness database at {path}: create it with `newsledger witness init` "
                "(a lost database would let the witness cosign a rollback)"
            )
        connection = _connect(path)
        row = connection.execute("SELECT value FROM meta WHERE name = 'witness_vkey'").fetchone()
        if row is None or row[0] != witness_vkey:
            raise WitnessStateError(
                f"{path} belongs to witness {row[0] if row else '?'}, not {witness_vkey}"
            )
        return cls(connection)

    def add_log(self, origin: str, vkey: str) -> None:
        """Trust ``vkey`` for checkpoints of ``origin`` (several keys allow a rotation)."""
        self.connection.execute(
            "INSERT OR IGNORE INTO logs VALUES (?, ?, ?)", (origin, vkey, int(time.time()))
        )

    def log_keys(self, origin: str) -> list[str]:
        """Return the log keys trusted for ``origin`` (none: the origin is unknown)."""
        rows = self.connection.execute("SELECT vkey FROM logs WHERE origin = ?", (origin,))
        return [str(row[0]) for row in rows]

    def origins(self) -> list[str]:
        """Return every origin the witness knows."""
        rows = self.connection.execute("SELECT DISTINCT origin FROM logs ORDER BY origin")
        return [str(row[0]) for row in rows]

    def log_state(self, origin: str) -> LogState:
        """Return the latest cosigned checkpoint of ``origin``, or size 0 and the empty root."""
        return self._read(self.connection, origin)

    @staticmethod
    def _read(connection: sqlite3.Connection, origin: str) -> LogState:
        row = connection.execute(
            "SELECT size, root, note, cosigned_at FROM state WHERE origin = ?", (origin,)
        ).fetchone()
        if row is None:
            return LogState(origin, 0, EMPTY_ROOT, None, 0)
        return LogState(origin, int(row[0]), bytes(row[1]), str(row[2]), int(row[3]))

    def begin(self) -> sqlite3.Connection:
        """Start a write transaction that holds the database until committed or rolled back."""
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def replace_state(
        self, connection: sqlite3.Connection, previous: LogState, new: LogState
    ) -> None:
        """Move a log from ``previous`` to ``new`` inside ``begin``'s transaction (or raise)."""
        assert new.note is not None
        if previous.note is None:
            connection.execute(
                "INSERT INTO state VALUES (?, ?, ?, ?, ?)",
                (new.origin, new.size, new.root, new.note, new.cosigned_at),
            )
            return
        changed = connection.execute(
            "UPDATE state SET size = ?, root = ?, note = ?, cosigned_at = ? "
            "WHERE origin = ? AND size = ? AND root = ?",
            (
                new.size,
                new.root,
                new.note,
                new.cosigned_at,
                new.origin,
                previous.size,
                previous.root,
            ),
        ).rowcount
        if changed != 1:
            raise WitnessStateError(f"the state of {new.origin} changed underneath")

    def record_evidence(self, evidence: Evidence) -> None:
        """Keep a contradiction (best effort, capped per log); never raises."""
        try:
            count = self.connection.execute(
                "SELECT count(*) FROM evidence WHERE origin = ?", (evidence.origin,)
            ).fetchone()[0]
            if count >= EVIDENCE_PER_LOG:
                return
            self.connection.execute(
                "INSERT INTO evidence (origin, received_at, reason, old_size, stored_size, "
                "stored_root, stored_note, presented_note, proof) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    evidence.origin,
                    evidence.received_at,
                    evidence.reason,
                    evidence.old_size,
                    evidence.stored_size,
                    evidence.stored_root,
                    evidence.stored_note,
                    evidence.presented_note,
                    json.dumps(list(evidence.proof)),
                ),
            )
        except sqlite3.Error:
            return

    def evidence(self, origin: str | None = None) -> list[Evidence]:
        """Return the evidence kept, oldest first, for one log or all."""
        query = (
            "SELECT origin, received_at, reason, old_size, stored_size, stored_root, "
            "stored_note, presented_note, proof FROM evidence"
        )
        parameters: tuple[str, ...] = ()
        if origin is not None:
            query += " WHERE origin = ?"
            parameters = (origin,)
        rows = self.connection.execute(query + " ORDER BY id", parameters).fetchall()
        return [
            Evidence(
                str(r[0]),
                int(r[1]),
                str(r[2]),
                int(r[3]),
                int(r[4]),
                bytes(r[5]),
                r[6],
                str(r[7]),
                tuple(json.loads(r[8])),
            )
            for r in rows
        ]

    def close(self) -> None:
        """Close the database."""
        self.connection.close()
