"""The negotiation-heavy workload folds its statements into negotiations of its people."""

from __future__ import annotations

from pathlib import Path

from bench.backends import Site
from bench.negotiation_load import load, requests
from newsledger.domain.negotiation import fold
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore


def test_every_loaded_statement_is_applied_by_the_fold(tmp_path: Path) -> None:
    path = tmp_path / "negotiations.db"
    site = Site("sqlite", "neg", f"sqlite:///{path}", sqlite_path=path)
    loaded = load(site, negotiations=2, statements=30)
    engine = create_engine(site.newsledger_url)
    try:
        store = EventStore(engine)
        for number, negotiation in enumerate(loaded):
            assert negotiation.stream == f"negotiation-bench-negotiation-{number}"
            events = store.read_stream(negotiation.stream, limit=10_000)
            assert events[-1].stream_version == negotiation.version
            state = fold(event.to_domain() for event in events)
            assert state is not None
            bench_statements = [s for s in state.statements if s.startswith("bench-statement-")]
            assert len(bench_statements) == 30
    finally:
        engine.dispose()


def test_the_timed_appends_expect_each_negotiations_next_version(tmp_path: Path) -> None:
    path = tmp_path / "negotiations.db"
    site = Site("sqlite", "neg", f"sqlite:///{path}", sqlite_path=path)
    loaded = load(site, negotiations=2, statements=5)
    versions = [n.version for n in loaded]
    prepared = requests(loaded, rounds=2, size=10)
    assert [r.stream for r in prepared] == [n.stream for n in loaded] * 2
    assert [r.expected_version.exact for r in prepared] == [
        versions[0],
        versions[1],
        versions[0] + 10,
        versions[1] + 10,
    ]
    assert all(len(r.events) == 10 for r in prepared)
