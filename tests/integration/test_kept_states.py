"""Appends fold onto the state kept in the process, and that equals a fold from scratch.

The kept state is trusted only at the version it was folded to and once its append has
committed: a rolled-back append, another process's append, or an evicted state all send the
next append back to the stored snapshot and the events after it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from bench.scale import statement_payload
from newsledger.application.app import Application
from newsledger.application.errors import UnknownReferences
from newsledger.bootstrap import build_application
from newsledger.projections import negotiation_views, snapshots
from newsledger.projections.rebuild import fold_stream, views_differing_from_rebuild
from newsledger.projections.snapshots import decode_state
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import migrations_dir
from newsledger.store.records import AppendedEvent, ProposedEvent
from newsledger.stories.story_file import load_story
from tests.support.paths import SEED_STORY
from tests.support.payloads import report

NEGOTIATION = "us-china-trade-2025"
STREAM = "negotiation-" + NEGOTIATION


def statement(number: int) -> ProposedEvent:
    """Return a statement by a person of the seed story (applied by the fold)."""
    return ProposedEvent(uuid.uuid4(), "StatementMade", statement_payload(number))


def dangling(number: int) -> ProposedEvent:
    """Return a statement by nobody the negotiation knows: the append is refused."""
    event = statement(number)
    payload = {**event.payload, "speaker_id": "nobody-known"}
    return ProposedEvent(uuid.uuid4(), "StatementMade", payload)


def unapplied(number: int) -> ProposedEvent:
    """Return an extension naming no deadline: recorded, and a problem for the fold."""
    deadline = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-09-01"}
    payload = {"deadline": deadline, "report": report(day=f"2025-06-{1 + number % 28:02d}")}
    return ProposedEvent(uuid.uuid4(), "DeadlineExtended", payload)


class FailAfterProjecting:
    """An observer that fails the append transaction after the projector folded it."""

    def __init__(self) -> None:
        self.armed = False

    def on_append(self, connection: Connection, appended: Sequence[AppendedEvent]) -> None:
        if self.armed:
            self.armed = False
            raise RuntimeError("the append fails after the projection")


def app_with_failure(engine: Engine) -> tuple[Application, FailAfterProjecting]:
    store = EventStore(engine)
    app = build_application(store)
    failing = FailAfterProjecting()
    store.add_observer(failing)
    return app, failing


def current_json(app: Application) -> Any:
    with app.queries.stored(NEGOTIATION) as stored:
        return stored.state.to_json()


def fresh_json(engine: Engine) -> Any:
    with engine.connect() as conn:
        fresh = fold_stream(conn, STREAM)
    assert fresh is not None
    return fresh.state.to_json()


@pytest.mark.equivalence
@pytest.mark.parametrize("seed", range(4))
def test_appends_onto_the_kept_state_equal_a_fold_from_scratch(
    engine: Engine, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "SNAPSHOT_INTERVAL", 7)
    rng = random.Random(seed)
    app, failing = app_with_failure(engine)
    whole = list(load_story(SEED_STORY).events)
    story = list(whole)
    extra = 0
    while story:
        take = rng.randint(1, 6)
        batch, story = story[:take], story[take:]
        # The seed's speaker is its fourth development: statements follow it.
        speaker_known = len(whole) - len(story) >= 4
        for _ in range(rng.randint(0, 3)):
            extra += 1
            known = speaker_known and rng.random() >= 0.2
            batch.append(statement(extra) if known else unapplied(extra))
        if rng.random() < 0.15:
            failing.armed = True
            with pytest.raises(RuntimeError):
                app.ledger.append(STREAM, batch)
            story = batch[:take] + story  # the story events are appended again later
            continue
        if rng.random() < 0.1:
            with pytest.raises(UnknownReferences):
                app.ledger.append(STREAM, [*batch, dangling(extra)])
            story = batch[:take] + story
            continue
        app.ledger.append(STREAM, batch)
        if rng.random() < 0.3:
            app.queries.views.cache.drop(NEGOTIATION)
        assert current_json(app) == fresh_json(engine)
    assert views_differing_from_rebuild(app.store) == []


def test_an_append_folds_onto_the_kept_state_without_loading_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build_application(EventStore(engine))
    app.ledger.append(STREAM, load_story(SEED_STORY).events)
    current_json(app)
    loads: list[int] = []
    real = negotiation_views.view_at_version

    def counting(conn: Connection, negotiation_id: str, cut: int) -> Any:
        loads.append(cut)
        return real(conn, negotiation_id, cut)

    monkeypatch.setattr(negotiation_views, "view_at_version", counting)
    for number in range(5):
        app.ledger.append(STREAM, [statement(number)])
        current_json(app)

    assert loads == []
    assert current_json(app) == fresh_json(engine)


def test_a_rolled_back_append_leaves_nothing_in_the_kept_state(engine: Engine) -> None:
    app, failing = app_with_failure(engine)
    app.ledger.append(STREAM, load_story(SEED_STORY).events)
    before = current_json(app)

    failing.armed = True
    with pytest.raises(RuntimeError):
        app.ledger.append(STREAM, [statement(1)])

    assert current_json(app) == before
    app.ledger.append(STREAM, [statement(2)])
    after = current_json(app)
    assert "bench-statement-2" in after["statements"]
    assert "bench-statement-1" not in after["statements"]
    assert after == fresh_json(engine)


def test_another_process_appending_in_between_is_folded_in(engine: Engine) -> None:
    first = build_application(EventStore(engine))
    second = build_application(EventStore(engine))
    first.ledger.append(STREAM, load_story(SEED_STORY).events)
    for number in range(6):
        (first if number % 2 else second).ledger.append(STREAM, [statement(number)])
        assert current_json(first) == current_json(second) == fresh_json(engine)
    assert len(current_json(first)["statements"]) >= 6


def test_the_view_row_stays_small_however_large_the_state(engine: Engine) -> None:
    app = build_application(EventStore(engine))
    app.ledger.append(STREAM, load_story(SEED_STORY).events)
    app.ledger.append(STREAM, [statement(number) for number in range(300)])
    with engine.connect() as conn:
        row = conn.execute(
            negotiation_views.negotiation_views.select().where(
                negotiation_views.negotiation_views.c.negotiation_id == NEGOTIATION
            )
        ).one()
    assert row.state == ""
    assert len(current_json(app)["statements"]) > 300


@pytest.mark.parametrize(
    ("version", "point"),
    [
        (98, False),
        (99, True),
        (899, True),
        (999, True),
        (1_099, False),
        (1_999, True),
        (9_999, True),
        (10_999, False),
        (19_999, True),
        (99_999, True),
        (109_999, False),
        (199_999, True),
    ],
)
def test_snapshots_thin_out_as_a_stream_grows(version: int, point: bool) -> None:
    assert snapshots.is_snapshot_point(version) is point


def test_a_downgrade_stores_each_state_in_its_row_again(engine: Engine) -> None:
    app = build_application(EventStore(engine))
    app.ledger.append(STREAM, load_story(SEED_STORY).events)
    expected = current_json(app)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005_immutable_past")
    with engine.connect() as conn:
        text = conn.execute(sa.text("SELECT state FROM negotiation_views")).scalar_one()
    assert decode_state(text).to_json() == expected


def test_a_view_at_the_kept_version_reads_nothing_from_the_database(engine: Engine) -> None:
    app = build_application(EventStore(engine))
    app.ledger.append(STREAM, load_story(SEED_STORY).events)
    app.ledger.append(STREAM, [statement(1)])
    version = app.store.stream_version(STREAM)
    assert version is not None
    current_json(app)  # the state is kept at the version
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        with app.queries.views.current(NEGOTIATION, version) as kept:
            assert kept is not None
            state = kept.state.to_json()
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)

    assert statements == []
    assert state == fresh_json(engine)
