"""Writing the audit log: leaf bytes and complete-subtree hashes, inside the append transaction."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsledger.audit.batch_leaves import BatchLeaves
from newsledger.audit.envelope import EnvelopeError
from newsledger.audit.leaf import leaf_of
from newsledger.audit.merkle import StoredNode, hash_leaf, nodes_to_store_on_append_batch
from newsledger.domain.events import StoredEvent
from newsledger.store.bulk import insert_rows, select_nodes
from newsledger.store.errors import InvalidAppend
from newsledger.store.log_queries import EVENT_COLUMNS
from newsledger.store.records import AppendedEvent
from newsledger.store.tables import audit_leaves, audit_nodes, events

BACKFILL_PAGE = 1000


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


def frontier(size: int) -> list[tuple[int, int]]:
    """Return (level, index) of the complete subtrees a tree of ``size`` leaves ends with.

    They are the only stored nodes that appending leaves from ``size`` on combines with.
    """
    return [(level, (size >> level) - 1) for level in range(size.bit_length()) if size >> level & 1]


def read_nodes(
    connection: Connection, wanted: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """Return the stored hashes of the ``wanted`` subtrees that exist, in one query."""
    return select_nodes(connection, audit_nodes, wanted)


def write_leaves(
    connection: Connection,
    first_index: int,
    leaves: Sequence[bytes],
    known: Mapping[tuple[int, int], bytes] | None = None,
) -> list[StoredNode]:
    """Insert the leaves from ``first_index`` on and the complete subtrees they finish.

    ``known`` may hold stored nodes already read (the frontier of ``first_index``).
    Return the subtree hashes written.
    """
    insert_rows(
        connection,
        audit_leaves,
        [(first_index + offset, leaf) for offset, leaf in enumerate(leaves)],
    )
    peaks = known if known is not None else read_nodes(connection, frontier(first_index))

    def get_node(level: int, index: int) -> bytes:
        found = peaks.get((level, index))
        return found if found is not None else read_node(connection, level, index)

    nodes = nodes_to_store_on_append_batch(
        first_index, [hash_leaf(leaf) for leaf in leaves], get_node
    )
    insert_rows(connection, audit_nodes, nodes)
    return nodes


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
        raise EnvelopeError(error.path, problem, error.document) from None


Frontier = tuple[int, dict[tuple[int, int], bytes]]
"""A tree size and the hashes of the complete subtrees it ends with (see ``frontier``)."""


def next_frontier(
    size: int, old: Mapping[tuple[int, int], bytes], created: Sequence[StoredNode]
) -> Frontier | None:
    """Return the frontier of ``size`` from an older frontier and the nodes made since.

    None if one of its nodes is in neither (it is then read from the database).
    """
    known = {**old, **{(level, index): node for level, index, node in created}}
    wanted = frontier(size)
    if not all(key in known for key in wanted):
        return None
    return size, {key: known[key] for key in wanted}


class AuditObserver:
    """Adds each append's leaves and subtree hashes in the append's own transaction.

    It remembers the frontier of the tree its last committed append left (``committed``
    is told of each commit), so the next append of this process, if nothing was appended
    in between, combines with it without reading it back. An append from another process
    changes the size, and the frontier is then read from the database.
    """

    def __init__(self, log_origin: str) -> None:
        """Write leaves for the log named ``log_origin``."""
        self.log_origin = log_origin
        self._committed: Frontier | None = None
        self._staged: Frontier | None = None

    def on_append(self, connection: Connection, appended: Sequence[AppendedEvent]) -> None:
        """Write the leaves of the appended events; refuse the append if one has no leaf."""
        self._staged = None
        if not appended:
            return
        leaves: list[bytes] = []
        head = appended[0].stored
        leaf = BatchLeaves(self.log_origin, head.stream, head.recorded_at_us).leaf
        for offset, event in enumerate(appended):
            try:
                leaves.append(leaf(event.stored, event.payload, event.metadata, event.canonical))
            except EnvelopeError as error:
                raise InvalidAppend(
                    _request_field(offset, error),
                    f"{error.problem} (event {event.stored.event_id})",
                ) from None
        first = appended[0].stored.position
        if self._committed is not None and self._committed[0] == first:
            stored = self._committed[1]
            created = write_leaves(connection, first, leaves, stored)
        else:
            stored, created = self._write_after_reading(connection, first, leaves)
        self._staged = next_frontier(first + len(leaves), stored, created)

    def committed(self, appended: Sequence[StoredEvent]) -> None:
        """Keep the frontier of the append that just committed (appended are its events)."""
        staged, self._staged = self._staged, None
        fits = staged is not None and staged[0] == appended[-1].position + 1
        self._committed = staged if fits else None

    def _write_after_reading(
        self, connection: Connection, first: int, leaves: Sequence[bytes]
    ) -> tuple[dict[tuple[int, int], bytes], list[StoredNode]]:
        """Write the leaves after reading the frontier they combine with from the database."""
        # One read: the frontier the new leaves combine with, and the previous leaf's hash.
        # Leaves are only ever added in order, so if leaf first - 1 has its hash stored, the
        # log has every leaf before ``first`` and nothing needs backfilling.
        wanted = frontier(first)
        if first and (0, first - 1) not in wanted:
            wanted.append((0, first - 1))
        stored = read_nodes(connection, wanted)
        if first and (0, first - 1) not in stored:
            # Events appended by a store without the audit get their leaves first, in order.
            backfill_leaves(connection, self.log_origin, up_to=first)
            stored = read_nodes(connection, frontier(first))
        return stored, write_leaves(connection, first, leaves, stored)


def _request_field(offset: int, error: EnvelopeError) -> str:
    """Name the request field an envelope error is about, e.g. events[1].metadata_json.x."""
    member = error.path.removeprefix("$")
    if error.document in ("payload", "metadata"):
        return f"events[{offset}].{error.document}_json{member}"
    return f"events[{offset}]{member}"
