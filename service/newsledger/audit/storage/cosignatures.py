"""The witness cosignatures a log collected, and its record of what each witness cosigned.

Lines are stored only after they verified against the witness's key and the checkpoint
text; one line per (size, witness name, key ID), the newest timestamp kept. A served note is
the log's note followed by these lines, sorted, so verifiers that do not know the witnesses
ignore them and those that do can count a quorum.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from newsledger.audit.cosignature import CosignatureVerifier, cosignature_time
from newsledger.store.tables import audit_cosignatures, audit_witness_state


def _now_us() -> int:
    return time.time_ns() // 1000


def store_cosignature(engine: Engine, size: int, witness: CosignatureVerifier, line: str) -> None:
    """Keep a verified cosignature line for ``size``, replacing an older one of that witness."""
    cosigned_at = cosignature_time(line)
    table = audit_cosignatures
    row = {
        "size": size,
        "key_name": witness.name,
        "key_id": witness.key_id,
        "line": line,
        "cosigned_at": cosigned_at,
        "received_at_us": _now_us(),
    }
    try:
        with engine.begin() as connection:
            connection.execute(table.insert().values(**row))
        return
    except exc.IntegrityError:
        pass  # this witness cosigned this size before: keep the newer of the two
    with engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(
                table.c.size == size,
                table.c.key_name == witness.name,
                table.c.key_id == witness.key_id,
                table.c.cosigned_at < cosigned_at,
            )
            .values(line=line, cosigned_at=cosigned_at, received_at_us=row["received_at_us"])
        )


def cosignature_lines(connection: Connection, size: int) -> list[str]:
    """Return the stored cosignature lines of ``size``, sorted by witness name and key ID."""
    table = audit_cosignatures
    query = (
        sa.select(table.c.line)
        .where(table.c.size == size)
        .order_by(table.c.key_name, table.c.key_id)
    )
    return [str(line) for line in connection.execute(query).scalars()]


def with_cosignatures(connection: Connection, size: int, note: str) -> str:
    """Return the log's note followed by the cosignature lines stored for its size."""
    return note + "".join(line + "\n" for line in cosignature_lines(connection, size))


def largest_witnessed_size(
    connection: Connection, witnesses: Sequence[CosignatureVerifier], quorum: int
) -> int | None:
    """Return the largest size cosigned by at least ``quorum`` of ``witnesses``, or None."""
    if not witnesses or quorum < 1:
        return None
    table = audit_cosignatures
    keys = [sa.and_(table.c.key_name == w.name, table.c.key_id == w.key_id) for w in witnesses]
    query = (
        sa.select(table.c.size)
        .where(sa.or_(*keys))
        .group_by(table.c.size)
        .having(sa.func.count() >= quorum)
        .order_by(table.c.size.desc())
        .limit(1)
    )
    found = connection.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def known_size(engine: Engine, witness_vkey: str) -> int:
    """Return the size the log last saw this witness cosign (0 before any)."""
    query = sa.select(audit_witness_state.c.known_size).where(
        audit_witness_state.c.vkey == witness_vkey
    )
    with engine.connect() as connection:
        found = connection.execute(query).scalar_one_or_none()
    return 0 if found is None else int(found)


def record_witness(engine: Engine, witness_vkey: str, size: int, error: str | None) -> None:
    """Record what a witness last cosigned for this log, and the last error it gave."""
    table = audit_witness_state
    values = {"known_size": size, "last_error": error, "updated_at_us": _now_us()}
    with engine.begin() as connection:
        updated = connection.execute(
            sa.update(table).where(table.c.vkey == witness_vkey).values(**values)
        ).rowcount
        if updated:
            return
    try:
        with engine.begin() as connection:
            connection.execute(table.insert().values(vkey=witness_vkey, **values))
    except exc.IntegrityError:
        record_witness(engine, witness_vkey, size, error)  # another replica inserted it first


def witness_errors(engine: Engine) -> dict[str, str]:
    """Return the last error of each witness that has one."""
    table = audit_witness_state
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.vkey, table.c.last_error).where(table.c.last_error.is_not(None))
        )
        return {str(vkey): str(error) for vkey, error in rows}
