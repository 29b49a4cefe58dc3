"""A subscription that remembers how far it got, and picks up from there after a break."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

import grpc

from newsledger.v1 import event_store_pb2 as es

RECONNECT_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED})


class Subscription:
    """Iterates the events of the log (or one stream) from a position, then live, forever.

    `position` is the last position it has scanned (an event or a checkpoint): after a break
    — the server restarted, the connection dropped — it subscribes again after it, so no
    event is missed or repeated. Other failures raise ApiError. `close()` stops it.
    """

    def __init__(
        self,
        open_call: Callable[[es.SubscribeRequest], grpc.Call],
        stream: str = "",
        event_types: Sequence[str] = (),
        after_position: int | None = None,
        reconnect: bool = True,
        backoff_seconds: float = 0.5,
    ) -> None:
        self._open = open_call
        self.stream = stream
        self.event_types = list(event_types)
        self.position = after_position
        self.reconnect = reconnect
        self.backoff_seconds = backoff_seconds
        self.caught_up = False
        self._call: grpc.Call | None = None
        self._closed = False

    def __iter__(self) -> Iterator[es.RecordedEvent]:
        from newsledger.client.ledger_client import ApiError

        failures = 0
        while not self._closed:
            request = es.SubscribeRequest(stream=self.stream, event_types=self.event_types)
            if self.position is not None:
                request.after_position = self.position
            self._call = self._open(request)
            try:
                for message in self._call:
                    failures = 0
                    kind = message.WhichOneof("content")
                    if kind == "event":
                        self.position = message.event.position
                        yield message.event
                    elif kind == "checkpoint":
                        self.position = message.checkpoint.position
                    elif kind == "caught_up":
                        self.caught_up = True
                return
            except grpc.RpcError as error:
                if self._closed or error.code() == grpc.StatusCode.CANCELLED:
                    return
                if not self.reconnect or error.code() not in RECONNECT_CODES:
                    raise ApiError.from_rpc_error(error) from None
                failures += 1
                time.sleep(min(self.backoff_seconds * 2 ** (failures - 1), 5.0))

    def close(self) -> None:
        """Stop the subscription; iteration ends."""
        self._closed = True
        if self._call is not None:
            self._call.cancel()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
