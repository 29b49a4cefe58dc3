"""The log's identity in its database: the origin, the key that signs, and the handovers.

The first server to start on an empty log fixes its origin and its signing key. Every later
server, whatever its working directory or host, must present that key, or refuses to start
with a message saying which key the log expects. Keys change only by a signed handover
(`newsledger keys rotate`), recorded here and served to verifiers.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from newsledger.audit.checkpoint import open_checkpoint
from newsledger.audit.handover import KeyHandover, make_handover, open_handover
from newsledger.audit.note import NoteError, Signer
from newsledger.store.engine import SQLITE_BEGIN, is_sqlite
from newsledger.store.tables import (
    audit_checkpoints,
    audit_leaves,
    audit_log_identity,
    audit_signing_keys,
)

GENERATED_ORIGIN_PREFIX = "newsledger.local/log-"


class LogIdentityError(Exception):
    """The configured origin or key is not the log's, or a key change was refused."""


@dataclass(frozen=True, slots=True)
class RecordedKey:
    """A key that signs or signed the log's checkpoints."""

    vkey: str
    activated_at_us: int
    retired_at_us: int | None
    handover: str | None


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in a transaction that reads and then writes the identity.

    On SQLite the transaction takes the write lock at once: a read lock upgraded later
    would fail at once ("database is locked") when another server starts at the same time.
    """
    with engine.connect() as connection:
        if is_sqlite(connection):
            connection = connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with connection.begin():
            yield connection


def _now_us() -> int:
    return time.time_ns() // 1000


def generated_origin() -> str:
    """Return a fresh origin unique to one log: a fixed prefix and 48 random bits."""
    return GENERATED_ORIGIN_PREFIX + secrets.token_hex(6)


def recorded_origin(connection: Connection) -> str | None:
    """Return the origin the log recorded, or None before its first server started."""
    query = sa.select(audit_log_identity.c.origin).where(audit_log_identity.c.id == 1)
    return connection.execute(query).scalar_one_or_none()


def _origin_of_leaves(connection: Connection) -> str | None:
    """Return the origin named by the first leaf of a log written before origins were recorded."""
    query = sa.select(audit_leaves.c.leaf).order_by(audit_leaves.c.position).limit(1)
    leaf = connection.execute(query).scalar_one_or_none()
    if leaf is None:
        return None
    origin = json.loads(bytes(leaf)).get("log_origin")
    return origin if isinstance(origin, str) else None


def establish_origin(engine: Engine, configured: str | None) -> str:
    """Return the log's origin, recording it on first use (configured, or else generated)."""
    with engine.connect() as connection:
        recorded = recorded_origin(connection)
        first_leaf_origin = None if recorded else _origin_of_leaves(connection)
    if recorded is None:
        origin = first_leaf_origin or configured or generated_origin()
        try:
            with _writing(engine) as connection:
                connection.execute(
                    audit_log_identity.insert().values(id=1, origin=origin, created_at_us=_now_us())
                )
        except exc.IntegrityError:
            pass  # another server recorded it first
        with engine.connect() as connection:
            recorded = recorded_origin(connection)
        assert recorded is not None
    if configured and configured != recorded:
        raise LogIdentityError(
            f"this log's origin is {recorded!r}, but NEWSLEDGER_LOG_ORIGIN says {configured!r}: "
            f"a log keeps its origin for life (it is in every leaf); unset NEWSLEDGER_LOG_ORIGIN "
            f"or set it to {recorded!r}"
        )
    return recorded


def active_vkey(connection: Connection) -> str | None:
    """Return the verifier key of the log's signing key, or None before one is recorded."""
    query = sa.select(audit_log_identity.c.active_vkey).where(audit_log_identity.c.id == 1)
    return connection.execute(query).scalar_one_or_none()


def recorded_keys(connection: Connection) -> list[RecordedKey]:
    """Return every key that signs or signed the log, oldest first."""
    table = audit_signing_keys
    rows = connection.execute(sa.select(table).order_by(table.c.activated_at_us, table.c.vkey))
    return [
        RecordedKey(row.vkey, int(row.activated_at_us), row.retired_at_us, row.handover)
        for row in rows
    ]


