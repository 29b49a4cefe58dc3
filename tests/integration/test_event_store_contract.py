"""The event store's contract, run once against every configured backend."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.store.errors import (
    EventIdConflict,
    InvalidAppend,
    LimitExceeded,
    WrongExpectedVersion,
)
from newsledger.store.event_store import EventStore
from newsledger.store.limits import StoreLimits
from newsledger.store.records import ANY, NO_STREAM, STREAM_EXISTS, AppendedEvent, ExpectedVersion
from tests.support.factories import event, events
from tests.support.immutability import EVENTS, unrefused_changes


def all_positions(store: EventStore) -> list[int]:
    return [e.position for e in store.read_all(limit=10_000)]


class TestAppend:
    def test_positions_are_gap_free_across_streams_and_versions_count_per_stream(
        self, store: EventStore
    ) -> None:
        first = store.append("order-1", events(3))
        second = store.append("order-2", events(2))
        third = store.append("order-1", events(1))

        assert [e.position for e in first.events] == [0, 1, 2]
        assert [e.stream_version for e in first.events] == [0, 1, 2]
        assert [e.position for e in second.events] == [3, 4]
        assert [e.stream_version for e in second.events] == [0, 1]
        assert (third.first_position, third.last_stream_version) == (5, 3)
        assert all_positions(store) == list(range(6))

    def test_an_event_keeps_its_id_type_schema_version_payload_and_metadata(
        self, store: EventStore
    ) -> None:
        proposed = dataclasses.replace(
            event("TalksHeld", city="London", days="2"),
            metadata={"source": "file.yaml"},
            schema_version=3,
        )
        store.append("talks", [proposed])

        [stored] = store.read_stream("talks")
        assert stored.event_id == proposed.event_id
        assert stored.event_type == "TalksHeld"
        assert stored.schema_version == 3
        assert stored.to_domain().payload == {"city": "London", "days": "2"}
        assert stored.to_domain().metadata == {"source": "file.yaml"}

    def test_record_time_moves_forward_with_each_append_even_when_the_clock_does_not(
        self, engine: Engine
    ) -> None:
        ticks = iter([2_000_000, 1_000_000, 3_000_000])
        store = EventStore(engine, clock=lambda: next(ticks))

        times = [store.append("s", events(1)).events[0].recorded_at_us for _ in range(3)]

        assert times == [2_000_000, 2_000_001, 3_000_000]


class TestExpectedVersion:
    def test_no_stream_passes_on_a_new_stream_and_fails_on_an_existing_one(
        self, store: EventStore
    ) -> None:
        store.append("s", events(1), NO_STREAM)
        with pytest.raises(WrongExpectedVersion) as raised:
            store.append("s", events(1), NO_STREAM)
        assert (raised.value.stream, raised.value.expected, raised.value.actual) == (
            "s",
            "no_stream",
            0,
        )
        assert "expected no stream, but it is at version 0" in str(raised.value)

    def test_stream_exists_fails_on_a_new_stream(self, store: EventStore) -> None:
        with pytest.raises(WrongExpectedVersion) as raised:
            store.append("s", events(1), STREAM_EXISTS)
        assert raised.value.actual is None
        assert "no stream" in str(raised.value)
        store.append("s", events(1), NO_STREAM)
        store.append("s", events(1), STREAM_EXISTS)

    def test_exact_version_names_stream_expected_and_actual_on_a_clash(
        self, store: EventStore
    ) -> None:
        store.append("s", events(3))
        store.append("s", events(1), ExpectedVersion.exact(2))
        with pytest.raises(WrongExpectedVersion) as raised:
            store.append("s", events(1), ExpectedVersion.exact(2))
        assert str(raised.value) == "stream 's': expected version 2, but it is at version 3"

    def test_any_always_appends(self, store: EventStore) -> None:
        store.append("s", events(1), ANY)
        store.append("s", events(1), ANY)
        assert store.stream_version("s") == 1

    def test_a_clash_writes_nothing(self, store: EventStore) -> None:
        store.append("s", events(1))
        with pytest.raises(WrongExpectedVersion):
            store.append("s", events(5), NO_STREAM)
        assert all_positions(store) == [0]


class TestIdempotency:
    def test_an_exact_retry_returns_the_original_positions_and_writes_nothing(
        self, store: EventStore
    ) -> None:
        batch = events(3)
        original = store.append("s", batch, NO_STREAM)
        store.append("other", events(2))

        retry = store.append("s", batch, NO_STREAM)

        assert retry.already_recorded
        assert retry.events == original.events
        assert all_positions(store) == list(range(5))

    def test_a_retry_with_new_events_appends_only_the_new_ones(self, store: EventStore) -> None:
        batch = events(2)
        store.append("s", batch)
        extended = store.append("s", [*batch, *events(1)])
        assert not extended.already_recorded
        assert [e.position for e in extended.events] == [0, 1, 2]
        assert all_positions(store) == [0, 1, 2]

    def test_the_same_id_with_different_content_is_a_conflict(self, store: EventStore) -> None:
        original = event(n=1)
        store.append("s", [original])
        changed = dataclasses.replace(original, payload={"n": 2})
        with pytest.raises(EventIdConflict) as raised:
            store.append("s", [changed])
        assert raised.value.event_id == original.event_id
        assert "different content" in str(raised.value)

    def test_the_same_id_in_another_stream_is_a_conflict(self, store: EventStore) -> None:
        original = event()
        store.append("s", [original])
        with pytest.raises(EventIdConflict, match="already recorded in stream 's'"):
            store.append("t", [original])
        assert all_positions(store) == [0]

    def test_key_order_in_the_payload_does_not_make_a_retry_differ(self, store: EventStore) -> None:
        original = event(a=1, b=2)
        store.append("s", [original])
        reordered = dataclasses.replace(original, payload={"b": 2, "a": 1})
        assert store.append("s", [reordered]).already_recorded

    @pytest.mark.parametrize("size", [1, 3, 8, 40])
    def test_a_retry_of_any_size_with_an_outdated_exact_version_returns_the_original(
        self, store: EventStore, size: int
    ) -> None:
        batch = events(size)
        original = store.append("s", batch, NO_STREAM)
        store.append("s", events(2))

        retry = store.append("s", batch, ExpectedVersion.exact(size - 1))
        grown = store.append("s", [*batch, *events(size)])

        assert retry.already_recorded and retry.events == original.events
        assert [e.stream_version for e in grown.events] == list(range(size)) + list(
            range(size + 2, 2 * size + 2)
        )
        assert all_positions(store) == list(range(2 * size + 2))

    def test_an_append_that_is_no_retry_does_not_look_its_ids_up(
        self, store: EventStore, engine: Engine
    ) -> None:
        statements: list[str] = []

        def record(*args: object) -> None:
            statements.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            store.append("s", events(20), NO_STREAM)
            store.append("s", events(1), ExpectedVersion.exact(19))
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        lookups = [s for s in statements if "event_id IN" in s.replace("\n", " ")]
        assert statements and not lookups

    def test_an_id_twice_in_one_batch_is_rejected(self, store: EventStore) -> None:
        twice = event()
        with pytest.raises(InvalidAppend, match=r"events\[1\].event_id"):
            store.append("s", [twice, twice])


class TestAtomicBatches:
    def test_a_batch_with_one_conflicting_event_writes_nothing(self, store: EventStore) -> None:
        taken = event()
        store.append("s", [taken])
        with pytest.raises(EventIdConflict):
            store.append("t", [*events(3), taken])
        assert all_positions(store) == [0]
        assert store.stream_version("t") is None

    def test_a_failing_observer_rolls_the_batch_back_and_leaves_no_hole(
        self, store: EventStore
    ) -> None:
        class Failing:
            def on_append(self, connection: Connection, appended: Sequence[AppendedEvent]) -> None:
                raise RuntimeError("projection failed")

        store.add_observer(Failing())
        with pytest.raises(RuntimeError):
            store.append("s", events(4))
        store._observers.clear()
        assert store.append("s", events(1)).first_position == 0


class TestLimits:
    def test_an_oversized_event_is_named(self, engine: Engine) -> None:
        store = EventStore(engine, limits=StoreLimits(max_event_bytes=100))
        batch = [event(text="short"), event(text="x" * 200)]
        with pytest.raises(LimitExceeded) as raised:
            store.append("s", batch)
        assert raised.value.field == "events[1]"
        assert "limit is 100" in str(raised.value)
        assert all_positions(store) == []

    def test_too_many_events_in_a_batch(self, engine: Engine) -> None:
        store = EventStore(engine, limits=StoreLimits(max_batch_events=5))
        with pytest.raises(LimitExceeded, match="6 events in one batch; the limit is 5"):
            store.append("s", events(6))

    def test_an_oversized_batch(self, engine: Engine) -> None:
        store = EventStore(engine, limits=StoreLimits(max_batch_bytes=500))
        with pytest.raises(LimitExceeded, match="the batch takes"):
            store.append("s", [event(text="x" * 100) for _ in range(5)])

    @pytest.mark.parametrize("stream", ["", "has space", "tab\there", "x" * 201])
    def test_bad_stream_names_are_rejected(self, store: EventStore, stream: str) -> None:
        with pytest.raises((InvalidAppend, LimitExceeded), match="stream"):
            store.append(stream, events(1))

    def test_a_lone_surrogate_in_a_payload_is_rejected_naming_the_event(
        self, store: EventStore
    ) -> None:
        with pytest.raises(InvalidAppend, match=r"events\[1\].payload: contains a lone surrogate"):
            store.append("s", [event(text="fine"), event(text="bad \ud800")])
        assert all_positions(store) == []

    def test_an_empty_batch_is_rejected(self, store: EventStore) -> None:
        with pytest.raises(InvalidAppend, match="at least one event"):
            store.append("s", [])


class TestReads:
    @pytest.fixture
    def filled(self, store: EventStore) -> EventStore:
        for round_ in range(5):
            store.append("a", events(2, "A"))
            store.append("b", events(1, "B" if round_ % 2 else "C"))
        return store

    def test_read_a_stream_forward_and_backward_from_a_version(self, filled: EventStore) -> None:
        forward = filled.read_stream("a", from_version=3, limit=4)
        assert [e.stream_version for e in forward] == [3, 4, 5, 6]
        backward = filled.read_stream("a", from_version=3, backwards=True, limit=10)
        assert [e.stream_version for e in backward] == [3, 2, 1, 0]
        assert [e.stream_version for e in filled.read_stream("a", backwards=True, limit=2)] == [
            9,
            8,
        ]

    def test_read_the_whole_log_in_pages_returns_every_event_once(self, filled: EventStore) -> None:
        seen: list[int] = []
        position = 0
        while page := filled.read_all(from_position=position, limit=4):
            seen += [e.position for e in page]
            position = page[-1].position + 1
        assert seen == list(range(15))

    def test_read_the_log_backward_filtered_by_type_and_stream(self, filled: EventStore) -> None:
        only_b = filled.read_all(backwards=True, event_types=["B"], limit=100)
        assert [e.event_type for e in only_b] == ["B", "B"]
        assert only_b[0].position > only_b[1].position
        in_b = filled.read_all(stream="b", limit=100)
        assert {e.stream for e in in_b} == {"b"} and len(in_b) == 5

    def test_a_streams_first_event_type_is_read_once_then_kept(self, store: EventStore) -> None:
        """Given a stream's first type found once, later calls read nothing (the first event
        of a stream never changes); a stream without events is looked up every time."""
        assert store.first_event_type("a") is None
        store.append("a", events(2, "A"))
        assert store.first_event_type("a") == "A"
        store._pages._run = _refusing_reads  # type: ignore[method-assign]
        store.append("a", events(1, "B"))
        assert store.first_event_type("a") == "A"
        with pytest.raises(AssertionError, match="no read"):
            store.first_event_type("b")

    def test_looking_up_no_ids_finds_nothing_and_reads_nothing(
        self, store: EventStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store.append("a", events(1, "A"))
        monkeypatch.setattr(store.engine, "connect", _refusing_reads)
        assert store.events_by_id([]) == {}
        with pytest.raises(AssertionError, match="no read"):
            store.events_by_id([uuid.uuid4()])

    def test_a_missing_stream_reads_empty(self, store: EventStore) -> None:
        assert store.read_stream("nothing") == []
        assert store.stream_version("nothing") is None
        assert store.head_position() is None


class TestImmutability:
    @pytest.mark.parametrize(
        "statement",
        ["UPDATE events SET payload = '{}'", "DELETE FROM events"],
    )
    def test_the_database_rejects_changes_to_recorded_events(
        self, store: EventStore, engine: Engine, statement: str
    ) -> None:
        store.append("s", events(2))
        before = store.read_all()
        rejected = pytest.raises(sa.exc.DBAPIError, match="events are immutable")
        with rejected, engine.begin() as conn:
            conn.execute(sa.text(statement))
        assert store.read_all() == before

    def test_no_sql_statement_replaces_changes_or_removes_a_recorded_event(
        self, store: EventStore, engine: Engine
    ) -> None:
        # On SQLite, INSERT OR REPLACE and REPLACE INTO delete the old row without firing a
        # DELETE trigger; upserts and MERGE go through the UPDATE and DELETE triggers.
        store.append("s", events(2))
        store.append("t", events(1))
        before = store.read_all()
        assert unrefused_changes(engine, EVENTS) == []
        assert store.read_all() == before

    @pytest.mark.parametrize(
        "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    )
    def test_postgresql_also_rejects_truncate(self, store: EventStore, engine: Engine) -> None:
        store.append("s", events(1))
        rejected = pytest.raises(sa.exc.DBAPIError, match="events are immutable")
        with rejected, engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE events"))
        assert len(store.read_all()) == 1


def test_event_ids_round_trip_as_uuids(store: EventStore) -> None:
    proposed = event()
    store.append("s", [proposed])
    [stored] = store.read_all()
    assert isinstance(stored.event_id, uuid.UUID) and stored.event_id == proposed.event_id


def _refusing_reads(*args: object, **kwargs: object) -> list[object]:
    raise AssertionError("no read should have reached the database")
