"""A large negotiation through a real server: a bounded view, its statements page by page."""

from __future__ import annotations

import uuid

import grpc
import pytest

from bench.scale import statement_payload
from newsledger.application.app import Application
from newsledger.client.ledger_client import ApiError, LedgerClient
from newsledger.domain.view import VIEW_LIST_LIMIT
from newsledger.store.records import ProposedEvent
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import negotiations_pb2 as pb
from tests.support.paths import SEED_STORY

NEGOTIATION = "us-china-trade-2025"
STREAM = "negotiation-" + NEGOTIATION
EXTRA = 250


@pytest.fixture
def grown(app: Application, client: LedgerClient) -> LedgerClient:
    ingest_story_in_process(app.ledger, SEED_STORY)
    statements = [
        ProposedEvent(uuid.uuid4(), "StatementMade", statement_payload(number))
        for number in range(EXTRA)
    ]
    app.ledger.append(STREAM, statements)
    return client


def test_the_view_shows_the_newest_statements_and_names_the_call_for_the_rest(
    grown: LedgerClient,
) -> None:
    everything = list(grown.statements(NEGOTIATION))
    view = grown.negotiation(NEGOTIATION).view

    assert len(view.statements) == VIEW_LIST_LIMIT
    [note] = [n for n in view.truncated_lists if n.path == "statements"]
    assert (note.shown, note.total, note.paged_by) == (
        VIEW_LIST_LIMIT,
        len(everything),
        "ListStatements",
    )
    newest = {s.statement_id for s in everything[:VIEW_LIST_LIMIT]}
    assert {s.statement_id for s in view.statements} == newest
    assert everything[0].statement_id == f"bench-statement-{EXTRA - 1}"


def test_pages_cover_every_statement_once_and_stay_fixed_while_appends_go_on(
    app: Application, grown: LedgerClient
) -> None:
    request = pb.ListStatementsRequest(negotiation_id=NEGOTIATION, page_size=100)
    first = grown.negotiations.ListStatements(request)
    app.ledger.append(
        STREAM, [ProposedEvent(uuid.uuid4(), "StatementMade", statement_payload(EXTRA))]
    )
    seen = [s.statement_id for s in first.statements]
    token = first.next_page_token
    while token:
        page = grown.negotiations.ListStatements(
            pb.ListStatementsRequest(negotiation_id=NEGOTIATION, page_size=100, page_token=token)
        )
        assert page.total == first.total
        seen += [s.statement_id for s in page.statements]
        token = page.next_page_token

    assert len(seen) == len(set(seen)) == first.total
    assert f"bench-statement-{EXTRA}" not in seen
    assert sum(1 for _ in grown.statements(NEGOTIATION)) == first.total + 1


def test_statements_filter_by_speaker_and_by_date(grown: LedgerClient) -> None:
    by_bessent = list(grown.statements(NEGOTIATION, speaker_id="scott-bessent"))
    assert len(by_bessent) >= EXTRA
    assert {s.speaker_id for s in by_bessent} == {"scott-bessent"}
    assert list(grown.statements(NEGOTIATION, as_of="2025-01-01")) == []


@pytest.mark.parametrize(
    "request_fields",
    [
        {"page_token": "not-a-token"},
        {"page_size": 5000},
        {"speaker_id": "Not A Slug"},
        {"as_of": "2025-13-01"},
    ],
)
def test_a_bad_statements_request_is_invalid_argument(
    grown: LedgerClient, request_fields: dict[str, object]
) -> None:
    request = pb.ListStatementsRequest(negotiation_id=NEGOTIATION, **request_fields)  # type: ignore[arg-type]
    with pytest.raises(grpc.RpcError) as raised:
        grown.negotiations.ListStatements(request)
    assert ApiError.from_rpc_error(raised.value).code == grpc.StatusCode.INVALID_ARGUMENT


def test_statements_of_an_unknown_negotiation_are_not_found(grown: LedgerClient) -> None:
    request = pb.ListStatementsRequest(negotiation_id="no-such-talks")
    with pytest.raises(grpc.RpcError) as raised:
        grown.negotiations.ListStatements(request)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
