"""Concurrency failure modes from the event-store anchors' bug trackers, on each backend.

Every writer here has its own engine and EventStore, so only the database's append lock
(not the in-process one) stands between them.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy.engine import Connection, Engine

from newsledger.store.errors import AppendLockTimeout, WrongExpectedVersion
from newsledger.store.event_store import EventStore
from newsledger.store.records import AppendedEvent, ExpectedVersion
from tests.support.factories import events

EngineFactory = Callable[..., Engine]


class SlowCommit:
    """Holds the transaction open a little after inserting, to widen the late-commit window."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def on_append(self, connection: Connection, appended: Sequence[AppendedEvent]) -> None:
        time.sleep(self.random.uniform(0, 0.003))


def run_threads(targets: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as error:
                errors.append(error)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@pytest.mark.slow
def test_a_tailing_reader_never_skips_an_event_that_committed_late(
    engine: Engine, make_engine: EngineFactory
) -> None:
    writers, rounds, batch = 4, 25, 3
    total = writers * rounds * batch
    done = threading.Event()
    seen: list[int] = []

    def writer(number: int) -> Callable[[], None]:
        store = EventStore(make_engine(), lock_timeout_seconds=30)
        store.add_observer(SlowCommit(number))

        def run() -> None:
            for _ in range(rounds):
                store.append(f"writer-{number}", events(batch))

        return run

    def reader() -> None:
        store = EventStore(make_engine())
        position = 0
        deadline = time.monotonic() + 120
        while len(seen) < total and time.monotonic() < deadline:
            page = store.read_all(from_position=position, limit=50)
            seen.extend(e.position for e in page)
            if page:
                position = page[-1].position + 1
            elif done.is_set() and position >= total:
                break

    reader_thread = threading.Thread(target=reader)
    reader_thread.start()
    run_threads([writer(n) for n in range(writers)])
    done.set()
    reader_thread.join(timeout=120)

    assert seen == list(range(total))


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(5))
def test_racing_appends_with_one_expected_version_exactly_one_wins(
    engine: Engine, make_engine: EngineFactory, round_: int
) -> None:
    EventStore(engine).append("contested", events(1))
    racers = 6
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer() -> Callable[[], None]:
        store = EventStore(make_engine(), lock_timeout_seconds=30)

        def run() -> None:
            barrier.wait()
            try:
                store.append("contested", events(1), ExpectedVersion.exact(0))
                result = "won"
            except WrongExpectedVersion as clash:
                assert clash.actual == 1
                result = "lost"
            with lock:
                outcomes.append(result)

        return run

    run_threads([racer() for _ in range(racers)])

    assert sorted(outcomes) == ["lost"] * (racers - 1) + ["won"]
    assert EventStore(engine).stream_version("contested") == 1


@pytest.mark.slow
def test_many_writers_many_rounds_never_see_busy_errors_and_leave_no_gap(
    engine: Engine, make_engine: EngineFactory
) -> None:
    writers, rounds = 6, 30

    def writer(number: int) -> Callable[[], None]:
        store = EventStore(make_engine(), lock_timeout_seconds=30)
        return lambda: [store.append(f"s-{number % 3}", events(2)) for _ in range(rounds)]

    run_threads([writer(n) for n in range(writers)])

    log = EventStore(engine).read_all(limit=100_000)
    assert [e.position for e in log] == list(range(writers * rounds * 2))
    for stream in ("s-0", "s-1", "s-2"):
        versions = [e.stream_version for e in log if e.stream == stream]
        assert versions == list(range(len(versions)))
    times = [e.recorded_at_us for e in log]
    assert times == sorted(times)


def hold_append_lock(engine: Engine, release: threading.Event, held: threading.Event) -> None:
    """Take the append lock the way a writer does, then idle until released."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        else:
            cursor.execute("LOCK TABLE events IN EXCLUSIVE MODE")
        held.set()
        release.wait(30)
        raw.rollback()
    finally:
        raw.close()


def test_a_writer_blocked_by_an_idle_lock_holder_gets_a_retriable_timeout(
    engine: Engine, make_engine: EngineFactory
) -> None:
    store = EventStore(make_engine(lock_timeout_seconds=0.3), lock_timeout_seconds=0.3)
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_append_lock, args=(make_engine(), release, held))
    holder.start()
    assert held.wait(10)
    try:
        started = time.monotonic()
        with pytest.raises(AppendLockTimeout, match="retry the append"):
            store.append("s", events(1))
        assert time.monotonic() - started < 10
    finally:
        release.set()
        holder.join()

    assert store.append("s", events(1)).first_position == 0


def test_a_retry_after_a_lost_reply_succeeds_with_the_same_positions(
    store: EventStore, make_engine: EngineFactory
) -> None:
    batch = events(3)
    first = store.append("s", batch, ExpectedVersion("no_stream"))
    EventStore(make_engine()).append("t", events(2))

    retried = EventStore(make_engine()).append("s", batch, ExpectedVersion("no_stream"))

    assert retried.already_recorded and retried.events == first.events
    assert [e.position for e in store.read_all(limit=100)] == list(range(5))
