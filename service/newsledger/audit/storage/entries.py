"""Reading log entries for auditors: each event, its leaf and the subtree hashes it completed."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.audit.entry import AuditEntry
from newsledger.audit.merkle import StoredNode
from newsledger.audit.storage.proofs import completed_subtrees
from newsledger.domain.events import StoredEvent
from newsledger.store.log_queries import EVENT_COLUMNS
from newsledger.store.tables import audit_leaves, audit_nodes, events

ENTRY_PAGE = 500


def _subtree_ranges(start: int, end: int) -> list[tuple[int, int, int]]:
    """Return (level, first idx, last idx) of the subtrees whose last leaf is in [start, end)."""
    ranges = []
    level = 0
    while (1 << level) <= end:
        width = 1 << level
        first = -(-(start + 1) // width) - 1
        last = end // width - 1
        if first <= last:
            ranges.append((level, first, last))
        level += 1
    return ranges


def _page_subtrees(connection: sa.Connection, start: int, end: int) -> dict[int, list[StoredNode]]:
    """Return the stored subtree hashes completed by each leaf in [start, end), by leaf index."""
    conditions = [
        sa.and_(audit_nodes.c.level == level, audit_nodes.c.idx.between(first, last))
        for level, first, last in _subtree_ranges(start, end)
    ]
    query = sa.select(audit_nodes.c.level, audit_nodes.c.idx, audit_nodes.c.hash).where(
        sa.or_(*conditions)
    )
    stored = {(int(level), int(idx)): bytes(node) for level, idx, node in connection.execute(query)}
    by_leaf: dict[int, list[StoredNode]] = {}
    for index in range(start, end):
        by_leaf[index] = [
            (level, idx, stored[(level, idx)])
            for level, idx in completed_subtrees(index)
            if (level, idx) in stored
        ]
    return by_leaf


def read_entries(engine: Engine, start: int, end: int) -> Iterator[AuditEntry]:
    """Yield the entries with sequence numbers in [start, end), a page per query."""
    while start < end:
        stop = min(end, start + ENTRY_PAGE)
        query = (
            sa.select(*EVENT_COLUMNS, events.c.response_item, audit_leaves.c.leaf)
            .join_from(events, audit_leaves, events.c.position == audit_leaves.c.position)
            .where(events.c.position >= start, events.c.position < stop)
            .order_by(events.c.position)
        )
        with engine.connect() as connection:
            rows = connection.execute(query).all()
            subtrees = _page_subtrees(connection, start, stop)
        for row in rows:
            event = StoredEvent(*row[:-2])
            item = None if row[-2] is None else bytes(row[-2])
            yield AuditEntry(event, bytes(row[-1]), tuple(subtrees[event.position]), item)
        if len(rows) < stop - start:
            return  # positions are gap-free, so a short page is the end of the log
        start = stop
