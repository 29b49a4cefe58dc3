"""Record time through snapshots: a past answer is a snapshot plus a tail, equal to a replay.

The property test cuts the log at random instants and asks for random dates: the ledger's
answer must equal a fold of exactly the events recorded by then, rendered for that date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.bootstrap import build_application
from newsledger.domain.events import StoredEvent, micros_from_time, time_from_micros
from newsledger.domain.negotiation import fold, render_view
from newsledger.projections import negotiation_views, snapshots
from newsledger.projections.rebuild import views_differing_from_rebuild
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import migrations_dir
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.stories.story_file import load_story
from tests.support.older_schema import appending_to_an_older_schema, older_event_rows
from tests.support.paths import ROOT, SEED_STORY

FIXTURE = ROOT / "tests" / "fixtures" / "stories" / "tri-basin-water-2026.yaml"
INTERVAL = 5
START = datetime(2026, 1, 1, tzinfo=UTC)


def upgrade_to(engine: Engine, revision: str) -> None:
    """Migrate the database to one revision."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def raw_events(engine: Engine) -> list[tuple[Any, ...]]:
    """Return the fields of every event row (the columns every revision has), as stored."""
    return older_event_rows(engine)


@pytest.fixture
def small_interval(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Snapshot every INTERVAL events, so a short story passes several snapshot points."""
    monkeypatch.setattr(snapshots, "SNAPSHOT_INTERVAL", INTERVAL)
    yield


@pytest.fixture
def recorded(engine: Engine, small_interval: None) -> tuple[Application, list[StoredEvent]]:
    """Append the fictional story one event per append, a minute apart; return the events."""
    ticks = iter(range(10_000))
    store = EventStore(
        engine, clock=lambda: micros_from_time(START + timedelta(minutes=next(ticks)))
    )
    app = build_application(store)
    story = load_story(FIXTURE)
    for event in story.events:
        app.ledger.append(story.stream, [event])
    return app, store.read_stream(story.stream, limit=1000)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.integers(min_value=0, max_value=100),
    seconds_after=st.integers(min_value=0, max_value=59),
    as_of=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
)
def test_a_view_at_as_of_and_known_at_equals_a_replay_cut_at_the_same_point(
    recorded: tuple[Application, list[StoredEvent]], cut: int, seconds_after: int, as_of: date
) -> None:
    app, events = recorded
    cut = cut % len(events)
    known = events[cut].record_time + timedelta(seconds=seconds_after)

    replayed = fold([event.to_domain() for event in events[: cut + 1]])
    assert replayed is not None

    assert app.queries.view("tri-basin-water-2026", as_of, known) == render_view(replayed, as_of)


def test_a_past_point_costs_a_snapshot_plus_a_short_tail(
    recorded: tuple[Application, list[StoredEvent]], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, events = recorded
    folded: list[int] = []
    real_fold = negotiation_views.fold_in_place

    def counting_fold(tail: list[Any], state: Any = None) -> Any:
        folded.append(len(tail))
        return real_fold(tail, state)

    monkeypatch.setattr(negotiation_views, "fold_in_place", counting_fold)
    for cut in range(len(events) - 1):
        app.queries.view("tri-basin-water-2026", date(2026, 12, 31), events[cut].record_time)
    assert max(folded) < INTERVAL
    with app.store.engine.connect() as conn:
        assert list(snapshots.snapshot_versions(conn, "tri-basin-water-2026")) == [
            v for v in range(len(events)) if (v + 1) % INTERVAL == 0
        ]


def test_nothing_was_known_before_the_first_event(
    recorded: tuple[Application, list[StoredEvent]],
) -> None:
    from newsledger.application.errors import NegotiationNotFound

    app, _ = recorded
    with pytest.raises(NegotiationNotFound, match="recorded by"):
        app.queries.view("tri-basin-water-2026", date(2026, 6, 1), START - timedelta(days=1))


def test_a_rebuild_writes_the_same_snapshots(
    recorded: tuple[Application, list[StoredEvent]],
) -> None:
    app, _ = recorded
    assert views_differing_from_rebuild(app.store) == []
    with app.store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM negotiation_snapshots WHERE stream_version = 4"))
    assert views_differing_from_rebuild(app.store) == ["tri-basin-water-2026"]


def test_a_second_negotiation_with_other_parties_needs_only_its_story(engine: Engine) -> None:
    app = build_application(EventStore(engine))
    for path in (SEED_STORY, FIXTURE):
        ingest_story_in_process(app.ledger, path)
    again = ingest_story_in_process(app.ledger, FIXTURE)

    assert again.new == 0
    assert [n.negotiation_id for n in app.queries.summaries("", 10)] == [
        "tri-basin-water-2026",
        "us-china-trade-2025",
    ]
    assert [n.negotiation_id for n in app.queries.summaries("", 10, party_id="hillmark")] == [
        "tri-basin-water-2026"
    ]
    assert [
        n.negotiation_id
        for n in app.queries.summaries("", 10, phase="NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE")
    ] == ["us-china-trade-2025"]
    view = app.queries.view("tri-basin-water-2026", date(2026, 7, 1))
    assert [p["party_id"] for p in view["parties"]] == ["riverland", "lakeland", "hillmark"]
    # Riverland claims a preliminary consensus, Lakeland confirms, Hillmark disputes it.
    assert view["phase"] == "NEGOTIATION_PHASE_TALKS"
    (claim,) = view["claimed_phases"]
    assert claim["phase"] == "NEGOTIATION_PHASE_PRELIMINARY_CONSENSUS"
    assert claim["claimed_by"] == ["riverland"]
    assert not view.get("stale")
    assert view["deadlines"][0]["days_remaining"] == 91


def test_an_upgrade_from_0002_keeps_events_and_builds_views_and_snapshots(
    make_engine: Callable[..., Engine], small_interval: None
) -> None:
    engine = make_engine()
    upgrade_to(engine, "0002")
    bare = EventStore(engine)  # the 0002 schema: events only, as an older release wrote them
    story = load_story(FIXTURE)
    with appending_to_an_older_schema(engine):
        bare.append(story.stream, story.events)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO negotiation_views VALUES "
                "('tri-basin-water-2026', 'negotiation-tri-basin-water-2026', '{}', 0, 0)"
            )
        )
    before = raw_events(engine)

    upgrade_to(engine, "head")

    assert raw_events(engine) == before
    app = build_application(EventStore(engine))
    assert views_differing_from_rebuild(app.store) == []
    view = app.queries.view("tri-basin-water-2026", date(2026, 7, 1))
    assert view["phase"] == "NEGOTIATION_PHASE_TALKS"
    middle = time_from_micros(int(before[10][-1]))
    assert app.queries.view("tri-basin-water-2026", date(2026, 7, 1), middle)
