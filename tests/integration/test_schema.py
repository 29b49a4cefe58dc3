"""A schema missing or behind the code is reported clearly; migrate brings it to head."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.store.errors import SchemaNotReady
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import check_schema, current_revision, head_revision, upgrade_to_head
from tests.support.factories import events


def test_an_empty_database_is_reported_with_the_command_that_fixes_it(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    with pytest.raises(SchemaNotReady, match=r"has no newsledger schema; run `newsledger migrate`"):
        check_schema(engine)


def test_a_database_behind_the_code_is_reported_with_both_revisions(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    upgrade_to_head(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))
    with pytest.raises(
        SchemaNotReady, match=rf"at schema revision older, the code needs {head_revision()}"
    ):
        check_schema(engine)


def test_migrate_from_empty_reaches_head_and_is_idempotent_keeping_events_identical(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    assert upgrade_to_head(engine) == (None, head_revision())
    store = EventStore(engine)
    store.append("s", events(3))
    before = store.read_all()

    assert upgrade_to_head(engine) == (head_revision(), head_revision())

    check_schema(engine)
    assert current_revision(engine) == head_revision()
    assert store.read_all() == before
