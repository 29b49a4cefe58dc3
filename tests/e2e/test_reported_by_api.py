"""`reported_by` through a real server, with the seed story loaded today about 2025.

Every record time of the seed is today, so `known_at` 2025-07-01 finds nothing; the press
had reported the Geneva truce by 1 June (the White House statement of 12 May) and the rest
of the story on 11 June.
"""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest

from newsledger.client.ledger_client import ApiError, LedgerClient
from newsledger.stories.ingest import ingest_story_over_grpc
from newsledger.v1 import negotiation_view_pb2 as views
from tests.support.paths import SEED_STORY

NEGOTIATION = "us-china-trade-2025"
JUNE_1 = datetime(2025, 6, 1, 23, 59, tzinfo=UTC)
JULY_1 = datetime(2025, 7, 1, 23, 59, tzinfo=UTC)


@pytest.fixture
def seeded(client: LedgerClient) -> LedgerClient:
    ingest_story_over_grpc(client, SEED_STORY)
    return client


def test_reported_by_answers_where_known_at_finds_nothing(seeded: LedgerClient) -> None:
    with pytest.raises(ApiError) as raised:
        seeded.negotiation(NEGOTIATION, as_of="2025-06-11", known_at=JULY_1)
    assert raised.value.code == grpc.StatusCode.NOT_FOUND
    response = seeded.negotiation(NEGOTIATION, as_of="2025-06-11", reported_by=JULY_1)
    assert response.reported_by.ToDatetime(tzinfo=UTC) == JULY_1
    assert response.view == seeded.negotiation(NEGOTIATION, as_of="2025-06-11").view


def test_by_june_1_only_the_geneva_talks_and_truce_had_been_reported(
    seeded: LedgerClient,
) -> None:
    view = seeded.negotiation(NEGOTIATION, as_of="2025-06-11", reported_by=JUNE_1).view
    assert view.phase == views.NEGOTIATION_PHASE_TRUCE
    assert view.truce.truce_id == "geneva-truce" and view.truce.days_remaining == 62
    assert [t.talks_id for t in view.talks] == ["geneva-talks"]
    assert not view.outcomes and not view.stale
    entries = [e.development_id for e in seeded.timeline(NEGOTIATION, reported_by=JUNE_1)]
    # the truce suspends a measure, and the talks name people, first described on 11 June:
    # they are taken in
    assert entries == [
        "negotiation-opened",
        "geneva-talks",
        "geneva-readout-us",
        "geneva-readout-cn",
        "geneva-truce",
        "geneva-truce-agreed-on-12-may",
        "person-he-lifeng",
        "person-scott-bessent",
        "person-jamieson-greer",
        "tariffs-above-100-percent",
    ]
    explained = seeded.explain(NEGOTIATION, "truce.deadline", "2025-06-11", reported_by=JUNE_1)
    assert [d.development_id for d in explained.developments] == [
        "geneva-truce",
        "geneva-truce-agreed-on-12-may",
    ]


def test_watch_sends_the_view_as_reported_by_then(seeded: LedgerClient) -> None:
    call = seeded.watch(NEGOTIATION, "2025-06-11", reported_by=JUNE_1)
    try:
        first = next(iter(call))
    finally:
        call.cancel()  # type: ignore[attr-defined]
    assert first.view.phase == views.NEGOTIATION_PHASE_TRUCE
