"""Following the log: live events from memory, the database when memory falls short.

The writers that share the notifier play this process; a store on its own engine that
does not publish to it plays another process appending to the same database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from newsledger.application.subscriptions import CaughtUp, Checkpoint, LogNotifier, follow
from newsledger.domain.events import StoredEvent
from newsledger.store.event_store import EventStore
from tests.support.factories import events

EngineFactory = Callable[..., Engine]
Item = StoredEvent | Checkpoint | CaughtUp


class QueryCount:
    """Counts the statements an engine sends to the database."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._counted)

    def _counted(self, *_: Any) -> None:
        self.count += 1


def publishing(store: EventStore, notifier: LogNotifier) -> EventStore:
    store.add_commit_listener(notifier.publish)
    return store


def take_until(items: Iterator[Item], done: Callable[[Item], bool]) -> list[Item]:
    """Take items up to and including the first one done accepts."""
    taken = []
    for item in items:
        taken.append(item)
        if done(item):
            return taken
    raise AssertionError(f"the follower ended after {taken}")


def caught_up(item: Item) -> bool:
    return isinstance(item, CaughtUp)


def checkpoint_at(position: int) -> Callable[[Item], bool]:
    return lambda item: isinstance(item, Checkpoint) and item.position >= position


def event_positions(items: list[Item]) -> list[int]:
    return [item.position for item in items if isinstance(item, StoredEvent)]


def test_a_caught_up_follower_takes_live_events_from_memory(
    store: EventStore, make_engine: EngineFactory
) -> None:
    notifier = LogNotifier()
    publishing(store, notifier)
    store.append("a", events(3))
    reader_engine = make_engine()
    queries = QueryCount(reader_engine)
    reader = EventStore(reader_engine)
    follower = follow(reader, notifier, poll_seconds=60)
    take_until(follower, caught_up)
    before = queries.count

    store.append("a", events(2))
    store.append("b", events(1))
    live = take_until(follower, checkpoint_at(5))

    assert queries.count == before
    assert event_positions(live) == [3, 4, 5]
    assert [item for item in live if isinstance(item, StoredEvent)] == reader.read_all(
        from_position=3
    )
    assert isinstance(live[-1], Checkpoint)


def test_live_events_from_memory_are_filtered_like_database_reads(
    store: EventStore, make_engine: EngineFactory
) -> None:
    notifier = LogNotifier()
    publishing(store, notifier)
    reader_engine = make_engine()
    queries = QueryCount(reader_engine)
    reader = EventStore(reader_engine)
    follower = follow(reader, notifier, stream="a", event_types=["Kept"], poll_seconds=60)
    take_until(follower, caught_up)
    before = queries.count

    store.append("a", events(2, "Kept") + events(1, "Dropped"))
    store.append("b", events(2, "Kept"))
    store.append("a", events(1, "Dropped"))
    live = take_until(follower, checkpoint_at(5))

    assert queries.count == before
    assert event_positions(live) == [0, 1]
    from_database = reader.read_all(stream="a", event_types=["Kept"])
    assert [item for item in live if isinstance(item, StoredEvent)] == from_database


def test_positions_another_process_appended_are_read_from_the_database_exactly_once(
    store: EventStore, make_engine: EngineFactory
) -> None:
    notifier = LogNotifier()
    publishing(store, notifier)
    other_process = EventStore(make_engine())
    reader_engine = make_engine()
    queries = QueryCount(reader_engine)
    follower = follow(EventStore(reader_engine), notifier, poll_seconds=60)
    store.append("a", events(2))
    take_until(follower, caught_up)

    store.append("a", events(1))
    from_memory = take_until(follower, checkpoint_at(2))
    read_before_gap = queries.count
    other_process.append("b", events(2))
    store.append("a", events(1))
    after_gap = take_until(follower, checkpoint_at(5))

    assert event_positions(from_memory) == [2]
    assert event_positions(after_gap) == [3, 4, 5]
    assert queries.count > read_before_gap


def test_a_follower_behind_what_memory_holds_reads_the_database_exactly_once(
    store: EventStore, make_engine: EngineFactory
) -> None:
    notifier = LogNotifier(max_tail_events=3)
    publishing(store, notifier)
    reader_engine = make_engine()
    queries = QueryCount(reader_engine)
    follower = follow(EventStore(reader_engine), notifier, page_size=4, poll_seconds=60)
    take_until(follower, caught_up)
    before = queries.count

    for _ in range(5):
        store.append("a", events(2))
    items = take_until(follower, checkpoint_at(9))

    assert event_positions(items) == list(range(10))
    assert queries.count > before


def test_appends_of_another_process_alone_arrive_by_polling(
    store: EventStore, make_engine: EngineFactory
) -> None:
    notifier = LogNotifier()
    follower = follow(store, notifier, poll_seconds=0.05)
    take_until(follower, caught_up)

    EventStore(make_engine()).append("b", events(2))

    assert event_positions(take_until(follower, checkpoint_at(1))) == [0, 1]


@pytest.mark.slow
def test_concurrent_writers_and_followers_see_every_position_once_in_order(
    store: EventStore, make_engine: EngineFactory
) -> None:
    """Each follower sees every matching position once, in order, under racing writers.

    Writers in this process and in another race; followers are fast or slow (falling
    behind the small tail), filtered or not; their checkpoints never go back.
    """
    notifier = LogNotifier(max_tail_events=16)
    publishing(store, notifier)
    other_process = EventStore(make_engine(), lock_timeout_seconds=30)
    writers, rounds, batch, other_rounds = 4, 25, 3, 10
    total = writers * rounds * batch + other_rounds * batch
    deadline = time.monotonic() + 120
    seen: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def write(number: int) -> None:
        for _ in range(rounds):
            store.append(f"writer-{number}", events(batch))

    def write_elsewhere() -> None:
        for _ in range(other_rounds):
            other_process.append("elsewhere", events(batch))

    def read(name: str, stream: str | None, pause: float) -> None:
        got: list[int] = seen.setdefault(name, [])
        checkpoints = [-1]
        for item in follow(
            store,
            notifier,
            stream=stream,
            page_size=5,
            poll_seconds=0.05,
            active=lambda: time.monotonic() < deadline,
        ):
            if isinstance(item, StoredEvent):
                got.append(item.position)
                time.sleep(pause)
            elif isinstance(item, Checkpoint):
                assert item.position >= checkpoints[-1]
                checkpoints.append(item.position)
                if item.position >= total - 1:
                    return

    def guarded(target: Callable[..., None], *args: Any) -> threading.Thread:
        def run() -> None:
            try:
                target(*args)
            except BaseException as error:
                errors.append(error)

        return threading.Thread(target=run)

    followers = [
        guarded(read, "fast", None, 0.0),
        guarded(read, "slow", None, 0.002),
        guarded(read, "one stream", "writer-1", 0.0),
        guarded(read, "another's stream", "elsewhere", 0.0),
    ]
    writing = [guarded(write, number) for number in range(writers)]
    writing.append(guarded(write_elsewhere))
    for thread in followers + writing:
        thread.start()
    for thread in followers + writing:
        thread.join(timeout=150)

    assert not errors, errors
    log = store.read_all(limit=total + 1)
    assert [e.position for e in log] == list(range(total))
    assert seen["fast"] == list(range(total))
    assert seen["slow"] == list(range(total))
    assert seen["one stream"] == [e.position for e in log if e.stream == "writer-1"]
    assert seen["another's stream"] == [e.position for e in log if e.stream == "elsewhere"]
