"""Responses a servicer has already serialised, sent as they are.

A read of the log answers with the events' stored response items joined
(store/wire_form.py), and GetNegotiation with the view it keeps serialised, so building a
protobuf message only for gRPC to serialise it again would undo the gain. A servicer
returns `Serialized(wire_bytes)`; `passing_serialized` wraps each method's response
serializer (in `MethodChain`, once per method) so such a response goes out unchanged and
any other response is serialised as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc


class Serialized:
    """A response message in its wire form."""

    __slots__ = ("wire",)

    def __init__(self, wire: bytes) -> None:
        self.wire = wire


Serializer = Callable[[Any], bytes]


def passing_serialized(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """Return handler whose response serializer sends a Serialized response unchanged."""
    serialize: Serializer | None = handler.response_serializer
    if serialize is None:
        return handler

    def serializer(response: Any) -> bytes:
        if type(response) is Serialized:
            return response.wire
        return serialize(response)

    return handler._replace(response_serializer=serializer)
