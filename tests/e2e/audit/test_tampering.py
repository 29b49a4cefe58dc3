"""Rewriting the database behind the service is found by the verifier at the exact sequence number.

Each case: a client verifies the log and keeps its trusted state; someone with superuser
access then edits rows directly (triggers off); the next verification fails with the case's
exit status, prints what the case expects, and leaves the client's trusted state untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.application.app import Application
from newsledger.audit.note import Signer
from newsledger.audit.verify.live import AuditClient
from newsledger.cli.exits import ExitCode
from newsledger.domain.json_text import normalise_json
from newsledger.v1.event_store_pb2 import ReadLogResponse
from tests.support.audit import behind_the_service, seed, verify

pytestmark = pytest.mark.usefixtures("server")


def flip_bit(data: bytes, offset: int) -> bytes:
    """Return data with the lowest bit of one byte flipped."""
    return data[:offset] + bytes([data[offset] ^ 1]) + data[offset + 1 :]


def _scalar(sql: Connection, query: str) -> object:
    return sql.execute(sa.text(query)).scalar()


def edit_payload(sql: Connection, size: int) -> None:
    payload = str(_scalar(sql, "SELECT payload FROM events WHERE position = 9"))
    altered = payload.replace("a", "b", 1)
    sql.execute(sa.text("UPDATE events SET payload = :p WHERE position = 9"), {"p": altered})


def rewrite_served_payload(sql: Connection, size: int) -> None:
    item = _scalar(sql, "SELECT response_item FROM events WHERE position = 8")
    assert isinstance(item, bytes | memoryview)
    page = ReadLogResponse.FromString(bytes(item))
    page.events[0].payload_json = page.events[0].payload_json.replace("a", "b", 1)
    sql.execute(
        sa.text("UPDATE events SET response_item = :i WHERE position = 8"),
        {"i": page.SerializeToString()},
    )


def forge_development_id(sql: Connection, size: int) -> None:
    metadata = json.loads(str(_scalar(sql, "SELECT metadata FROM events WHERE position = 6")))
    assert metadata["development_id"]
    forged = normalise_json({**metadata, "development_id": "forged-development"})
    sql.execute(sa.text("UPDATE events SET metadata = :m WHERE position = 6"), {"m": forged})


def flip_leaf_bit(sql: Connection, size: int) -> None:
    leaf = _scalar(sql, "SELECT leaf FROM audit_leaves WHERE position = 17")
    assert isinstance(leaf, bytes | memoryview)
    altered = flip_bit(bytes(leaf), len(leaf) // 2)
    sql.execute(sa.text("UPDATE audit_leaves SET leaf = :l WHERE position = 17"), {"l": altered})


def delete_last_rows(sql: Connection, size: int) -> None:
    cut = size - 3
    for table in ("events", "audit_leaves"):
        sql.execute(sa.text(f"DELETE FROM {table} WHERE position >= :cut"), {"cut": cut})
    sql.execute(
        sa.text("DELETE FROM audit_nodes WHERE (idx + 1) * power(2, level) - 1 >= :cut"),
        {"cut": cut},
    )


def delete_last_rows_and_checkpoints(sql: Connection, size: int) -> None:
    for table in ("events", "audit_leaves"):
        sql.execute(sa.text(f"DELETE FROM {table} WHERE position >= :cut"), {"cut": size - 3})
    sql.execute(sa.text("DELETE FROM audit_checkpoints"))


def swap_two_leaves(sql: Connection, size: int) -> None:
    select = sa.text("SELECT leaf FROM audit_leaves WHERE position = :p")
    update = sa.text("UPDATE audit_leaves SET leaf = :l WHERE position = :p")
    eleven = sql.execute(select, {"p": 11}).scalar()
    twelve = sql.execute(select, {"p": 12}).scalar()
    sql.execute(update, {"l": twelve, "p": 11})
    sql.execute(update, {"l": eleven, "p": 12})


def corrupt_subtree_hash(sql: Connection, size: int) -> None:
    where = "WHERE level = 2 AND idx = 3"
    node = _scalar(sql, f"SELECT hash FROM audit_nodes {where}")
    assert isinstance(node, bytes | memoryview)
    sql.execute(
        sa.text(f"UPDATE audit_nodes SET hash = :h {where}"), {"h": flip_bit(bytes(node), 0)}
    )


@dataclass(frozen=True)
class Tampering:
    """An edit behind the service, and what the verifier must answer (`{size}` is formatted)."""

    edit: Callable[[Connection, int], None]
    status: int
    expected: tuple[str, ...]


TAMPERINGS = {
    "a flipped byte in one event's payload": Tampering(
        edit_payload,
        ExitCode.VERIFICATION_FAILED,
        ("verification FAILED at sequence 9", "FAIL sequence 9: payload"),
    ),
    "a rewritten payload in the response item ReadLog sends": Tampering(
        rewrite_served_payload,
        ExitCode.VERIFICATION_FAILED,
        (
            "verification FAILED at sequence 8",
            "FAIL sequence 8: served event: the event ReadLog and ReadStream send differs "
            "from the recorded one in payload",
        ),
    ),
    "a rewritten development id in one event's metadata": Tampering(
        forge_development_id,
        ExitCode.VERIFICATION_FAILED,
        (
            "verification FAILED at sequence 6",
            "FAIL sequence 6: metadata: the served metadata does not match the leaf's "
            "metadata_sha256",
        ),
    ),
    "a flipped bit in one stored leaf": Tampering(
        flip_leaf_bit,
        ExitCode.VERIFICATION_FAILED,
        ("verification FAILED at sequence 17", "FAIL sequence 17: subtree: stored hash (0, 17)"),
    ),
    "the last rows deleted": Tampering(
        delete_last_rows,
        ExitCode.VERIFICATION_FAILED,
        ("FAIL sequence {cut}: missing: the checkpoint commits to {size} entries",),
    ),
    "the last rows and every checkpoint deleted (a rollback)": Tampering(
        delete_last_rows_and_checkpoints,
        ExitCode.VERIFICATION_FAILED,
        ("log presented size {cut}, smaller than the trusted size {size}",),
    ),
    "two leaf rows swapped": Tampering(
        swap_two_leaves,
        ExitCode.VERIFICATION_FAILED,
        (
            "verification FAILED at sequence 11",
            "FAIL sequence 11: leaf: the leaf says sequence number 12",
            "FAIL sequence 12: leaf: the leaf says sequence number 11",
        ),
    ),
    "a corrupted subtree hash": Tampering(
        corrupt_subtree_hash,
        ExitCode.VERIFICATION_FAILED,
        (
            "verification FAILED at sequence 12",
            "FAIL sequence 12: subtree: stored hash (2, 3) over 12..15 differs",
        ),
    ),
}


@pytest.mark.parametrize("case", list(TAMPERINGS))
def test_tampering_behind_the_service_is_found_and_the_trusted_state_is_kept(
    case: str,
    app: Application,
    engine: Engine,
    audit_client: AuditClient,
    signer: Signer,
    state_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tampering = TAMPERINGS[case]
    size = seed(app)
    assert verify(audit_client, state_path, "--vkey", signer.vkey) == 0
    trusted = state_path.read_bytes()
    with behind_the_service(engine) as sql:
        tampering.edit(sql, size)

    capsys.readouterr()
    status = verify(audit_client, state_path)
    captured = capsys.readouterr()
    output = captured.out + captured.err

    assert status == tampering.status, output
    for expected in tampering.expected:
        assert expected.format(size=size, cut=size - 3) in output
    assert state_path.read_bytes() == trusted
