"""The audit log is written with every append, immutable, and signed one root per size."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.application.audit import AuditLog
from newsledger.audit.merkle import MemoryNodeStore
from newsledger.audit.storage.checkpoints import CheckpointRefused
from newsledger.store.errors import InvalidAppend
from newsledger.store.records import ProposedEvent
from tests.support.audit import ORIGIN, behind_the_service
from tests.support.builders import Stream
from tests.support.factories import events
from tests.support.immutability import AUDIT_TABLES, ImmutableTable, unrefused_changes


def stored(engine: Engine, query: str) -> list[tuple[object, ...]]:
    """Return the rows of a query."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def test_each_append_stores_its_leaves_and_every_complete_subtree_hash(
    app: Application, engine: Engine
) -> None:
    for batch in range(5):
        app.store.append(f"s-{batch}", events(3))

    leaves = [bytes(leaf) for (_, leaf) in stored(engine, "SELECT * FROM audit_leaves ORDER BY 1")]
    expected = MemoryNodeStore()
    expected.append_leaves(leaves)
    nodes = {(lv, ix): bytes(h) for lv, ix, h in stored(engine, "SELECT * FROM audit_nodes")}
    assert len(leaves) == 15
    assert nodes == expected.nodes
    assert b'"sequence_number":14' in leaves[14]
    assert f'"log_origin":"{ORIGIN}"'.encode() in leaves[0]


def test_the_envelope_carries_the_reports_valid_times(app: Application, engine: Engine) -> None:
    report = {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"},
        "expires": {"precision": "DATE_PRECISION_INSTANT", "start_time": "2025-08-12T04:01:00Z"},
    }
    app.store.append("s", [ProposedEvent(uuid.uuid4(), "Noted", {"report": report})])

    (leaf,) = stored(engine, "SELECT leaf FROM audit_leaves")[0]
    assert (
        b'"valid_time":{"announced":null,"effective":null,"expires":"2025-08-12T04:01:00Z",'
        b'"occurred_end":null,"occurred_precision":"DATE_PRECISION_DAY",'
        b'"occurred_start":"2025-06-10"}' in bytes(leaf)
    )


def test_a_payload_with_a_float_is_refused_naming_the_field_and_nothing_is_written(
    app: Application, engine: Engine
) -> None:
    app.store.append("s", events(2))
    bad = ProposedEvent(uuid.uuid4(), "Noted", {"figures": {"growth": 2.3}})

    with pytest.raises(InvalidAppend) as refused:
        app.store.append("s", [*events(1), bad])

    assert refused.value.field == "events[1].payload_json.figures.growth"
    assert "floats are not allowed" in str(refused.value)
    for table in ("events", "audit_leaves"):
        assert stored(engine, f"SELECT count(*) FROM {table}") == [(2,)]


def test_metadata_with_a_float_is_refused_naming_the_metadata_field(
    app: Application, engine: Engine
) -> None:
    bad = ProposedEvent(uuid.uuid4(), "Noted", {"n": 1}, {"weight": 0.5})

    with pytest.raises(InvalidAppend) as refused:
        app.store.append("s", [*events(1), bad])

    assert refused.value.field == "events[1].metadata_json.weight"
    assert "floats are not allowed" in str(refused.value)
    for table in ("events", "audit_leaves"):
        assert stored(engine, f"SELECT count(*) FROM {table}") == [(0,)]


def test_the_leaf_commits_to_the_canonical_metadata(app: Application, engine: Engine) -> None:
    metadata = {"source_name": "Wire", "development_id": "d-1"}
    app.store.append("s", [ProposedEvent(uuid.uuid4(), "Noted", {"n": 1}, metadata)])

    (leaf,) = stored(engine, "SELECT leaf FROM audit_leaves")[0]
    assert isinstance(leaf, bytes | memoryview)
    canonical = b'{"development_id":"d-1","source_name":"Wire"}'
    assert json.loads(bytes(leaf))["metadata_sha256"] == hashlib.sha256(canonical).hexdigest()


@pytest.mark.parametrize("table", AUDIT_TABLES, ids=lambda table: table.name)
def test_the_audit_tables_refuse_every_way_to_replace_change_or_remove_a_row(
    app: Application, audit: AuditLog, engine: Engine, table: ImmutableTable
) -> None:
    app.store.append("s", events(2))
    audit.checkpoint()
    assert unrefused_changes(engine, table) == []


def test_the_database_refuses_a_second_root_for_a_signed_size(
    app: Application, audit: AuditLog, engine: Engine
) -> None:
    app.store.append("s", events(4))
    signed = audit.checkpoint()

    with pytest.raises(exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO audit_checkpoints VALUES (:size, :root, 'forged', 0)"),
            {"size": signed.size, "root": bytes(32)},
        )


def test_the_service_refuses_to_sign_a_tree_inconsistent_with_its_last_checkpoint(
    app: Application, audit: AuditLog, engine: Engine
) -> None:
    app.store.append("s", events(4))
    audit.checkpoint()
    with behind_the_service(engine) as sql:
        sql.execute(sa.text("UPDATE audit_nodes SET hash = :h WHERE level = 2"), {"h": bytes(32)})
    app.store.append("s", events(1))

    with pytest.raises(CheckpointRefused, match="root at size 4 differs from the signed"):
        audit.checkpoint()
    assert stored(engine, "SELECT size FROM audit_checkpoints") == [(4,)]


def test_a_replay_ends_on_the_served_view_and_a_known_at_cut_stops_earlier(
    app: Application, audit: AuditLog
) -> None:
    story = Stream("replayed-talks").opened().person("ana", "us").person("bo", "cn").truce()
    for recorded in story.events:  # one append each, so each has its own record time
        proposed = ProposedEvent(
            recorded.event_id, recorded.event_type, recorded.payload, recorded.metadata
        )
        app.ledger.append(recorded.stream, [proposed])
    as_of = date(2025, 6, 11)

    steps = list(audit.replay("replayed-talks", None, as_of))
    known_then = list(audit.replay("replayed-talks", steps[1].event.record_time, as_of))

    assert steps[-1].view == app.queries.view("replayed-talks", as_of)
    assert [step.event.event_type for step in known_then] == [
        "NegotiationOpened",
        "PersonRoleAssigned",
    ]
    assert known_then[-1].view == steps[1].view
    assert "truce" in steps[-1].view and "truce" not in known_then[-1].view
