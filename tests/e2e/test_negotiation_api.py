"""NegotiationService through a real server, with the seed story loaded."""

from __future__ import annotations

import grpc
import pytest

from newsledger.client.ledger_client import ApiError, LedgerClient
from newsledger.stories.ingest import ingest_story_over_grpc
from newsledger.v1 import developments_pb2 as developments
from newsledger.v1 import negotiation_view_pb2 as views
from tests.support.paths import SEED_STORY

NEGOTIATION = "us-china-trade-2025"


@pytest.fixture
def seeded(client: LedgerClient) -> LedgerClient:
    ingest_story_over_grpc(client, SEED_STORY)
    return client


def test_the_view_shows_the_truce_deadline_with_days_remaining_computed_from_as_of(
    seeded: LedgerClient,
) -> None:
    on_the_day = seeded.negotiation(NEGOTIATION, as_of="2025-06-11")
    a_month_later = seeded.negotiation(NEGOTIATION, as_of="2025-07-11")
    # Extended on 11 August 2025 and on 4 November 2025, the truce ran to 10 November 2026.
    after = seeded.negotiation(NEGOTIATION, as_of="2026-11-11")

    truce = on_the_day.view.truce
    assert truce.deadline.start_time.ToJsonString() == "2025-08-12T04:01:00Z"
    assert truce.deadline.time_zone == "America/New_York"
    assert truce.days_remaining == 62
    assert a_month_later.view.truce.days_remaining == 32
    assert after.view.truce.expired
    assert on_the_day.as_of == "2025-06-11"


def test_the_view_shows_the_framework_agreed_in_principle_and_no_next_round(
    seeded: LedgerClient,
) -> None:
    view = seeded.negotiation(NEGOTIATION, as_of="2025-06-11").view
    assert developments.OUTCOME_STATUS_AGREED_IN_PRINCIPLE in [o.status for o in view.outcomes]
    assert view.phase == views.NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE
    assert view.next_round.status == developments.NEXT_ROUND_STATUS_NOT_SCHEDULED
    assert {p.name for p in view.parties} == {"United States", "China"}
    assert not view.stale


def test_the_view_tracks_the_log_position_it_reflects(seeded: LedgerClient) -> None:
    view = seeded.negotiation(NEGOTIATION, as_of="2025-06-11").view
    last = seeded.read_stream(f"negotiation-{NEGOTIATION}", direction=2, page_size=1).events[0]
    assert view.last_position.position == last.position


def test_negotiations_are_listed(seeded: LedgerClient) -> None:
    [summary] = seeded.list_negotiations()
    assert summary.negotiation_id == NEGOTIATION
    assert summary.stream == f"negotiation-{NEGOTIATION}"
    assert set(summary.parties) == {"United States", "China"}


def test_an_unknown_negotiation_is_not_found(client: LedgerClient) -> None:
    with pytest.raises(ApiError) as raised:
        client.negotiation("no-such-talks")
    assert raised.value.code == grpc.StatusCode.NOT_FOUND
    assert raised.value.reason == "NEGOTIATION_NOT_FOUND"
    assert raised.value.metadata == {"negotiation_id": "no-such-talks"}


@pytest.mark.parametrize("as_of", ["2025-13-01", "11 June", "2025-6-1"])
def test_a_malformed_as_of_date_is_invalid_argument(seeded: LedgerClient, as_of: str) -> None:
    with pytest.raises(ApiError) as raised:
        seeded.negotiation(NEGOTIATION, as_of=as_of)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.violations[0][0] == "as_of"
