"""GetNegotiation's answers, kept per view point: always the view rendered afresh, byte for byte.

A view is kept by (negotiation, stream version folded, as-of date). The tests ask the service
in the process and compare each answer with the message ParseDict builds from a replay cut at
the same point, before and after appends, on each backend.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from google.protobuf import json_format
from sqlalchemy.engine import Engine

from newsledger.api.serialized import Serialized
from newsledger.api.services.negotiations import NegotiationService
from newsledger.api.view_cache import ViewCache
from newsledger.application.queries import ViewPoint
from newsledger.bootstrap import build_application
from newsledger.domain.events import StoredEvent, micros_from_time
from newsledger.domain.negotiation import fold
from newsledger.domain.view import render_view
from newsledger.store.event_store import EventStore
from newsledger.stories.story_file import load_story
from newsledger.v1 import negotiations_pb2 as pb
from newsledger.v1.negotiation_view_pb2 import NegotiationView
from tests.support.paths import ROOT
from tests.support.served import as_sent

FIXTURE = ROOT / "tests" / "fixtures" / "stories" / "tri-basin-water-2026.yaml"
NEGOTIATION = "tri-basin-water-2026"
START = datetime(2026, 1, 1, tzinfo=UTC)
TODAY = date(2026, 7, 1)
HELD_BACK = 3


class Log:
    """The fixture story appended one event a minute, but for its last HELD_BACK events."""

    def __init__(self, engine: Engine) -> None:
        ticks = iter(range(10_000))
        self.store = EventStore(
            engine, clock=lambda: micros_from_time(START + timedelta(minutes=next(ticks)))
        )
        self.app = build_application(self.store)
        self.story = load_story(FIXTURE)
        self.appended = 0
        for _ in range(len(self.story.events) - HELD_BACK):
            self.append_next()

    def append_next(self) -> None:
        """Append the story's next event."""
        self.app.ledger.append(self.story.stream, [self.story.events[self.appended]])
        self.appended += 1

    def events(self) -> list[StoredEvent]:
        """Return the stream's events so far."""
        return self.store.read_stream(self.story.stream, limit=1000)

    def replayed_view(self, cut: int, as_of: date) -> bytes:
        """Return the view ParseDict builds from a fold of the events up to version `cut`."""
        state = fold([event.to_domain() for event in self.events()[: cut + 1]])
        assert state is not None
        message = json_format.ParseDict(render_view(state, as_of), NegotiationView())
        return message.SerializeToString()


@pytest.fixture
def log(engine: Engine) -> Log:
    return Log(engine)


def service(log: Log, views: ViewCache | None = None) -> NegotiationService:
    return NegotiationService(log.app.queries, today=lambda: TODAY, views=views)


def ask(service: NegotiationService, as_of: str = "", known_at: datetime | None = None) -> bytes:
    """Return the view GetNegotiation answers, serialized."""
    request = pb.GetNegotiationRequest(negotiation_id=NEGOTIATION, as_of=as_of)
    if known_at is not None:
        request.known_at.FromDatetime(known_at)
    response = as_sent(service.GetNegotiation(request, None), pb.GetNegotiationResponse)
    return response.view.SerializeToString()


def counting_renders(
    service: NegotiationService, monkeypatch: pytest.MonkeyPatch
) -> list[ViewPoint]:
    """Record each point the service renders a view at."""
    rendered: list[ViewPoint] = []
    real: Callable[..., Any] = service.queries.view_at

    def view_at(point: ViewPoint, **options: Any) -> Any:
        rendered.append(point)
        return real(point, **options)

    monkeypatch.setattr(service.queries, "view_at", view_at)
    return rendered


def test_each_answer_equals_a_fresh_replay_the_first_time_and_when_asked_again(log: Log) -> None:
    served = service(log)
    events = log.events()
    last = len(events) - 1
    for _ in range(2):
        assert ask(served) == log.replayed_view(last, TODAY)
        assert ask(served, "2026-03-01") == log.replayed_view(last, date(2026, 3, 1))
        for cut in (0, 4, last // 2, last):
            known = events[cut].record_time + timedelta(seconds=30)
            assert ask(served, "2026-12-31", known) == log.replayed_view(cut, date(2026, 12, 31))


def test_a_kept_view_is_never_served_after_an_append_changes_it(log: Log) -> None:
    served = service(log)
    before = ask(served)
    while log.appended < len(log.story.events):
        log.append_next()
        after = ask(served)
        assert after != before
        assert after == log.replayed_view(log.appended - 1, TODAY)
        before = after


def test_an_append_between_finding_the_point_and_rendering_it_does_not_leak_in(
    log: Log,
) -> None:
    point = log.app.queries.view_point(NEGOTIATION, TODAY)
    log.append_next()
    rendered = json_format.ParseDict(log.app.queries.view_at(point), NegotiationView())
    assert rendered.SerializeToString() == log.replayed_view(point.stream_version, TODAY)


def test_a_view_is_rendered_once_per_point_whichever_question_reaches_it(
    log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = service(log)
    rendered = counting_renders(served, monkeypatch)
    ask(served)
    ask(served)
    ask(served, TODAY.isoformat())
    ask(served, known_at=log.events()[-1].record_time)
    assert len(rendered) == 1
    ask(served, "2026-03-01")
    log.append_next()
    ask(served)
    assert [(p.stream_version, p.as_of) for p in rendered] == [
        (log.appended - 2, TODAY),
        (log.appended - 2, date(2026, 3, 1)),
        (log.appended - 1, TODAY),
    ]


def test_the_views_kept_stay_within_the_bound_and_answers_stay_right(log: Log) -> None:
    views = ViewCache(max_entries=3)
    served = service(log, views)
    last = len(log.events()) - 1
    days = [date(2026, month, 1) for month in range(1, 8)]
    for _ in range(2):
        for day in days:
            assert ask(served, day.isoformat()) == log.replayed_view(last, day)
            assert len(views) <= 3


@pytest.mark.equivalence
def test_the_response_sent_as_bytes_is_the_response_message_built_field_by_field(
    log: Log,
) -> None:
    """Given the view kept serialised, the bytes sent are exactly the response message built
    by merging that view and setting each other field (as_of, known_at, reported_by)."""
    asked = service(log)
    instant = START + timedelta(minutes=5)
    for fields in ({}, {"as_of": "2026-03-01"}, {"known_at": instant}, {"reported_by": instant}):
        request = pb.GetNegotiationRequest(negotiation_id=NEGOTIATION)
        for name, value in fields.items():
            if isinstance(value, datetime):
                getattr(request, name).FromDatetime(value)
            else:
                setattr(request, name, value)
        sent = asked.GetNegotiation(request, None)
        as_of = request.as_of or TODAY.isoformat()
        known_at = instant if "known_at" in fields else None
        reported_by = instant if "reported_by" in fields else None
        point = asked.queries.view_point(
            NEGOTIATION, date.fromisoformat(as_of), known_at, reported_by
        )
        expected = pb.GetNegotiationResponse(as_of=as_of)
        expected.view.MergeFromString(asked._serialized_view(point))
        for name in ("known_at", "reported_by"):
            if request.HasField(name):
                getattr(expected, name).CopyFrom(getattr(request, name))
        assert isinstance(sent, Serialized)
        assert sent.wire == expected.SerializeToString()
