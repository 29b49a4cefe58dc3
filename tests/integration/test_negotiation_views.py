"""The negotiation views: kept current inside each append, equal to a rebuild, on each backend."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.bootstrap import build_application
from newsledger.projections.negotiation_views import load_view
from newsledger.projections.rebuild import (
    fold_stream,
    rebuild_views,
    views_differing_from_rebuild,
)
from newsledger.projections.snapshots import encode_state
from newsledger.store.engine import create_engine
from newsledger.store.errors import WrongExpectedVersion
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.store.records import NO_STREAM, ProposedEvent
from newsledger.store.tables import negotiation_views
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.stories.story_file import load_story
from tests.conftest import fresh_postgres_schema
from tests.support.paths import SEED_STORY

NEGOTIATION = "us-china-trade-2025"


@pytest.fixture
def app(engine: Engine) -> Application:
    return build_application(EventStore(engine))


def stored_state_text(engine: Engine, negotiation_id: str = NEGOTIATION) -> str:
    """Return the state the database holds (the latest snapshot and the events after it)."""
    with engine.connect() as conn:
        view = load_view(conn, negotiation_id)
    assert view is not None
    return encode_state(view.state)


def test_the_view_is_kept_current_as_events_arrive_in_several_appends(app: Application) -> None:
    story = load_story(SEED_STORY)
    for start in range(0, len(story.events), 7):
        app.ledger.append(story.stream, story.events[start : start + 7])

    stored = app.queries.views.get(NEGOTIATION)
    with app.store.engine.connect() as conn:
        fresh = fold_stream(conn, story.stream)

    assert stored is not None and fresh is not None
    assert stored.last_position == len(story.events) - 1
    assert stored.state.to_json() == fresh.state.to_json()
    assert views_differing_from_rebuild(app.store) == []


def test_the_seed_view_shows_the_truce_deadline_and_the_framework(app: Application) -> None:
    ingest_story_in_process(app.ledger, SEED_STORY)

    view = app.queries.view(NEGOTIATION, date(2025, 6, 11))

    assert view["truce"]["deadline"]["start_time"] == "2025-08-12T04:01:00Z"
    assert view["truce"]["days_remaining"] == 62
    statuses = {o["name"]: o["status"] for o in view["outcomes"]}
    assert "OUTCOME_STATUS_AGREED_IN_PRINCIPLE" in statuses.values()
    assert view["next_round"]["status"] == "NEXT_ROUND_STATUS_NOT_SCHEDULED"


def test_loading_the_story_twice_changes_nothing(app: Application, engine: Engine) -> None:
    first = ingest_story_in_process(app.ledger, SEED_STORY)
    view_before = stored_state_text(engine)
    head_before = app.store.head_position()

    second = ingest_story_in_process(app.ledger, SEED_STORY)

    assert (first.new, second.new) == (first.events, 0)
    assert second.already_recorded == second.events
    assert app.store.head_position() == head_before
    assert stored_state_text(engine) == view_before


def test_a_rejected_append_leaves_the_view_untouched(app: Application, engine: Engine) -> None:
    ingest_story_in_process(app.ledger, SEED_STORY)
    before = stored_state_text(engine)
    story = load_story(SEED_STORY)
    extra = ProposedEvent(
        event_id=uuid.uuid4(),
        event_type=story.events[-1].event_type,
        payload=story.events[-1].payload,
    )
    with pytest.raises(WrongExpectedVersion):
        app.ledger.append(story.stream, [extra], NO_STREAM)
    assert stored_state_text(engine) == before


def test_a_rebuild_from_scratch_equals_the_live_view(app: Application, engine: Engine) -> None:
    ingest_story_in_process(app.ledger, SEED_STORY)
    live = stored_state_text(engine)
    with engine.begin() as conn:
        conn.execute(negotiation_views.delete())

    assert views_differing_from_rebuild(app.store) == [NEGOTIATION]
    assert rebuild_views(app.store) == 1
    assert stored_state_text(engine) == live


def test_rebuilding_while_writes_go_on_converges(app: Application, engine: Engine) -> None:
    story = load_story(SEED_STORY)
    app.ledger.append(story.stream, story.events[:10])
    remaining = list(story.events[10:])
    errors: list[BaseException] = []

    def keep_writing() -> None:
        try:
            for event in remaining:
                app.ledger.append(story.stream, [event])
        except BaseException as error:
            errors.append(error)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    for _ in range(5):
        rebuild_views(app.store)
    writer.join()

    assert not errors
    assert views_differing_from_rebuild(app.store) == []
    stored = app.queries.views.get(NEGOTIATION)
    assert stored is not None and stored.last_position == len(story.events) - 1


@pytest.mark.postgres
def test_the_same_events_give_byte_identical_views_on_sqlite_and_postgresql(
    tmp_path: Path,
) -> None:
    texts = []
    with fresh_postgres_schema() as postgres_url:
        for url in (f"sqlite:///{tmp_path / 'ledger.db'}", postgres_url):
            engine = create_engine(url)
            upgrade_to_head(engine)
            # The same events, record times included: one fixed clock on both backends.
            store = EventStore(engine, clock=lambda: 1_749_600_000_000_000)
            ingest_story_in_process(build_application(store).ledger, SEED_STORY)
            texts.append(stored_state_text(engine))
            engine.dispose()
    assert texts[0] == texts[1]
