"""Upgrading a log recorded before the audit existed keeps its events and makes it verifiable."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from newsledger.audit.storage.tree import AuditObserver
from newsledger.audit.verify.auditor import LogAuditor
from newsledger.bootstrap import build_application
from newsledger.config import DEFAULT_LOG_ORIGIN
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import (
    current_revision,
    head_revision,
    migrations_dir,
    upgrade_to_head,
)
from newsledger.store.records import ProposedEvent
from tests.conftest import fresh_postgres_schema
from tests.support.factories import events
from tests.support.older_schema import appending_to_an_older_schema, older_event_rows

RECORDED_AT_US = 1_750_000_000_123_456


def upgrade_to(engine: Engine, revision: str) -> None:
    """Migrate the database to one revision."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def raw_events(engine: Engine) -> list[tuple[object, ...]]:
    """Return the fields of every event row (the columns every revision has), as stored."""
    return older_event_rows(engine)


def test_an_upgrade_from_0001_keeps_events_identical_and_backfills_a_verifiable_tree(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    upgrade_to(engine, "0001")
    old_store = EventStore(engine)
    with appending_to_an_older_schema(engine):
        for batch in range(4):
            old_store.append(f"before-audit-{batch}", events(5))
    before = raw_events(engine)

    upgrade_to_head(engine)

    assert current_revision(engine) == head_revision()
    assert raw_events(engine) == before
    app = build_application(EventStore(engine))
    app.store.append("after-audit", events(3))
    audit = app.audit
    checkpoint = audit.checkpoint()
    auditor = LogAuditor(DEFAULT_LOG_ORIGIN, checkpoint.size, checkpoint.root)
    for entry in audit.entries(0, checkpoint.size):
        auditor.add(entry)
    report = auditor.finish()
    assert checkpoint.size == 23
    assert report.ok, report.findings
    assert report.entries_checked == 23


def test_an_append_by_a_store_without_the_audit_is_caught_up_by_the_next_audited_append(
    engine: Engine,
) -> None:
    EventStore(engine).append("unaudited", events(3))
    app = build_application(EventStore(engine))

    app.store.append("audited", events(2))

    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM audit_leaves")).scalar()
    assert count == 5


def batches_with_metadata() -> list[list[ProposedEvent]]:
    """Return three batches whose events carry metadata, reports and non-ASCII text."""
    report = {"occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"}}
    return [
        [
            ProposedEvent(
                uuid.UUID(int=batch * 10 + n),
                "Noted",
                {"n": n, "report": report, "text": "Gespräche \u2028 \t"},
                {"development_id": f"d-{batch}-{n}", "source_name": "Agence \U0001f4f0"},
            )
            for n in range(batch + 2)
        ]
        for batch in range(3)
    ]


@contextmanager
def second_database(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """Yield an engine on another empty database of the same backend."""
    if engine.dialect.name == "sqlite":
        other = create_engine(f"sqlite:///{tmp_path / 'live.db'}")
        yield other
        other.dispose()
        return
    with fresh_postgres_schema() as url:
        other = create_engine(url)
        yield other
        other.dispose()


def audit_rows(engine: Engine) -> list[list[tuple[object, ...]]]:
    """Return the leaf and subtree rows, as bytes, in a stable order."""
    with engine.connect() as connection:
        return [
            [
                tuple(bytes(v) if isinstance(v, bytes | memoryview) else v for v in row)
                for row in connection.execute(sa.text(query))
            ]
            for query in (
                "SELECT position, leaf FROM audit_leaves ORDER BY position",
                "SELECT level, idx, hash FROM audit_nodes ORDER BY level, idx",
            )
        ]


def test_the_upgrade_backfill_writes_the_bytes_the_live_append_path_writes(
    make_engine: Callable[..., Engine], tmp_path: Path
) -> None:
    upgraded = make_engine()
    upgrade_to(upgraded, "0001")
    before_audit = EventStore(upgraded, clock=lambda: RECORDED_AT_US)
    with appending_to_an_older_schema(upgraded):
        for number, batch in enumerate(batches_with_metadata()):
            before_audit.append(f"stream-{number}", batch)
    upgrade_to_head(upgraded)

    with second_database(upgraded, tmp_path) as live:
        upgrade_to_head(live)
        audited = EventStore(live, clock=lambda: RECORDED_AT_US)
        audited.add_observer(AuditObserver(DEFAULT_LOG_ORIGIN))
        for number, batch in enumerate(batches_with_metadata()):
            audited.append(f"stream-{number}", batch)
        expected = audit_rows(live)

    leaves, nodes = audit_rows(upgraded)
    assert [leaves, nodes] == expected
    assert len(leaves) == 9 and len(nodes) == 9 + 4 + 2 + 1
    assert all(b'"metadata_sha256":"' in leaf for _, leaf in leaves)  # type: ignore[operator]
