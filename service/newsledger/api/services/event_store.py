"""EventStoreService: append, read in pages, and subscribe, over gRPC."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import grpc

from newsledger.api import conversions, page_tokens
from newsledger.api.page_tokens import PageCursor
from newsledger.api.serialized import Serialized
from newsledger.application.errors import InvalidRequest, Violation
from newsledger.application.ledger import Ledger
from newsledger.application.subscriptions import CaughtUp, Checkpoint
from newsledger.store.page_reads import ItemRow
from newsledger.store.wire_form import page_of_items
from newsledger.v1 import event_store_pb2 as pb
from newsledger.v1 import event_store_pb2_grpc

_BACKWARD = pb.READ_DIRECTION_BACKWARD
_KNOWN_DIRECTIONS = (pb.READ_DIRECTION_UNSPECIFIED, pb.READ_DIRECTION_FORWARD, _BACKWARD)


def _direction_is_backward(direction: int) -> bool:
    if direction not in _KNOWN_DIRECTIONS:
        raise InvalidRequest([Violation("direction", f"unknown direction {direction}")])
    return direction == _BACKWARD


def _next_token(page: Sequence[ItemRow], limit: int, cursor: PageCursor, key: str) -> str:
    """Return the token of the page after this one, or "" when there is none."""
    if len(page) <= limit:
        return ""
    position, stream_version, _ = page[limit]
    start = position if cursor.read == "log" else stream_version
    return page_tokens.encode(PageCursor(cursor.read, cursor.backwards, start, key))


class EventStoreService(event_store_pb2_grpc.EventStoreServiceServicer):
    """Translates EventStoreService calls to the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def AppendEvents(
        self, request: pb.AppendEventsRequest, context: grpc.ServicerContext
    ) -> pb.AppendEventsResponse:
        """Append a batch atomically with an expected version."""
        events = conversions.proposed_events(request.events)
        expected = conversions.expected_version(request.expected_version)
        result = self.ledger.append(request.stream, events, expected)
        return conversions.append_response(result)

    def ReadStream(  # type: ignore[override]  # a Serialized response is sent as it is
        self, request: pb.ReadStreamRequest, context: grpc.ServicerContext
    ) -> pb.ReadStreamResponse | Serialized:
        """Read one page of a stream, sent as the events' stored response items."""
        limit = conversions.page_size(request.page_size)
        if request.page_token:
            cursor = page_tokens.decode(request.page_token, "stream")
            if cursor.key != request.stream:
                raise InvalidRequest(
                    [Violation("page_token", "was issued for another stream")],
                    "INVALID_PAGE_TOKEN",
                )
            start: int | None = cursor.position
            backwards = cursor.backwards
        else:
            backwards = _direction_is_backward(request.direction)
            start = request.from_version if request.HasField("from_version") else None
            cursor = PageCursor("stream", backwards, 0, request.stream)
        page = self.ledger.read_stream(
            request.stream, from_version=start, backwards=backwards, limit=limit + 1
        )
        token = _next_token(page, limit, cursor, request.stream)
        return Serialized(page_of_items([row[2] for row in page[:limit]], token))

    def ReadLog(  # type: ignore[override]  # a Serialized response is sent as it is
        self, request: pb.ReadLogRequest, context: grpc.ServicerContext
    ) -> pb.ReadLogResponse | Serialized:
        """Read one page of the whole log, sent as the events' stored response items."""
        limit = conversions.page_size(request.page_size)
        event_types = conversions.event_types(request.event_types)
        key = ",".join(event_types)
        if request.page_token:
            cursor = page_tokens.decode(request.page_token, "log")
            if cursor.key != key:
                raise InvalidRequest(
                    [Violation("page_token", "was issued for another event type filter")],
                    "INVALID_PAGE_TOKEN",
                )
            start: int | None = cursor.position
        else:
            backwards = _direction_is_backward(request.direction)
            start = request.from_position if request.HasField("from_position") else None
            cursor = PageCursor("log", backwards, 0, key)
        page = self.ledger.read_log(
            from_position=start,
            backwards=cursor.backwards,
            limit=limit + 1,
            event_types=event_types,
        )
        token = _next_token(page, limit, cursor, key)
        return Serialized(page_of_items([row[2] for row in page[:limit]], token))

    def Subscribe(
        self, request: pb.SubscribeRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.SubscribeResponse]:
        """Catch up from a position, then stream live events and checkpoints."""
        after = request.after_position if request.HasField("after_position") else None
        for item in self.ledger.follow(
            after_position=after,
            stream=request.stream or None,
            event_types=conversions.event_types(request.event_types),
            active=context.is_active,
        ):
            if isinstance(item, Checkpoint):
                yield pb.SubscribeResponse(checkpoint=pb.Checkpoint(position=item.position))
            elif isinstance(item, CaughtUp):
                yield pb.SubscribeResponse(caught_up=pb.CaughtUp(position=max(item.position, 0)))
            else:
                yield pb.SubscribeResponse(event=conversions.recorded_event(item))
        if self.ledger.notifier.closed:
            context.abort(grpc.StatusCode.UNAVAILABLE, "the server is shutting down; resubscribe")
