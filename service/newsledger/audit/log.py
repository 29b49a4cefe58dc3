"""Writing the audit log: leaf bytes and complete-subtree hashes, inside the append transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsledger.audit.envelope import EnvelopeError, leaf_of
from newsledger.audit.merkle import hash_leaf, nodes_to_store_on_append_batch
from newsledger.store.errors import InvalidAppend
from newsledger.store.records import StoredEvent
from newsledger.store.tables import audit_leaves, audit_nodes, events

BACKFILL_PAGE = 1000

EVENT_COLUMNS = (
    events.c.position,
    events.c.event_id,
    events.c.stream,
    events.c.stream_version,
    events.c.event_type,
    events.c.schema_version,
    events.c.payload,
    events.c.metadata,
    events.c.recorded_at_us,
)
"""The event columns in StoredEvent's field order."""


class AuditLogGap(RuntimeError):
    """The audit log holds more leaves than the events it is asked to continue from."""


def leaf_count(connection: Connection) -> int:
    """Return how many leaves the audit log holds (the tree size it can prove)."""
    last = connection.execute(sa.select(sa.func.max(audit_leaves.c.position))).scalar()
    return 0 if last is None else int(last) + 1


def read_node(connection: Connection, level: int, index: int) -> bytes:
    """Return the stored hash of complete subtree ``(level, index)``; KeyError if absent."""
    query = sa.select(audit_nodes.c.hash).where(
        audit_nodes.c.level == level, audit_nodes.c.idx == index
    )
    found = connection.execute(query).scalar()
    if found is None:
        raise KeyError(f"the audit log has no subtree hash ({level}, {index})")
    return bytes(found)


def read_leaves(connection: Connection, positions: Sequence[int]) -> dict[int, bytes]:
    """Return the stored leaf bytes of the given positions, by position."""
    query = sa.select(audit_leaves.c.position, audit_leaves.c.leaf).where(
        audit_leaves.c.position.in_(list(positions))
    )
    return {int(position): bytes(leaf) for position, leaf in connection.execute(query)}


def write_leaves(connection: Connection, first_index: int, leaves: Sequence[bytes]) -> None:
    """Insert the leaves from ``first_index`` on and the complete subtrees they finish."""
    connection.execute(
        audit_leaves.insert(),
        [{"position": first_index + offset, "leaf": leaf} for offset, leaf in enumerate(leaves)],
    )
    nodes = nodes_to_store_on_append_batch(
        first_index,
        [hash_leaf(leaf) for leaf in leaves],
        lambda level, index: read_node(connection, level, index),
    )
    connection.execute(
        audit_nodes.insert(),
        [{"level": level, "idx": index, "hash": node} for level, index, node in nodes],
    )


def _events_between(connection: Connection, start: int, end: int) -> Iterator[list[StoredEvent]]:
    """Yield the events with positions in [start, end) a page at a time."""
    while start < end:
        query = (
            sa.select(*EVENT_COLUMNS)
            .where(events.c.position >= start, events.c.position < end)
            .order_by(events.c.position)
            .limit(BACKFILL_PAGE)
        )
        page = [StoredEvent(*row) for row in connection.execute(query)]
        if not page:
            return
        yield page
        start = page[-1].position + 1


def backfill_leaves(connection: Connection, log_origin: str, up_to: int | None = None) -> int:
    """Add the leaves of events recorded without the audit (below ``up_to``); return how many."""
    start = leaf_count(connection)
    if up_to is None:
        last = connection.execute(sa.select(sa.func.max(events.c.position))).scalar()
        up_to = 0 if last is None else int(last) + 1
    if start > up_to:
        raise AuditLogGap(f"the audit log has {start} leaves but only {up_to} events precede")
    added = 0
    for page in _events_between(connection, start, up_to):
        if page[0].position != start + added:
            raise AuditLogGap(f"event position {start + added} is missing from the log")
        leaves = [_backfilled_leaf(event, log_origin) for event in page]
        write_leaves(connection, page[0].position, leaves)
        added += len(page)
    return added


def _backfilled_leaf(event: StoredEvent, log_origin: str) -> bytes:
    try:
        return leaf_of(event, log_origin)
    except EnvelopeError as error:
        problem = f"{error.problem} (event at position {event.position})"
        raise EnvelopeError(error.path, problem) from None


class AuditObserver:
    """Adds each append's leaves and subtree hashes in the append's own transaction."""

    def __init__(self, log_origin: str) -> None:
        """Write leaves for the log named ``log_origin``."""
        self.log_origin = log_origin

    def on_append(self, connection: Connection, appended: Sequence[StoredEvent]) -> None:
        """Write the leaves of the appended events; refuse the append if one has no leaf."""
        if not appended:
            return
        leaves: list[bytes] = []
        for offset, event in enumerate(appended):
            try:
                leaves.append(leaf_of(event, self.log_origin))
            except EnvelopeError as error:
                member = error.path.removeprefix("$")
                raise InvalidAppend(
                    f"events[{offset}].payload_json{member}",
                    f"{error.problem} (event {event.event_id})",
                ) from None
        first = appended[0].position
        # Events appended by a store without the audit get their leaves first, in order.
        backfill_leaves(connection, self.log_origin, up_to=first)
        write_leaves(connection, first, leaves)