def handover_notes(connection: Connection) -> list[str]:
    """Return the signed handover notes of the log's key rotations, oldest first."""
    return [key.handover for key in recorded_keys(connection) if key.handover]


def _latest_note(connection: Connection) -> str | None:
    query = sa.select(audit_checkpoints.c.note).order_by(audit_checkpoints.c.size.desc())
    return connection.execute(query.limit(1)).scalar_one_or_none()


def key_expected(engine: Engine) -> str | None:
    """Return the vkey a server of this log must sign with, or None when any key may start it."""
    with engine.connect() as connection:
        return active_vkey(connection)


def missing_key_message(expected: str, key_path: Path | None) -> str:
    """Say what to do when the log's key file is not where the server looked."""
    where = f"no key file at {key_path}" if key_path else "no key file was configured"
    return (
        f"this log's checkpoints are signed by {expected}, and there is {where}: "
        "set NEWSLEDGER_SIGNING_KEY to the file that holds that key (every replica shares "
        "one key); `newsledger keys show` prints the log's keys"
    )


def adopt_signer(engine: Engine, signer: Signer, key_path: Path | None) -> None:
    """Check ``signer`` is the log's signing key, recording it if the log has none yet.

    A log written before keys were recorded adopts the key only if it verifies the log's
    latest checkpoint. Raises LogIdentityError with what to do otherwise.
    """
    where = f" in {key_path}" if key_path else ""
    with _writing(engine) as connection:
        expected = active_vkey(connection)
        if expected is None:
            latest = _latest_note(connection)
            if latest is not None:
                try:
                    open_checkpoint(latest, signer.verifier, signer.name)
                except NoteError:
                    raise LogIdentityError(
                        f"the key{where} ({signer.vkey}) did not sign this log's latest "
                        "checkpoint: set NEWSLEDGER_SIGNING_KEY to the key file that did"
                    ) from None
            claim = (
                sa.update(audit_log_identity)
                .where(audit_log_identity.c.id == 1, audit_log_identity.c.active_vkey.is_(None))
                .values(active_vkey=signer.vkey)
            )
            if connection.execute(claim).rowcount == 1:
                connection.execute(
                    audit_signing_keys.insert().values(
                        vkey=signer.vkey, activated_at_us=_now_us(), retired_at_us=None
                    )
                )
                return
            expected = active_vkey(connection)
    if expected != signer.vkey:
        retired = (
            " (it was retired by `newsledger keys rotate`)"
            if _is_retired(engine, signer.vkey)
            else ""
        )
        raise LogIdentityError(
            f"the key{where} ({signer.vkey}) is not this log's signing key{retired}; the log "
            f"is signed by {expected}: set NEWSLEDGER_SIGNING_KEY to the file that holds it, "
            "or change keys only with `newsledger keys rotate`"
        )


def _is_retired(engine: Engine, vkey: str) -> bool:
    with engine.connect() as connection:
        return any(key.vkey == vkey for key in recorded_keys(connection))


def rotate_key(engine: Engine, old: Signer, new: Signer) -> KeyHandover:
    """Hand the log's signing over from ``old`` to ``new``, recording the signed handover."""
    with _writing(engine) as connection:
        size = connection.execute(sa.select(sa.func.max(audit_checkpoints.c.size))).scalar()
        handover = open_handover(make_handover(old, new, int(size or 0)))
        swap = (
            sa.update(audit_log_identity)
            .where(audit_log_identity.c.id == 1, audit_log_identity.c.active_vkey == old.vkey)
            .values(active_vkey=new.vkey)
        )
        if connection.execute(swap).rowcount != 1:
            raise LogIdentityError(
                f"{old.vkey} is not the log's signing key now: nothing was rotated"
            )
        now = _now_us()
        connection.execute(
            sa.update(audit_signing_keys)
            .where(audit_signing_keys.c.vkey == old.vkey)
            .values(retired_at_us=now)
        )
        connection.execute(
            audit_signing_keys.insert().values(
                vkey=new.vkey, activated_at_us=now, retired_at_us=None, handover=handover.note
            )
        )
    return handover
