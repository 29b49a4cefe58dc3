"""Rewriting the database behind the service is found by the verifier at the exact sequence number.

Each story: a client verifies the log and keeps its trusted state; someone with superuser
access then edits rows directly (triggers off); the next verification fails, names the
first sequence number affected, and leaves the client's trusted state untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.application.ledger import Ledger
from newsledger.audit.note import Signer
from newsledger.audit.verify.live import AuditClient
from newsledger.domain.json_text import normalise_json
from tests.integration.audit.helpers import behind_the_service, seed, verify

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture
def trusted(
    ledger: Ledger, audit_client: AuditClient, signer: Signer, state_path: Path
) -> tuple[int, bytes]:
    """Seed the log and verify it once; return its size and the saved trusted state."""
    size = seed(ledger)
    assert verify(audit_client, state_path, "--vkey", signer.vkey) == 0
    return size, state_path.read_bytes()


def reverify(
    audit_client: AuditClient, state_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """Verify again; return the exit status and everything printed."""
    capsys.readouterr()
    status = verify(audit_client, state_path)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def flip_bit(data: bytes, offset: int) -> bytes:
    """Return data with the lowest bit of one byte flipped."""
    return data[:offset] + bytes([data[offset] ^ 1]) + data[offset + 1 :]


def test_a_flipped_byte_in_one_events_payload_is_found_at_its_sequence_number(
    engine: Engine,
    audit_client: AuditClient,
    state_path: Path,
    trusted: tuple[int, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with behind_the_service(engine) as sql:
        payload = sql.execute(sa.text("SELECT payload FROM events WHERE position = 9")).scalar()
        altered = payload.replace("a", "b", 1)
        sql.execute(sa.text("UPDATE events SET payload = :p WHERE position = 9"), {"p": altered})

    status, output = reverify(audit_client, state_path, capsys)

    assert status == 1, output
    assert "verification FAILED at sequence 9" in output
    assert "FAIL sequence 9: payload" in output
    assert state_path.read_bytes() == trusted[1]


def test_a_rewritten_development_id_in_one_events_metadata_is_found_at_its_sequence_number(
    engine: Engine,
    audit_client: AuditClient,
    state_path: Path,
    trusted: tuple[int, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with behind_the_service(engine) as sql:
        stored = sql.execute(sa.text("SELECT metadata FROM events WHERE position = 6")).scalar()
        assert isinstance(stored, str)
        metadata = json.loads(stored)
        assert metadata["development_id"]
        forged = normalise_json({**metadata, "development_id": "forged-development"})
        sql.execute(sa.text("UPDATE events SET metadata = :m WHERE position = 6"), {"m": forged})

    status, output = reverify(audit_client, state_path, capsys)

    assert status == 1, output
    assert "verification FAILED at sequence 6" in output
    assert (
        "FAIL sequence 6: metadata: the served metadata does not match the leaf's metadata_sha256"
        in output
    )
    assert state_path.read_bytes() == trusted[1]


def test_a_flipped_bit_in_one_stored_leaf_is_found_at_its_sequence_number(
    engine: Engine,
    audit_client: AuditClient,
    state_path: Path,
    trusted: tuple[int, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with behind_the_service(engine) as sql:
        leaf = sql.execute(sa.text("SELECT leaf FROM audit_leaves WHERE position = 17")).scalar()
        altered = flip_bit(bytes(leaf), len(leaf) // 2)
        sql.execute(
            sa.text("UPDATE audit_leaves SET leaf = :l WHERE position = 17"), {"l": altered}
        )

    status, output = reverify(audit_client, state_path, capsys)

    assert status == 1, output
    assert "verification FAILED at sequence 17" in output
    assert "FAIL sequence 17: subtree: stored hash (0, 17)" in output
    assert state_path.read_bytes() == trusted[1]


def test_deleting_the_last_rows_is_found_at_the_first_missing_sequence_number(
    engine: Engine,
    audit_client: AuditClient,
    state_path: Path,
    trusted: tuple[int, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    size = trusted[0]
    cut = size - 3
    with behind_the_service(engine) as sql:
        for table in ("events", "audit_leaves"):
            sql.execute(sa.text(f"DELETE FROM {table} WHERE position >= :cut"), {"cut": cut})
        sql.execute(
            sa.text("DELETE FROM audit_nodes WHERE (idx + 1) * power(2, level) - 1 >= :cut"),
            {"cut": cut},
        )

    status, output = reverify(audit_client, state_path, capsys)

    assert status == 1, output
    assert f"FAIL sequence {cut}: missing: the checkpoint commits to {size} entries" in output
    assert state_path.read_bytes() == trusted[1]


def test_deleting_the_last_rows_and_their_checkpoints_is_refused_as_a_rollback(
    engine: Engine,
    audit_client: AuditClient,
    state_path: Path,
    trusted: tuple[int, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    size = trusted[0]
    with behind_the_service(engine) as sql:
        for table in ("events", "audit_leaves"):
            sql.execute(sa.text(f"DELETE FROM {table} WHERE position >= :cut"), {"cut": size - 3})
        sql.execute(sa.text("DELETE FROM audit_checkpoints"))

    status, output = reverify(audit_client, state_path, capsys)

    assert status == 3, output
    assert f"log presented size {size - 3}, smaller than the trusted size {size}" in output
    assert state_path.read_bytes() == trusted[1]


def test_two_swapped_leaf_rows_are_found_at_the_first_of_them(
    engine: Engine,
    audit_client: AuditClient,
    state_path: Path,
    trusted: tuple[int, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with behind_the_service(engine) as sql:
        select = sa.text("SELECT leaf FROM audit_leaves WHERE position = :p")
        update = sa.text("UPDATE audit_leaves SET leaf = :l WHERE position = :p")
        eleven = sql.execute(select, {"p": 11}).scalar()
        twelve = sql.execute(select, {"p": 12}).scalar()
        sql.execute(update, {"l": twelve, "p": 11})
        sql.execute(update, {"l": eleven, "p": 12})

    status, output = reverify(audit_client, state_path, capsys)

    assert status == 1, output
    assert "verification FAILED at sequence 11" in output
    assert "FAIL sequence 11: leaf: the leaf says sequence number 12" in output
    assert "FAIL sequence 12: leaf: the leaf says sequence number 11" in output
    assert state_path.read_bytes() == trusted[1]


def test_a_corrupted_subtree_hash_is_found_at_the_first_leaf_it_covers(
    engine: Engine,
    audit_client: AuditClient,
    state_path: Path,
    trusted: tuple[int, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with behind_the_service(engine) as sql:
        where = "WHERE level = 2 AND idx = 3"
        node = sql.execute(sa.text(f"SELECT hash FROM audit_nodes {where}")).scalar()
        sql.execute(
            sa.text(f"UPDATE audit_nodes SET hash = :h {where}"), {"h": flip_bit(bytes(node), 0)}
        )

    status, output = reverify(audit_client, state_path, capsys)

    assert status == 1, output
    assert "verification FAILED at sequence 12" in output
    assert "FAIL sequence 12: subtree: stored hash (2, 3) over 12..15 differs" in output
    assert state_path.read_bytes() == trusted[1]
