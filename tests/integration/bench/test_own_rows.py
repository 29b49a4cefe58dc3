"""The raw own-rows writer writes exactly the rows newsledger wrote, on both backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from bench.backends import Backend, PostgresBackend, Site, SqliteBackend
from bench.inprocess import InProcess
from bench.own_rows import TABLES, RawOwnRows, read_own_rows
from bench.workload import plan
from newsledger.store.engine import create_engine

POSTGRES_URL = os.environ.get("NEWSLEDGER_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Yield a benchmark backend (PostgreSQL: a database of its own, dropped after)."""
    made: Backend = (
        SqliteBackend() if request.param == "sqlite" else PostgresBackend(POSTGRES_URL or "")
    )
    try:
        yield made
    finally:
        made.close()


def _content(site: Site) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(site.newsledger_url)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(tuple(row) for row in conn.execute(sa.text(f"SELECT * FROM {table}")))
                for table in TABLES
            }
    finally:
        engine.dispose()


def test_the_raw_writer_reproduces_newsledgers_rows(backend: Backend) -> None:
    append_plan = plan(100, 700, n_streams=7)
    written = backend.fresh("written")
    case = InProcess(written)
    try:
        case.ledger_append(append_plan)
    finally:
        case.close()
    rows = read_own_rows(written, [len(b) for b in append_plan.batches])
    assert rows.n_events == 700
    assert all(len(batch["audit_leaves"]) == 100 for batch in rows.batches)

    replayed = backend.fresh("replayed")
    writer = RawOwnRows(backend, replayed)
    try:
        writer.append_rate(rows)
    finally:
        writer.close()
    expected = _content(written)
    assert len(expected["audit_nodes"]) > 700  # leaf hashes and the subtrees above them
    assert _content(replayed) == expected
