"""A past known_at answer never changes, however close to now it was asked.

Two servers (each its own engine, store and application, so only the database orders them)
append to one negotiation from several threads while readers ask for it as known at
`now - 1 µs` and at other recent instants, round after round. Every answer is noted; once the
appends stop, every instant is asked again and must get the answer it got the first time.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.bootstrap import build_application
from newsledger.domain.events import time_from_micros
from newsledger.store import locking, log_queries
from newsledger.store.errors import AppendLockTimeout
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.store.records import ProposedEvent
from tests.support.negotiation_log import report

NEGOTIATIONS = [f"stable-past-{number}" for number in range(8)]
AS_OF = date(2025, 6, 30)
ROUNDS = 4
ROUND_SECONDS = 1.5
APPENDERS_PER_SERVER = 2
READERS_PER_SERVER = 2
# How far before now each reader asks: mostly the instant just past, sometimes further back.
OFFSETS_US = (1, 1, 1, 0, 20, 300, 5_000)


def stream(negotiation_id: str) -> str:
    return f"negotiation-{negotiation_id}"


def opened(negotiation_id: str) -> ProposedEvent:
    """Return the event that opens a negotiation."""
    parties = [{"party_id": "us", "name": "United States"}, {"party_id": "cn", "name": "China"}]
    payload = {"negotiation_id": negotiation_id, "title": "Stable past", "parties": parties}
    return ProposedEvent(uuid.uuid4(), "NegotiationOpened", payload, {}, 1)


def person(number: int) -> ProposedEvent:
    """Return an event naming one more person on the US side."""
    payload = {
        "person_id": f"person-{number}",
        "name": f"Person {number}",
        "party_id": "us",
        "report": report(),
    }
    return ProposedEvent(uuid.uuid4(), "PersonRoleAssigned", payload, {}, 1)


def now_us() -> int:
    return time.time_ns() // 1000


class Run:
    """The servers, a source of distinct person numbers, and every answer given."""

    def __init__(self, servers: list[Application]) -> None:
        self.servers = servers
        self.answers: list[tuple[str, int, int]] = []
        self.appended = 0
        self._numbers = iter(range(1, 10**9))
        self._lock = threading.Lock()

    def cut(self, server: Application, negotiation_id: str, known_at_us: int) -> int:
        """Return the stream version the server answers at for this instant."""
        point = server.queries.view_point(negotiation_id, AS_OF, time_from_micros(known_at_us))
        return point.stream_version

    def appender(self, server: Application, seed: int, stop: threading.Event) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                with self._lock:
                    numbers = [next(self._numbers) for _ in range(rng.choice((1, 1, 5, 40)))]
                negotiation_id = rng.choice(NEGOTIATIONS)
                server.store.append(stream(negotiation_id), [person(n) for n in numbers])
                with self._lock:
                    self.appended += len(numbers)

        return run

    def reader(self, server: Application, seed: int, stop: threading.Event) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                negotiation_id = rng.choice(NEGOTIATIONS)
                known_at = now_us() - rng.choice(OFFSETS_US)
                cut = self.cut(server, negotiation_id, known_at)
                self.answers.append((negotiation_id, known_at, cut))

        return run


def run_threads(targets: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as error:
                errors.append(error)

        return run

    threads = [threading.Thread(target=guarded(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_no_known_at_answer_changes_after_it_was_given(
    engine: Engine, make_engine: Callable[..., Engine]
) -> None:
    servers = [build_application(EventStore(engine)), build_application(EventStore(make_engine()))]
    for negotiation_id in NEGOTIATIONS:
        servers[0].store.append(stream(negotiation_id), [opened(negotiation_id)])
    run = Run(servers)
    for round_number in range(ROUNDS):
        stop = threading.Event()
        targets = []
        for index, server in enumerate(servers):
            seed = round_number * 100 + index * 10
            targets += [run.appender(server, seed + i, stop) for i in range(APPENDERS_PER_SERVER)]
            targets += [run.reader(server, seed + 5 + i, stop) for i in range(READERS_PER_SERVER)]
        stopper = threading.Timer(ROUND_SECONDS, stop.set)
        stopper.start()
        run_threads(targets)

    changed = [
        (negotiation_id, known_at, first, later)
        for index, (negotiation_id, known_at, first) in enumerate(run.answers)
        if (later := run.cut(servers[index % 2], negotiation_id, known_at)) != first
    ]
    assert run.appended > 100 and len(run.answers) > 100, (run.appended, len(run.answers))
    print(f"{len(changed)} of {len(run.answers)} answers changed, {run.appended} events")
    assert not changed, (
        f"{len(changed)} of {len(run.answers)} known_at answers changed later "
        f"({run.appended} events appended), e.g. {changed[:3]}"
    )


def test_an_append_records_after_every_known_at_answered_whatever_its_clock(
    engine: Engine,
) -> None:
    # A server whose clock is far behind (another host's, or one stepped back) still
    # records after every instant already answered at, on any server of the database.
    server = build_application(EventStore(engine, clock=lambda: 1))
    server.store.append(stream(NEGOTIATIONS[0]), [opened(NEGOTIATIONS[0])])
    asked = now_us() - 1_000_000
    run = Run([server])
    assert run.cut(server, NEGOTIATIONS[0], asked) == 0

    late = server.store.append(stream(NEGOTIATIONS[0]), [person(1)])

    assert late.events[0].recorded_at_us > asked
    assert run.cut(server, NEGOTIATIONS[0], asked) == 0


def test_a_replay_as_known_at_an_instant_settles_it_too(engine: Engine) -> None:
    server = build_application(EventStore(engine, clock=lambda: 1))
    server.store.append(stream(NEGOTIATIONS[0]), [opened(NEGOTIATIONS[0])])
    asked = now_us() - 1_000_000

    steps = list(server.audit.replay(NEGOTIATIONS[0], time_from_micros(asked), AS_OF))
    late = server.store.append(stream(NEGOTIATIONS[0]), [person(1)])

    assert len(steps) == 1
    assert late.events[0].recorded_at_us > asked
    again = server.audit.replay(NEGOTIATIONS[0], time_from_micros(asked), AS_OF)
    assert len(list(again)) == 1


def watermark(engine: Engine) -> int:
    with engine.connect() as conn:
        return log_queries.record_time_heads(conn)[1]


def test_the_current_view_writes_nothing_and_waits_for_no_append(
    make_engine: Callable[..., Engine],
) -> None:
    # The current view is not an answer as known at an instant: it echoes none, so it needs
    # no watermark. It neither raises it (a durable write) nor waits for an append in
    # flight, which may have taken its record time already; a known_at of now does both.
    engine = make_engine(lock_timeout_seconds=0.5)
    upgrade_to_head(engine)
    server = build_application(EventStore(engine, lock_timeout_seconds=0.5))
    server.store.append(stream(NEGOTIATIONS[0]), [opened(NEGOTIATIONS[0]), person(1)])
    before = watermark(engine)

    with locking.append_transaction(make_engine(), timeout_seconds=10) as in_flight:
        log_queries.stream_and_log_heads(in_flight, stream(NEGOTIATIONS[0]))  # as an append
        started = time.monotonic()
        point = server.queries.view_point(NEGOTIATIONS[0], AS_OF)
        view = server.queries.view_at(point)
        answered_within = time.monotonic() - started
        with pytest.raises(AppendLockTimeout):
            server.queries.view_point(NEGOTIATIONS[0], AS_OF, time_from_micros(now_us() - 1))

    assert point.stream_version == 1
    assert [person["person_id"] for person in view["people"]] == ["person-1"]
    assert answered_within < 0.5
    assert watermark(engine) == before
