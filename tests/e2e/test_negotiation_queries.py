"""The negotiation queries over a real server: known_at, explain, timeline, watch, filters."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.stories.ingest import ingest_story_over_grpc
from newsledger.v1 import developments_pb2 as dev
from newsledger.v1 import negotiation_view_pb2 as nv
from newsledger.v1 import negotiations_pb2 as pb
from tests.support.paths import SEED_STORY

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "tri-basin-water-2026.yaml"
SEED = "us-china-trade-2025"
TRI = "tri-basin-water-2026"


@pytest.fixture
def both(client: LedgerClient) -> LedgerClient:
    """A server holding the seed story and the fictional three-party one."""
    ingest_story_over_grpc(client, SEED_STORY)
    ingest_story_over_grpc(client, FIXTURE)
    return client


def stamp(text: str) -> Timestamp:
    value = Timestamp()
    value.FromJsonString(text)
    return value


def test_known_at_before_anything_was_recorded_is_not_found(both: LedgerClient) -> None:
    with pytest.raises(ApiError) as raised:
        both.negotiation(SEED, as_of="2025-06-11", known_at=stamp("2001-01-01T00:00:00Z"))
    assert raised.value.reason == "NEGOTIATION_NOT_FOUND"


def test_known_at_in_the_future_is_refused(both: LedgerClient) -> None:
    with pytest.raises(ApiError) as raised:
        both.negotiation(SEED, known_at=stamp("2999-01-01T00:00:00Z"))
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.violations[0][0] == "known_at"


def next_round_proposed(client: LedgerClient, event_id: str) -> None:
    """Append a development to the seed negotiation: a next round is proposed."""
    report = {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-11"},
        "sources": [{"source_id": "s", "outlet": "Wire", "kind": "SOURCE_KIND_WIRE"}],
    }
    payload = {"status": "NEXT_ROUND_STATUS_PROPOSED", "report": report}
    client.append(f"negotiation-{SEED}", [proposed(event_id, "NextRoundStatusChanged", payload)])


def test_known_at_a_past_instant_answers_with_what_was_recorded_by_then(
    both: LedgerClient,
) -> None:
    ingested = next(iter(both.timeline(SEED))).record_time
    next_round_proposed(both, "7d1f3d2e-0000-4000-8000-000000000002")

    then = both.negotiation(SEED, as_of="2025-06-11", known_at=ingested)
    now = both.negotiation(SEED, as_of="2025-06-11")

    assert then.known_at == ingested
    assert then.view.next_round.status == dev.NEXT_ROUND_STATUS_NOT_SCHEDULED
    assert now.view.next_round.status == dev.NEXT_ROUND_STATUS_PROPOSED
    assert then.view.last_position.stream_version + 1 == now.view.last_position.stream_version


def test_explain_says_which_developments_and_sources_set_the_truce_deadline(
    both: LedgerClient,
) -> None:
    explained = both.explain(SEED, "truce.deadline", as_of="2025-06-11")
    assert explained.explained_by_path == "truce"
    # the truce, and the refinement of the day it was agreed (12 May)
    assert [d.development_id for d in explained.developments] == [
        "geneva-truce",
        "geneva-truce-agreed-on-12-may",
    ]
    outlets = {s.outlet for s in explained.developments[0].sources}
    assert outlets == {"Newslooks", "The White House"}
    assert explained.confirmation.level == nv.CONFIRMATION_LEVEL_CONFIRMED_BY_ALL_PARTIES
    assert '"start_time": "2025-08-12T04:01:00Z"' in explained.value_json


def test_explain_the_phase_and_a_keyed_item(both: LedgerClient) -> None:
    phase = both.explain(SEED, "phase", as_of="2025-06-11")
    assert phase.value_json == '"NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"'
    assert [d.development_id for d in phase.developments] == ["london-framework"]
    disputed = both.explain(TRI, "outcomes[dry-season-flows].status", as_of="2026-07-01")
    assert disputed.confirmation.level == nv.CONFIRMATION_LEVEL_DISPUTED
    assert list(disputed.confirmation.disputed_by) == ["hillmark"]


def test_explaining_a_field_the_view_lacks_is_not_found_as_documented(
    both: LedgerClient,
) -> None:
    """Given a well-formed path naming nothing, NOT_FOUND/FIELD_NOT_FOUND names the path."""
    with pytest.raises(ApiError) as raised:
        both.explain(SEED, "measures[nowhere].status")
    assert raised.value.code == grpc.StatusCode.NOT_FOUND
    assert raised.value.reason == "FIELD_NOT_FOUND"
    assert raised.value.metadata == {
        "negotiation_id": SEED,
        "field_path": "measures[nowhere].status",
    }
    with pytest.raises(ApiError) as missing_field:
        both.explain(SEED, "truce.no_such_field", as_of="2025-06-11")
    assert "the view has no 'truce.no_such_field'" in missing_field.value.message


def test_explaining_a_malformed_path_is_invalid_argument(both: LedgerClient) -> None:
    """Given a path that is not fields and brackets, INVALID_ARGUMENT/INVALID_FIELD_PATH."""
    with pytest.raises(ApiError) as raised:
        both.explain(SEED, "truce..deadline[")
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.reason == "INVALID_FIELD_PATH"


def test_the_timeline_filters_by_type_party_actor_and_dates_and_pages(both: LedgerClient) -> None:
    statements = list(both.timeline(SEED, event_types=["StatementMade"], page_size=2))
    assert len(statements) == 6 and {e.event_type for e in statements} == {"StatementMade"}
    hillmark = [e.development_id for e in both.timeline(TRI, party_id="hillmark")]
    assert "hillmark-disputes-consensus" in hillmark and "person-ana-river" not in hillmark
    lutnick = [e.development_id for e in both.timeline(SEED, actor_id="howard-lutnick")]
    assert "lutnick-clear-the-air" in lutnick
    june_10 = [
        e.development_id
        for e in both.timeline(SEED, occurred_after="2025-06-10", occurred_before="2025-06-10")
    ]
    assert {"appeals-court-tariff-collection", "london-talks"} <= set(june_10)
    assert "trump-xi-call" not in june_10 and "asian-markets-rise" not in june_10
    merged = next(e for e in both.timeline(TRI) if e.development_id == "round-1-held-daily")
    assert merged.status == pb.TIMELINE_ENTRY_STATUS_MERGED
    assert merged.merged_into == "round-1-held-wire"


def test_a_bad_timeline_filter_names_the_field(both: LedgerClient) -> None:
    with pytest.raises(ApiError) as raised:
        list(both.timeline(SEED, event_types=["Rumoured"]))
    assert raised.value.violations[0][0] == "event_types"


def test_negotiations_are_filtered_by_party_and_phase(both: LedgerClient) -> None:
    assert [n.negotiation_id for n in both.list_negotiations()] == [TRI, SEED]
    assert [n.negotiation_id for n in both.list_negotiations(party_id="cn")] == [SEED]
    # Riverland's claim of a preliminary consensus is disputed by Hillmark: still talks.
    found = both.list_negotiations(phase=nv.NEGOTIATION_PHASE_TALKS)
    assert [(n.negotiation_id, list(n.party_ids)) for n in found] == [
        (TRI, ["riverland", "lakeland", "hillmark"])
    ]
    assert not list(both.list_negotiations(phase=nv.NEGOTIATION_PHASE_PRELIMINARY_CONSENSUS))


def test_watch_sends_the_view_then_each_change(both: LedgerClient) -> None:
    stream = both.watch(SEED, as_of="2025-06-11")
    received: list[pb.WatchNegotiationResponse] = []
    done = threading.Event()

    def consume(messages: Iterator[pb.WatchNegotiationResponse]) -> None:
        try:
            for message in messages:
                received.append(message)
                if len(received) == 2:
                    break
        finally:
            done.set()

    thread = threading.Thread(target=consume, args=(stream,), daemon=True)
    thread.start()
    for _ in range(100):
        if received:
            break
        threading.Event().wait(0.05)
    assert received and "truce" in received[0].changed_paths
    next_round_proposed(both, "7d1f3d2e-0000-4000-8000-000000000001")
    assert done.wait(10)
    stream.cancel()
    assert list(received[1].changed_paths) == ["next_round"]
    assert received[1].view.next_round.status == dev.NEXT_ROUND_STATUS_PROPOSED
