"""Upgrading a log recorded before the audit existed keeps its events and makes it verifiable."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from newsledger.audit.audit_log import AuditLog
from newsledger.audit.log_auditor import LogAuditor
from newsledger.audit.note import generate_signer
from newsledger.config import DEFAULT_LOG_ORIGIN
from newsledger.ledger import Ledger
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import current_revision, migrations_dir, upgrade_to_head
from tests.factories import events


def upgrade_to(engine: Engine, revision: str) -> None:
    """Migrate the database to one revision."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def raw_events(engine: Engine) -> list[tuple[object, ...]]:
    """Return every column of every event row, as the database holds it."""
    with engine.connect() as connection:
        return [
            tuple(row) for row in connection.execute(sa.text("SELECT * FROM events ORDER BY 1"))
        ]


def test_an_upgrade_from_0001_keeps_events_identical_and_backfills_a_verifiable_tree(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    upgrade_to(engine, "0001")
    old_store = EventStore(engine)
    for batch in range(4):
        old_store.append(f"before-audit-{batch}", events(5))
    before = raw_events(engine)

    upgrade_to_head(engine)

    assert current_revision(engine) == "0002"
    assert raw_events(engine) == before
    ledger = Ledger(EventStore(engine))
    ledger.store.append("after-audit", events(3))
    audit = AuditLog(ledger, generate_signer(DEFAULT_LOG_ORIGIN))
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
    ledger = Ledger(EventStore(engine))

    ledger.store.append("audited", events(2))

    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM audit_leaves")).scalar()
    assert count == 5
