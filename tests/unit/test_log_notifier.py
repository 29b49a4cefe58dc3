"""The notifier's in-memory tail: what it holds, what it hands out, and its bounds."""

from __future__ import annotations

import uuid

from newsledger.application.subscriptions import LogNotifier
from newsledger.domain.events import StoredEvent


def stored(position: int, payload: str = '{"n":1}') -> StoredEvent:
    return StoredEvent(
        position=position,
        event_id=uuid.uuid4(),
        stream="s",
        stream_version=position,
        event_type="Noted",
        schema_version=1,
        payload=payload,
        metadata="{}",
        recorded_at_us=position + 1,
    )


def published(notifier: LogNotifier, *batches: range) -> None:
    for batch in batches:
        notifier.publish([stored(position) for position in batch])


def positions(events: list[StoredEvent] | None) -> list[int] | None:
    return None if events is None else [event.position for event in events]


def test_nothing_published_beyond_a_position_is_an_empty_answer() -> None:
    notifier = LogNotifier()
    assert notifier.recent(-1, 10) == []
    published(notifier, range(3))
    assert notifier.recent(2, 10) == []
    assert notifier.recent(7, 10) == []


def test_the_events_after_a_position_come_in_order_up_to_the_limit() -> None:
    notifier = LogNotifier()
    published(notifier, range(3), range(3, 5), range(5, 9))
    assert positions(notifier.recent(1, 4)) == [2, 3, 4, 5]
    assert positions(notifier.recent(5, 100)) == [6, 7, 8]


def test_positions_before_the_first_published_are_not_in_memory() -> None:
    notifier = LogNotifier()
    published(notifier, range(10, 12))
    assert notifier.recent(8, 10) is None
    assert positions(notifier.recent(9, 10)) == [10, 11]


def test_a_gap_left_by_another_writer_starts_a_new_run() -> None:
    notifier = LogNotifier()
    published(notifier, range(3), range(5, 7))
    assert notifier.recent(2, 10) is None
    assert notifier.recent(3, 10) is None
    assert positions(notifier.recent(4, 10)) == [5, 6]


def test_a_position_published_but_no_longer_in_the_tail_is_left_to_the_database() -> None:
    """Two stores sharing a notifier may publish out of commit order: 11 before 10."""
    notifier = LogNotifier()
    published(notifier, range(10), range(11, 12), range(10, 11))
    assert positions(notifier.recent(9, 10)) == [10]
    assert notifier.recent(10, 10) is None


def test_the_tail_keeps_at_most_its_event_count() -> None:
    notifier = LogNotifier(max_tail_events=4)
    published(notifier, range(3), range(3, 6), range(6, 10))
    assert notifier.recent(4, 10) is None
    assert positions(notifier.recent(5, 10)) == [6, 7, 8, 9]


def test_the_tail_keeps_at_most_its_text_size() -> None:
    notifier = LogNotifier(max_tail_chars=250)
    big = "x" * 98  # with the 2-character metadata, 100 characters an event
    notifier.publish([stored(position, big) for position in range(5)])
    assert notifier.recent(1, 10) is None
    assert positions(notifier.recent(2, 10)) == [3, 4]


def test_wait_beyond_tells_a_publish_from_a_timeout() -> None:
    notifier = LogNotifier()
    assert not notifier.wait_beyond(-1, 0.01)
    published(notifier, range(1))
    assert notifier.wait_beyond(-1, 0.01)
    notifier.close()
    assert notifier.wait_beyond(5, 0.01)
