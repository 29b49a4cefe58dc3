"""EventStoreService through a real server and a real client, on each backend."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf import empty_pb2

from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.v1 import event_store_pb2 as es
from tests.support.payloads import statement

EMPTY = empty_pb2.Empty()


def statements(count: int, start: int = 0) -> list[es.ProposedEvent]:
    return [
        proposed(str(uuid.uuid4()), "StatementMade", statement(start + n)) for n in range(count)
    ]


def expect(**kind: object) -> es.ExpectedVersion:
    return es.ExpectedVersion(**kind)  # type: ignore[arg-type]


class TestAppendEvents:
    def test_append_returns_positions_and_versions_in_request_order(
        self, client: LedgerClient
    ) -> None:
        batch = statements(3)
        response = client.append("talks", batch, expect(no_stream=EMPTY))
        assert [p.event_id for p in response.positions] == [e.event_id for e in batch]
        assert [p.position for p in response.positions] == [0, 1, 2]
        assert response.stream_version == 2
        assert not response.already_recorded
        assert response.record_time.seconds > 0

    def test_an_exact_retry_returns_the_original_positions(self, client: LedgerClient) -> None:
        batch = statements(2)
        first = client.append("talks", batch)
        again = client.append("talks", batch)
        assert again.already_recorded
        assert list(again.positions) == list(first.positions)
        assert len(client.read_log().events) == 2

    def test_a_wrong_expected_version_is_aborted_naming_stream_expected_and_actual(
        self, client: LedgerClient
    ) -> None:
        client.append("talks", statements(2))
        with pytest.raises(ApiError) as raised:
            client.append("talks", statements(1), expect(exact=0))
        error = raised.value
        assert error.code == grpc.StatusCode.ABORTED
        assert error.reason == "WRONG_EXPECTED_VERSION"
        assert error.metadata == {"stream": "talks", "expected": "0", "actual": "1"}

    def test_an_event_id_reused_with_other_content_is_already_exists(
        self, client: LedgerClient
    ) -> None:
        [original] = statements(1)
        client.append("talks", [original])
        changed = es.ProposedEvent()
        changed.CopyFrom(original)
        changed.payload_json = json.dumps(statement(99))
        with pytest.raises(ApiError) as raised:
            client.append("talks", [changed])
        assert raised.value.code == grpc.StatusCode.ALREADY_EXISTS
        assert raised.value.reason == "EVENT_ID_CONFLICT"
        assert raised.value.metadata["event_id"] == original.event_id

    def test_a_schema_violation_names_the_field_and_writes_nothing(
        self, client: LedgerClient
    ) -> None:
        broken = statement(1)
        del broken["report"]["sources"][0]["outlet"]
        batch = [*statements(2), proposed(str(uuid.uuid4()), "StatementMade", broken)]
        with pytest.raises(ApiError) as raised:
            client.append("talks", batch)
        error = raised.value
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert error.reason == "INVALID_EVENT"
        fields = [field for field, _ in error.violations]
        assert "events[2].payload_json.report.sources[0].outlet" in fields
        assert client.read_log().events == []

    @pytest.mark.parametrize(
        ("event", "field"),
        [
            (
                es.ProposedEvent(event_id="not-a-uuid", event_type="StatementMade"),
                "events[0].event_id",
            ),
            (
                es.ProposedEvent(
                    event_id=str(uuid.uuid4()), event_type="StatementMade", payload_json="{"
                ),
                "events[0].payload_json",
            ),
            (
                es.ProposedEvent(
                    event_id=str(uuid.uuid4()), event_type="StatementMade", payload_json="[1]"
                ),
                "events[0].payload_json",
            ),
            (
                es.ProposedEvent(
                    event_id=str(uuid.uuid4()), event_type="NoSuchType", payload_json="{}"
                ),
                "events[0].event_type",
            ),
            (
                es.ProposedEvent(
                    event_id=str(uuid.uuid4()),
                    event_type="StatementMade",
                    payload_json=json.dumps({**statement(), "speaker_id": 1.5}),
                ),
                "events[0].payload_json.speaker_id",
            ),
        ],
    )
    def test_malformed_events_are_invalid_argument_naming_the_field(
        self, client: LedgerClient, event: es.ProposedEvent, field: str
    ) -> None:
        with pytest.raises(ApiError) as raised:
            client.append("talks", [event])
        assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
        assert field in [f for f, _ in raised.value.violations]
        assert client.read_log().events == []

    def test_an_oversized_event_is_named(self, client: LedgerClient) -> None:
        big = statement(0, text="x" * 300_000)
        batch = [*statements(1), proposed(str(uuid.uuid4()), "StatementMade", big)]
        with pytest.raises(ApiError) as raised:
            client.append("talks", batch)
        assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
        assert raised.value.reason == "EVENT_TOO_LARGE"
        assert raised.value.violations[0][0] == "events[1]"

    def test_a_bad_negotiation_stream_name_is_rejected(self, client: LedgerClient) -> None:
        with pytest.raises(ApiError) as raised:
            client.append("negotiation-Not_A_Slug", statements(1))
        assert raised.value.violations[0][0] == "stream"

    def test_a_negotiation_stream_without_its_opening_is_refused_and_no_ghost_is_listed(
        self, client: LedgerClient
    ) -> None:
        """Given AppendEvents of a statement to an unopened negotiation, nothing is written."""
        with pytest.raises(ApiError) as raised:
            client.append("negotiation-ghost-talks", statements(1))
        assert (raised.value.code, raised.value.reason) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_EVENT",
        )
        assert raised.value.violations[0][0] == "events[0].event_type"
        assert "first event must be NegotiationOpened" in raised.value.violations[0][1]
        assert list(client.iter_log()) == []
        assert client.list_negotiations() == []


class TestReads:
    @pytest.fixture
    def filled(self, client: LedgerClient) -> LedgerClient:
        for _ in range(3):
            client.append("a", statements(3))
            client.append("b", statements(2))
        return client

    def test_read_a_stream_in_pages_forward_and_backward(self, filled: LedgerClient) -> None:
        versions: list[int] = []
        token = ""
        while True:
            page = filled.read_stream("a", page_size=4, page_token=token)
            versions += [e.stream_version for e in page.events]
            token = page.next_page_token
            if not token:
                break
        assert versions == list(range(9))
        backward = filled.read_stream(
            "a", direction=es.READ_DIRECTION_BACKWARD, from_version=4, page_size=10
        )
        assert [e.stream_version for e in backward.events] == [4, 3, 2, 1, 0]
        assert backward.next_page_token == ""

    def test_read_the_log_backward_in_pages(self, filled: LedgerClient) -> None:
        positions: list[int] = []
        token = ""
        while True:
            page = filled.read_log(
                direction=es.READ_DIRECTION_BACKWARD, page_size=4, page_token=token
            )
            positions += [e.position for e in page.events]
            token = page.next_page_token
            if not token:
                break
        assert positions == list(range(14, -1, -1))

    def test_recorded_events_carry_their_content(self, client: LedgerClient) -> None:
        [sent] = statements(1)
        client.append("a", [sent])
        [event] = client.read_stream("a").events
        assert event.event_id == sent.event_id
        assert event.event_type == "StatementMade"
        assert json.loads(event.payload_json) == json.loads(sent.payload_json)
        assert event.record_time.seconds > 0

    @pytest.mark.parametrize("size", [-1, 1001])
    def test_a_page_size_out_of_range_is_invalid(self, client: LedgerClient, size: int) -> None:
        with pytest.raises(ApiError) as raised:
            client.read_log(page_size=size)
        assert raised.value.violations == (("page_size", "must be between 1 and 1000"),)

    def test_a_forged_page_token_is_invalid(self, filled: LedgerClient) -> None:
        stream_token = filled.read_stream("a", page_size=1).next_page_token
        for token in ("garbage", stream_token):
            with pytest.raises(ApiError) as raised:
                filled.read_log(page_token=token)
            assert raised.value.reason == "INVALID_PAGE_TOKEN"

    def test_a_token_cannot_be_replayed_on_another_stream(self, filled: LedgerClient) -> None:
        token = filled.read_stream("a", page_size=1).next_page_token
        with pytest.raises(ApiError) as raised:
            filled.read_stream("b", page_token=token)
        assert raised.value.reason == "INVALID_PAGE_TOKEN"


def collect(
    responses: Iterator[es.SubscribeResponse], until: int, record: list[es.SubscribeResponse]
) -> None:
    """Read a subscription until an event at position `until` arrives."""
    for response in responses:
        record.append(response)
        if response.WhichOneof("content") == "event" and response.event.position >= until:
            return


class TestSubscribe:
    def test_catch_up_then_live_without_gap_or_duplicate_under_a_write_burst(
        self, client: LedgerClient
    ) -> None:
        client.append("s", statements(50))
        writer_done = threading.Event()

        def burst() -> None:
            for round_ in range(20):
                client.append(f"w-{round_ % 3}", statements(5))
            writer_done.set()

        responses = client.subscribe()
        received: list[es.SubscribeResponse] = []
        writer = threading.Thread(target=burst)
        writer.start()
        collect(responses, 149, received)
        responses.cancel()
        writer.join()

        positions = [r.event.position for r in received if r.WhichOneof("content") == "event"]
        assert positions == list(range(150))
        assert any(r.WhichOneof("content") == "caught_up" for r in received)

    def test_a_filter_that_matches_nothing_still_gets_checkpoints_to_resume_from(
        self, client: LedgerClient
    ) -> None:
        client.append("s", statements(30))
        responses = client.subscribe(event_types=["TalksHeld"])
        checkpoints = []
        for response in responses:
            assert response.WhichOneof("content") != "event"
            if response.WhichOneof("content") == "checkpoint":
                checkpoints.append(response.checkpoint.position)
            if response.WhichOneof("content") == "caught_up":
                break
        responses.cancel()
        assert checkpoints[-1] == 29

        client.append("s", statements(2, start=100))
        resumed = client.subscribe(after_position=checkpoints[-1])
        received: list[es.SubscribeResponse] = []
        collect(resumed, 31, received)
        resumed.cancel()
        assert [r.event.position for r in received if r.event.event_id] == [30, 31]

    def test_a_stream_subscription_sees_only_its_stream(self, client: LedgerClient) -> None:
        client.append("mine", statements(2))
        client.append("other", statements(3))
        client.append("mine", statements(1))
        responses = client.subscribe(stream="mine")
        received: list[es.SubscribeResponse] = []
        collect(responses, 5, received)
        responses.cancel()
        events = [r.event for r in received if r.WhichOneof("content") == "event"]
        assert [(e.stream, e.position) for e in events] == [("mine", 0), ("mine", 1), ("mine", 5)]
