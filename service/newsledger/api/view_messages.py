"""NegotiationView messages that reuse the item messages of the previous view.

A render that reuses finished list items (`domain.view_reuse`) gives back the very objects
of the previous view for the items that did not change, and a view is never changed once
rendered. So an item that is the same object as one converted for the previous view of the
negotiation has the same message: only new items are converted. The objects are held with
their messages, so an id is never taken for another object's.

Fast path: ``ViewMessages.message``. Reference: ``conversions.negotiation_view``.
Equivalence test: ``tests/unit/api/test_view_messages.py``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from google.protobuf import message_factory
from google.protobuf.message import Message

from newsledger.api.message_dicts import message_from_dict
from newsledger.v1 import negotiation_view_pb2 as nv

DEFAULT_MAX_VIEWS = 64

ItemMessages = dict[int, tuple[object, Message]]


def _item_types() -> dict[str, type[Message]]:
    """Return the message type of each repeated message field of NegotiationView."""
    return {
        field.name: message_factory.GetMessageClass(field.message_type)
        for field in nv.NegotiationView.DESCRIPTOR.fields
        if field.is_repeated
        and field.message_type is not None
        and not field.message_type.GetOptions().map_entry
    }


ITEM_TYPES = _item_types()


class ViewMessages:
    """The item messages of each negotiation's latest view, bounded, least recently used out."""

    def __init__(self, max_views: int = DEFAULT_MAX_VIEWS) -> None:
        self.max_views = max_views
        self._views: OrderedDict[str, ItemMessages] = OrderedDict()
        self._lock = threading.Lock()

    def message(self, negotiation_id: str, view: dict[str, Any]) -> nv.NegotiationView:
        """Return the view's message, equal to `conversions.negotiation_view(view)`."""
        with self._lock:
            previous = self._views.get(negotiation_id, {})
        items: ItemMessages = {}
        reused = 0
        lists: dict[str, list[Message]] = {}
        for name, value in view.items():
            item_type = ITEM_TYPES.get(name)
            if item_type is None or type(value) is not list:
                continue
            messages = []
            for item in value:
                if type(item) is not dict:
                    break
                found = items.get(id(item)) or previous.get(id(item))
                if found is None or found[0] is not item:
                    found = (item, message_from_dict(item, item_type))
                else:
                    reused += 1
                items[id(item)] = found
                messages.append(found[1])
            else:
                lists[name] = messages
        rest = {name: value for name, value in view.items() if name not in lists}
        message = message_from_dict(rest, nv.NegotiationView)
        for name, messages in lists.items():
            getattr(message, name).extend(messages)
        # A view that reused nothing (a past point, say) leaves the current one's items kept.
        if self.max_views > 0 and (reused or not previous):
            with self._lock:
                self._views[negotiation_id] = items
                self._views.move_to_end(negotiation_id)
                while len(self._views) > self.max_views:
                    self._views.popitem(last=False)
        return message
