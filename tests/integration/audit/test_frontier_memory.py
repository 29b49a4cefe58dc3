"""The audit observer reuses the frontier its last commit left, and never a stale one."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.application.app import Application
from newsledger.audit.merkle import MemoryNodeStore
from newsledger.bootstrap import build_application
from newsledger.store.event_store import EventStore
from newsledger.store.records import AppendedEvent
from tests.support.audit import ORIGIN
from tests.support.factories import events


class FailOnce:
    """Fails the append transaction it is asked to, after the audit has written its rows."""

    def __init__(self) -> None:
        self.armed = False

    def on_append(self, connection: Connection, appended: Sequence[AppendedEvent]) -> None:
        if self.armed:
            self.armed = False
            raise RuntimeError("a later observer failed")


def tree_matches_leaves(engine: Engine) -> None:
    with engine.connect() as connection:
        leaves = [bytes(row[0]) for row in connection.execute(sa.text(
            "SELECT leaf FROM audit_leaves ORDER BY position"))]  # fmt: skip
        nodes = {
            (level, index): bytes(node)
            for level, index, node in connection.execute(
                sa.text("SELECT level, idx, hash FROM audit_nodes")
            )
        }
    expected = MemoryNodeStore()
    expected.append_leaves(leaves)
    assert nodes == expected.nodes


def test_an_append_after_this_process_committed_does_not_read_the_frontier(
    app: Application, engine: Engine
) -> None:
    app.store.append("s", events(5))
    reads: list[str] = []

    def record(*args: object) -> None:
        statement = str(args[2])
        if "FROM audit_nodes" in statement:
            reads.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        for size in (1, 2, 3, 8):
            app.store.append("s", events(size))
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert reads == []
    tree_matches_leaves(engine)


def test_rollbacks_and_other_writers_never_leave_a_stale_frontier(
    app: Application, engine: Engine
) -> None:
    failing = FailOnce()
    app.store.add_observer(failing)
    other = build_application(EventStore(engine), log_origin=ORIGIN)  # as another process would
    rng = random.Random(7)
    for round_number in range(60):
        size = rng.choice([1, 1, 2, 3, 5, 8, 13])
        choice = rng.random()
        if choice < 0.2:
            failing.armed = True
            with pytest.raises(RuntimeError):
                app.store.append(f"s-{round_number}", events(size))
        elif choice < 0.4:
            other.store.append(f"o-{round_number}", events(size))
        else:
            app.store.append(f"s-{round_number}", events(size))
    tree_matches_leaves(engine)


@pytest.mark.parametrize("size", [1, 3, 4])
def test_a_rolled_back_append_is_never_combined_with(
    app: Application, engine: Engine, size: int
) -> None:
    failing = FailOnce()
    app.store.add_observer(failing)
    other = build_application(EventStore(engine), log_origin=ORIGIN)
    app.store.append("s", events(5))
    failing.armed = True
    with pytest.raises(RuntimeError):
        app.store.append("s", events(size))
    other.store.append("o", events(size))  # the log reaches the size the failed append would
    app.store.append("s", events(2))
    tree_matches_leaves(engine)
