"""Reading negotiations on two time axes: views, listings, explanations, timelines, watching.

`as_of` (a date) is valid time, applied when the state is rendered; `known_at` (an instant) is
record time, answered from a snapshot and the tail of events recorded by then; `reported_by`
(an instant) keeps only the developments the press had reported by then. All speak in
domain and store types; the gRPC layer translates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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
from newsledger.domain.view import render_view, statements_page
from newsledger.projections.known_at import keep_past, version_known_at, view_after
from newsledger.projections.negotiation_views import (
    NegotiationViews,
    StoredView,
    ViewSummary,
    current_version,
)
from newsledger.projections.past_states import PastStates
from newsledger.projections.reported_by import reported_view
from newsledger.projections.state_cache import StateCache
from newsledger.projections.stream_rows import StreamRows
from newsledger.store.event_store import EventStore


@dataclass(frozen=True, slots=True)
class TimelinePage:
    """One page of a timeline, cut at a stream version so later pages read the same list."""

    entries: list[JsonDict]
    cut_version: int
    next_offset: int | None


@dataclass(frozen=True, slots=True)
class StatementPage:
    """One page of statements, cut at a stream version so later pages read the same list."""

    statements: list[JsonDict]
    total: int
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
        self,
        store: EventStore,
        notifier: LogNotifier,
        now: Callable[[], datetime] = _now,
        states: StateCache | None = None,
        rows: StreamRows | None = None,
        past: PastStates | None = None,
    ) -> None:
        self.store = store
        self.rows = StreamRows() if rows is None else rows
        self.past = PastStates() if past is None else past
        self.views = NegotiationViews(store.engine, states)
        self.notifier = notifier
        self.now = now

    def _checked_id(self, negotiation_id: str) -> None:
        """Raise InvalidRequest for a malformed negotiation id."""
        try:
            stream_for(negotiation_id)
        except InvalidNegotiationId as error:
            raise InvalidRequest([Violation("negotiation_id", str(error))]) from None

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
        if known_at is not None:
            # Answer only once nothing can still be recorded at or before known_at.
            self.store.settle(micros_from_time(known_at))
        with self.store.engine.connect() as conn:
            if known_at is None:
                cut = current_version(conn, negotiation_id)
            else:
                cut = version_known_at(conn, stream, micros_from_time(known_at))
        if cut is None:
            detail = f" recorded by {known_at.isoformat()}" if known_at else ""
            raise NegotiationNotFound(negotiation_id, detail)
        return cut

    @contextmanager
    def stored(
        self,
        negotiation_id: str,
        known_at: datetime | None = None,
        cut: int | None = None,
        reported_by: datetime | None = None,
    ) -> Iterator[StoredView]:
        """Give the negotiation's state as known at an instant (now when None) to read,
        holding only what was reported by `reported_by` when given.

        The state must not be changed, nor kept past the block: the current one is shared
        with the appends, which wait for the block to end.
        """
        self._checked_id(negotiation_id)
        if known_at is not None:
            cut = self._cut(negotiation_id, known_at)
        with self.views.current(negotiation_id, cut) as current:
            if current is not None:
                if reported_by is None:
                    yield current
                    return
                with self.store.engine.connect() as conn:
                    reported = reported_view(conn, current, reported_by, self.rows)
                yield reported
                return
        if cut is None:
            raise NegotiationNotFound(negotiation_id)
        with self.store.engine.connect() as conn:
            stored = view_after(conn, self.past, negotiation_id, cut)
            if stored is None:
                raise NegotiationNotFound(negotiation_id)
            answer = stored
            if reported_by is not None:
                answer = reported_view(conn, stored, reported_by, self.rows)
        yield answer
        # The block is over: nothing reads the state now, so it may serve a later cut.
        keep_past(self.past, stored)

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

    def view_at(self, point: ViewPoint, *, shared: bool = False) -> JsonDict:
        """Return the view at a point: the state right after its stream version, rendered.

        With `shared`, a view of the kept state reuses the list items of its previous
        render that are unchanged, so it shares them with other views: it must not be
        changed.
        """
        with self.stored(
            point.negotiation_id, cut=point.stream_version, reported_by=point.reported_by
        ) as stored:
            reuse = stored.finished if shared and point.reported_by is None else None
            return render_view(stored.state, point.as_of, index=stored.index, reuse=reuse)

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
        try:
            with self.stored(negotiation_id, known_at, reported_by=reported_by) as stored:
                state = stored.state
                return explain(state, render_view(state, as_of, limit=None), path, as_of)
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
        with self.stored(negotiation_id, cut=cut, reported_by=reported_by) as stored:
            entries = timeline(stored.state, wanted)
        following = offset + limit if offset + limit < len(entries) else None
        return TimelinePage(entries[offset : offset + limit], cut, following)

    def statements(
        self,
        point: ViewPoint,
        speaker_id: str = "",
        offset: int = 0,
        limit: int = 100,
    ) -> StatementPage:
        """Return a page of statements at a view point; pass its cut back for the next page."""
        with self.stored(
            point.negotiation_id, cut=point.stream_version, reported_by=point.reported_by
        ) as stored:
            state, index = stored.state, stored.index
            page, total = statements_page(state, point.as_of, offset, limit, speaker_id, index)
        following = offset + limit if offset + limit < total else None
        return StatementPage(page, total, point.stream_version, following)

    def watch(
        self,
        negotiation_id: str,
        as_of: Callable[[], date],
        active: Callable[[], bool],
        reported_by: datetime | None = None,
    ) -> Iterator[ViewChange]:
        """Yield the view now, then again after each batch of events that changes it."""
        with self.stored(negotiation_id, reported_by=reported_by) as stored:
            previous = render_view(stored.state, as_of(), index=stored.index)
            last_position, stream = stored.last_position, stored.stream
        yield ViewChange(previous, sorted(previous), last_position)
        pending = False
        for item in follow(
            self.store,
            self.notifier,
            after_position=last_position,
            stream=stream,
            active=active,
        ):
            if isinstance(item, StoredEvent):
                pending = True
                continue
            if not pending:
                continue
            pending = False
            with self.stored(negotiation_id, reported_by=reported_by) as current:
                view = render_view(current.state, as_of(), index=current.index)
                position = current.last_position
            changed = changed_paths(previous, view)
            if changed:
                yield ViewChange(view, changed, position)
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
