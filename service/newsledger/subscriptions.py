"""Catch-up then live reads of the log, with checkpoints that let a consumer resume."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from newsledger.store.event_store import EventStore
from newsledger.store.records import StoredEvent


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Every event up to position was considered; resume after it."""

    position: int


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """Catch-up reached the log's head at position; what follows is live."""

    position: int


class LogNotifier:
    """Wakes followers when an append commits in this process."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._last_position = -1
        self._closed = False

    def publish(self, appended: Sequence[StoredEvent]) -> None:
        """Record that the log now reaches the appended events and wake every follower."""
        with self._condition:
            self._last_position = max(self._last_position, appended[-1].position)
            self._condition.notify_all()

    def close(self) -> None:
        """Wake every follower for good, so streams end on shutdown."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        """Tell whether close() was called."""
        return self._closed

    def wait_beyond(self, position: int, timeout: float) -> None:
        """Block until the log passes position, the notifier closes, or timeout elapses."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._closed or self._last_position > position, timeout
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

    Each pass reads only up to the head it saw first; because positions become visible in
    commit order, every position up to that head is committed and none can appear later.
    The poll interval catches appends made by other processes, and bounds how long a
    follower whose client went away (active() false) lingers.
    """
    next_position = 0 if after_position is None else after_position + 1
    caught_up = False
    while not notifier.closed and active():
        head = store.head_position()
        head = -1 if head is None else head
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
        if not caught_up:
            caught_up = True
            yield CaughtUp(head)
        notifier.wait_beyond(next_position - 1, poll_seconds)
