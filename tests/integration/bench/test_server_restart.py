"""A case's log can be served again: a later server signs with the key of the first."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bench.backends import Backend, PostgresBackend, SqliteBackend, drop_site
from bench.server import Server
from newsledger.client.ledger_client import LedgerClient, proposed
from tests.conftest import POSTGRES_URL
from tests.support.payloads import statement


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Yield a benchmark backend of each kind, cleaned up after."""
    if request.param == "sqlite":
        made: Backend = SqliteBackend()
    elif POSTGRES_URL is None:
        pytest.skip("NEWSLEDGER_TEST_DATABASE_URL is not set")
    else:
        made = PostgresBackend(POSTGRES_URL)
    yield made
    made.close()


@pytest.mark.slow
def test_a_second_server_on_a_case_starts_and_reads_what_the_first_wrote(
    backend: Backend,
) -> None:
    site = backend.fresh("restart")
    first = Server(site)
    try:
        with LedgerClient(first.target) as client:
            client.append("s-1", [proposed(str(uuid.uuid4()), "StatementMade", statement())])
    finally:
        first.stop()
    second = Server(site)  # the scale checks start a fresh server at each size
    try:
        with LedgerClient(second.target) as client:
            assert len(client.read_log().events) == 1
    finally:
        second.stop()
        drop_site(backend, site)
