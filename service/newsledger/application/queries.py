"""Reading negotiations on two time axes: views, listings, explanations, timelines, watching.

`as_of` (a date) is valid time, applied when the state is rendered; `known_at` (an instant) is
record time, answered from a snapshot and the tail of events recorded by then; `reported_by`
(an instant) keeps only the developments the press had reported by then. All speak in
domain and store types; the gRPC layer translates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from newsledger.application.errors import (
    FieldNotInView,
    InvalidRequest,
    NegotiationNotFound,
    Violation,
)
from newsledger.application.subscriptions import LogNotifier, follow
from newsledger.domain.events import StoredEvent, micros_from_time
from newsledger.domain.explain import FieldNotFound, InvalidFieldPath, explain
from newsledger.domain.negotiation import InvalidNegotiationId, stream_for
from newsledger.domain.state import JsonDict
from newsledger.domain.timeline import TimelineFilter, timeline
from newsledger.domain.view import render_view
from newsledger.projections.known_at import version_known_at, view_at_version
from newsledger.projections.negotiation_views import (
    NegotiationViews,
    StoredView,
    ViewSummary,
    current_version,
)
from newsledger.projections.reported_by import reported_view
from newsledger.store.event_store import EventStore


@dataclass(frozen=True, slots=True)
class TimelinePage:
    """One page of a timeline, cut at a stream version so later pages read the same list."""

    entries: list[JsonDict]
    cut_version: int
    next_offset: int | None


@dataclass(frozen=True, slots=True)
class ViewPoint:
    """Which view a query asks for: a negotiation's state right after one stream version,
    rendered as of a date. The view at a point never changes, so it may be kept."""

    negotiation_id: str
    stream_version: int
    as_of: date
    reported_by: datetime | None = None


@dataclass(frozen=True, slots=True)
class ViewChange:
    """A view sent by a watch, with the paths that changed since the previous one."""

    view: JsonDict
    changed_paths: list[str]
    position: int


def _now() -> datetime:
    return datetime.now(UTC)


class NegotiationQueries:
    """The read side of negotiations."""

    def __init__(
        self, store: EventStore, notifier: LogNotifier, now: Callable[[], datetime] = _now
    ) -> None:
        self.store = store
        self.views = NegotiationViews(store.engine)
        self.notifier = notifier
        self.now = now

    def _current(self, negotiation_id: str) -> StoredView:
        """Return the projected view as it stands: one row read, nothing folded."""
        try:
            stream_for(negotiation_id)
        except InvalidNegotiationId as error:
            raise InvalidRequest([Violation("negotiation_id", str(error))]) from None
        current = self.views.get(negotiation_id)
        if current is None:
            raise NegotiationNotFound(negotiation_id)
        return current

    def _cut(self, negotiation_id: str, known_at: datetime | None) -> int:
        """Return the stream version answered at: the last recorded by known_at, or the last."""
        try:
            stream = stream_for(negotiation_id)
        except InvalidNegotiationId as error:
            raise InvalidRequest([Violation("negotiation_id", str(error))]) from None
        if known_at is not None and known_at > self.now():
            raise InvalidRequest(
                [Violation("known_at", "is in the future: answers there could change")]
            )
        with self.store.engine.connect() as conn:
            if known_at is None:
                cut = current_version(conn, negotiation_id)
            else:
                cut = version_known_at(conn, stream, micros_from_time(known_at))
        if cut is None:
            detail = f" recorded by {known_at.isoformat()}" if known_at else ""
            raise NegotiationNotFound(negotiation_id, detail)
        return cut

    def stored(
        self,
        negotiation_id: str,
        known_at: datetime | None = None,
        cut: int | None = None,
        reported_by: datetime | None = None,
    ) -> StoredView:
        """Return the negotiation's state as known at an instant (now when None), holding
        only what was reported by `reported_by` when given."""
        if known_at is None and cut is None:
            stored = self._current(negotiation_id)
        else:
            cut = self._cut(negotiation_id, known_at) if cut is None else cut
            with self.store.engine.connect() as conn:
                found = view_at_version(conn, negotiation_id, cut)
            if found is None:
                raise NegotiationNotFound(negotiation_id)
            stored = found
        if reported_by is None:
            return stored
        with self.store.engine.connect() as conn:
            return reported_view(conn, stored, reported_by)

    def view(
        self,
        negotiation_id: str,
        as_of: date,
        known_at: datetime | None = None,
        reported_by: datetime | None = None,
    ) -> JsonDict:
        """Return the negotiation's view as of a date, as known at an instant, as reported by
        another."""
        return self.view_at(self.view_point(negotiation_id, as_of, known_at, reported_by))

    def view_point(
        self,
        negotiation_id: str,
        as_of: date,
        known_at: datetime | None = None,
        reported_by: datetime | None = None,
    ) -> ViewPoint:
        """Return the point a view query answers at (one indexed lookup, nothing decoded)."""
        return ViewPoint(negotiation_id, self._cut(negotiation_id, known_at), as_of, reported_by)

    def view_at(self, point: ViewPoint) -> JsonDict:
        """Return the view at a point: the state right after its stream version, rendered."""
        stored = self.stored(
            point.negotiation_id, cut=point.stream_version, reported_by=point.reported_by
        )
        return render_view(stored.state, point.as_of)

    def summaries(
        self, after_id: str, limit: int, party_id: str = "", phase: str = ""
    ) -> list[ViewSummary]:
        """Return up to limit negotiations after an id, with a party and in a phase if given."""
        return self.views.summaries_after(after_id, limit, party_id, phase)

    def explain(
        self,
        negotiation_id: str,
        path: str,
        as_of: date,
        known_at: datetime | None,
        reported_by: datetime | None = None,
    ) -> JsonDict:
        """Return why a field of the view says what it says."""
        state = self.stored(negotiation_id, known_at, reported_by=reported_by).state
        try:
            return explain(state, render_view(state, as_of), path, as_of)
        except InvalidFieldPath as error:
            raise InvalidRequest(
                [Violation("field_path", str(error))], "INVALID_FIELD_PATH"
            ) from None
        except FieldNotFound as error:
            raise FieldNotInView(negotiation_id, path, str(error)) from None

    def timeline(
        self,
        negotiation_id: str,
        wanted: TimelineFilter,
        known_at: datetime | None = None,
        cut: int | None = None,
        offset: int = 0,
        limit: int = 100,
        reported_by: datetime | None = None,
    ) -> TimelinePage:
        """Return a page of the timeline; pass the page's cut back to read the next one."""
        cut = self._cut(negotiation_id, known_at) if cut is None else cut
        stored = self.stored(negotiation_id, cut=cut, reported_by=reported_by)
        entries = timeline(stored.state, wanted)
        following = offset + limit if offset + limit < len(entries) else None
        return TimelinePage(entries[offset : offset + limit], cut, following)

    def watch(
        self,
        negotiation_id: str,
        as_of: Callable[[], date],
        active: Callable[[], bool],
        reported_by: datetime | None = None,
    ) -> Iterator[ViewChange]:
        """Yield the view now, then again after each batch of events that changes it."""
        stored = self.stored(negotiation_id, reported_by=reported_by)
        previous = render_view(stored.state, as_of())
        yield ViewChange(previous, sorted(previous), stored.last_position)
        pending = False
        for item in follow(
            self.store,
            self.notifier,
            after_position=stored.last_position,
            stream=stored.stream,
            active=active,
        ):
            if isinstance(item, StoredEvent):
                pending = True
                continue
            if not pending:
                continue
            pending = False
            current = self.stored(negotiation_id, reported_by=reported_by)
            view = render_view(current.state, as_of())
            changed = changed_paths(previous, view)
            if changed:
                yield ViewChange(view, changed, current.last_position)
            previous = view


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """Return list items keyed by their first `*_id` field, or None if some have none."""
    keyed = {}
    for item in items:
        key = (
            next((v for k, v in item.items() if k.endswith("_id")), None)
            if isinstance(item, Mapping)
            else None
        )
        if not isinstance(key, str):
            return None
        keyed[key] = item
    return keyed


def changed_paths(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Return the top-level fields that differ, naming changed items of keyed lists."""
    changed = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new or name == "last_position":
            continue
        old_items = _keyed(old) if isinstance(old, list) else None
        new_items = _keyed(new) if isinstance(new, list) else None
        if old_items is None or new_items is None:
            changed.append(name)
            continue
        for key in sorted(set(old_items) | set(new_items)):
            if old_items.get(key) != new_items.get(key):
                changed.append(f"{name}[{key}]")
    return changed
