"""Catch-up then live reads of the log, with checkpoints that let a consumer resume.

Catch-up reads the database. Live events committed by this process are served from the
notifier's bounded in-memory tail, so a follower that keeps up never queries the database;
it reads the database again when the positions it needs are not all in the tail (it fell
behind, or another process appended), and on each poll, for other processes' appends.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from newsledger.domain.events import StoredEvent
from newsledger.store.event_store import EventStore


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Every event up to position was considered; resume after it."""

    position: int


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """Catch-up reached the log's head at position; what follows is live."""

    position: int


def _text_size(event: StoredEvent) -> int:
    """Return the length of the event's JSON texts, what its memory mostly grows with."""
    return len(event.payload) + len(event.metadata)


class LogNotifier:
    """Wakes followers when an append commits in this process, and keeps the latest events.

    The tail holds the most recently published events, at most max_tail_events of them and
    at most max_tail_chars characters of JSON text, always a gap-free run of positions: an
    append whose first position does not follow the tail's last (another process appended
    in between) starts a new run.
    """

    def __init__(self, max_tail_events: int = 4096, max_tail_chars: int = 8 * 1024 * 1024) -> None:
        self._condition = threading.Condition()
        self._last_position = -1
        self._closed = False
        self._tail: deque[StoredEvent] = deque()
        self._tail_chars = 0
        self._max_tail_events = max_tail_events
        self._max_tail_chars = max_tail_chars

    def publish(self, appended: Sequence[StoredEvent]) -> None:
        """Record the committed events in the tail and wake every follower.

        Called with each append's events in commit order, positions increasing.
        """
        with self._condition:
            if self._tail and appended[0].position != self._tail[-1].position + 1:
                self._tail.clear()
                self._tail_chars = 0
            for event in appended:
                self._tail.append(event)
                self._tail_chars += _text_size(event)
            while self._tail and (
                len(self._tail) > self._max_tail_events or self._tail_chars > self._max_tail_chars
            ):
                self._tail_chars -= _text_size(self._tail.popleft())
            self._last_position = max(self._last_position, appended[-1].position)
            self._condition.notify_all()

    def recent(self, after_position: int, limit: int) -> list[StoredEvent] | None:
        """Return up to limit published events right after after_position, from memory.

        An empty list means nothing was published beyond after_position; None means the
        next positions are not all in the tail, so the caller must read the database.
        """
        with self._condition:
            if after_position >= self._last_position:
                return []
            wanted = after_position + 1
            if not self._tail or not self._tail[0].position <= wanted <= self._tail[-1].position:
                return None
            start = wanted - self._tail[0].position
            stop = min(start + limit, len(self._tail))
            return [self._tail[index] for index in range(start, stop)]

    def close(self) -> None:
        """Wake every follower for good, so streams end on shutdown."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        """Tell whether close() was called."""
        return self._closed

    def wait_beyond(self, position: int, timeout: float) -> bool:
        """Block until the log passes position, the notifier closes, or timeout elapses.

        Return whether it woke for a publish or close rather than the timeout.
        """
        with self._condition:
            return self._condition.wait_for(
                lambda: self._closed or self._last_position > position, timeout
            )


def _store_head(store: EventStore) -> int:
    """Return the position of the log's last committed event, -1 if it is empty."""
    head = store.head_position()
    return -1 if head is None else head


def _read_store(
    store: EventStore,
    notifier: LogNotifier,
    next_position: int,
    head: int,
    stream: str | None,
    event_types: Sequence[str],
    page_size: int,
) -> Iterator[StoredEvent | Checkpoint]:
    """Yield matching events from next_position up to head, with checkpoints.

    Because positions become visible in commit order, every position up to a head once
    seen is committed and none can appear later.
    """
    while next_position <= head and not notifier.closed:
        page = store.read_all(
            from_position=next_position,
            to_position=head,
            limit=page_size,
            stream=stream,
            event_types=event_types,
        )
        yield from page
        scanned = page[-1].position if len(page) == page_size else head
        next_position = scanned + 1
        yield Checkpoint(scanned)


def _matcher(stream: str | None, event_types: Sequence[str]) -> Callable[[StoredEvent], bool]:
    """Return the in-memory form of read_all's stream and event type filter."""
    types = frozenset(event_types)
    return lambda event: (
        (stream is None or event.stream == stream) and (not types or event.event_type in types)
    )


def follow(
    store: EventStore,
    notifier: LogNotifier,
    *,
    after_position: int | None = None,
    stream: str | None = None,
    event_types: Sequence[str] = (),
    page_size: int = 500,
    poll_seconds: float = 0.5,
    active: Callable[[], bool] = lambda: True,
) -> Iterator[StoredEvent | Checkpoint | CaughtUp]:
    """Yield matching events after after_position, then live ones, with checkpoints.

    Catch-up reads the database up to the head it saw first, then yields CaughtUp. Live
    events come from the notifier's tail while it holds every position the follower has
    not yet seen; otherwise, and after each poll interval without a publish (appends by
    other processes), the follower reads the database again. The poll interval also bounds
    how long a follower whose client went away (active() false) lingers.
    """
    matches = _matcher(stream, event_types)
    next_position = 0 if after_position is None else after_position + 1
    caught_up = False
    read_store = True
    while not notifier.closed and active():
        if read_store:
            read_store = False
            head = _store_head(store)
            pages = _read_store(
                store, notifier, next_position, head, stream, event_types, page_size
            )
            for item in pages:
                if isinstance(item, Checkpoint):
                    next_position = item.position + 1
                yield item
            if not caught_up:
                caught_up = True
                yield CaughtUp(head)
            continue
        recent = notifier.recent(next_position - 1, page_size)
        if recent is None:
            read_store = True
        elif recent:
            yield from filter(matches, recent)
            next_position = recent[-1].position + 1
            yield Checkpoint(recent[-1].position)
        else:
            read_store = not notifier.wait_beyond(next_position - 1, poll_seconds)
