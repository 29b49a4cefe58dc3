"""Comparing a replayed negotiation view with the one the service served."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format

from newsledger.v1.negotiation_view_pb2 import NegotiationView


def view_message(view: dict[str, Any]) -> NegotiationView:
    """Return a rendered view (proto JSON shape) as a NegotiationView message."""
    message = NegotiationView()
    json_format.ParseDict(view, message, ignore_unknown_fields=False)
    return message


def view_json(message: NegotiationView) -> dict[str, Any]:
    """Return a NegotiationView message as JSON with the proto field names."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def served_last_position(message: NegotiationView) -> int | None:
    """Return the position of the last event folded into a served view, if it says."""
    # Read the field itself: converting a large view to JSON just for it costs as much as
    # the comparison.
    if not message.HasField("last_position") or not message.last_position.event_id:
        return None
    return message.last_position.position


def first_difference(replayed: Any, served: Any, path: str = "view") -> str | None:
    """Return the path of the first member where two JSON values differ, or None if equal."""
    if isinstance(replayed, dict) and isinstance(served, dict):
        for key in sorted(set(replayed) | set(served)):
            found = first_difference(replayed.get(key), served.get(key), f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(replayed, list) and isinstance(served, list):
        if len(replayed) != len(served):
            return f"{path} (replay has {len(replayed)} items, the service {len(served)})"
        for index, (left, right) in enumerate(zip(replayed, served, strict=True)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    return None if replayed == served else f"{path} (replay {replayed!r}, service {served!r})"


def view_difference(replayed: dict[str, Any], served: NegotiationView) -> str | None:
    """Return where a replayed view differs from the served message, or None if they agree."""
    replayed_message = view_message(replayed)
    if replayed_message == served:
        return None
    return first_difference(view_json(replayed_message), view_json(served)) or "view"
