"""What a servicer's answer is on the wire, for tests that call a servicer directly."""

from __future__ import annotations

from typing import TypeVar

from google.protobuf.message import Message

from newsledger.api.serialized import Serialized

M = TypeVar("M", bound=Message)


def as_sent(response: M | Serialized, message_type: type[M]) -> M:
    """Return the response as the client receives it: a Serialized one parsed."""
    if isinstance(response, Serialized):
        return message_type.FromString(response.wire)
    return response
