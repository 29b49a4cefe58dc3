"""NegotiationService: views on two time axes, listings, explanations, timelines, watching."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import grpc
from google.protobuf import json_format

from newsledger.api import conversions, page_tokens
from newsledger.api.message_dicts import message_from_dict
from newsledger.api.page_tokens import PageCursor
from newsledger.api.serialized import Serialized
from newsledger.api.view_cache import ViewCache
from newsledger.api.view_messages import ViewMessages
from newsledger.application.errors import InvalidRequest, Violation
from newsledger.application.queries import NegotiationQueries, ViewPoint
from newsledger.domain.timeline import TimelineFilter
from newsledger.store.wire_form import as_response_item
from newsledger.v1 import negotiation_view_pb2 as nv
from newsledger.v1 import negotiations_pb2 as pb
from newsledger.v1 import negotiations_pb2_grpc


def _today_utc() -> date:
    return datetime.now(UTC).date()


def _required_id(negotiation_id: str) -> str:
    if not negotiation_id:
        raise InvalidRequest([Violation("negotiation_id", "is required")])
    return negotiation_id


class NegotiationService(negotiations_pb2_grpc.NegotiationServiceServicer):
    """Translates NegotiationService calls to the negotiation queries."""

    def __init__(
        self,
        queries: NegotiationQueries,
        today: Callable[[], date] = _today_utc,
        views: ViewCache | None = None,
    ) -> None:
        self.queries = queries
        self.today = today
        self.views = ViewCache() if views is None else views
        self.messages = ViewMessages()

    def GetNegotiation(  # type: ignore[override]  # a Serialized response is sent as it is
        self, request: pb.GetNegotiationRequest, context: grpc.ServicerContext
    ) -> pb.GetNegotiationResponse | Serialized:
        """Return one negotiation's view as of a date, as known at an instant.

        The view is kept serialised (per point), so the response is its bytes as field 1
        followed by the other fields: no view message is parsed or serialised again.
        """
        negotiation_id = _required_id(request.negotiation_id)
        as_of = conversions.query_date(request.as_of, self.today())
        known_at = conversions.known_at(request)
        reported_by = conversions.reported_by(request)
        point = self.queries.view_point(negotiation_id, as_of, known_at, reported_by)
        rest = pb.GetNegotiationResponse(as_of=as_of.isoformat())
        if known_at is not None:
            rest.known_at.CopyFrom(request.known_at)
        if reported_by is not None:
            rest.reported_by.CopyFrom(request.reported_by)
        view = self._serialized_view(point)
        return Serialized(as_response_item(view) + rest.SerializeToString())

    def _serialized_view(self, point: ViewPoint) -> bytes:
        """Return the view at a point as a serialized NegotiationView, built once per point."""
        data = self.views.get(point)
        if data is None:
            rendered = self.queries.view_at(point, shared=True)
            view = self.messages.message(point.negotiation_id, rendered)
            data = view.SerializeToString()
            self.views.put(point, data)
        return data

    def ListNegotiations(
        self, request: pb.ListNegotiationsRequest, context: grpc.ServicerContext
    ) -> pb.ListNegotiationsResponse:
        """Return a page of negotiations ordered by id, filtered by party and phase."""
        limit = conversions.page_size(request.page_size)
        after = ""
        if request.page_token:
            after = page_tokens.decode(request.page_token, "negotiations").key
        party_id = conversions.slug_filter(request.party_id, "party_id")
        phase = nv.NegotiationPhase.Name(request.phase) if request.phase else ""
        found = self.queries.summaries(after, limit + 1, party_id, phase)
        token = ""
        if len(found) > limit:
            last = found[limit - 1].negotiation_id
            token = page_tokens.encode(PageCursor("negotiations", False, 0, last))
        return pb.ListNegotiationsResponse(
            negotiations=[
                pb.NegotiationSummary(
                    negotiation_id=n.negotiation_id,
                    title=n.title,
                    parties=list(n.party_names),
                    stream=n.stream,
                    last_position=n.last_position,
                    party_ids=list(n.party_ids),
                    phase=nv.NegotiationPhase.Value(n.phase or "NEGOTIATION_PHASE_UNSPECIFIED"),
                )
                for n in found[:limit]
            ],
            next_page_token=token,
        )

    def ExplainNegotiationField(
        self, request: pb.ExplainNegotiationFieldRequest, context: grpc.ServicerContext
    ) -> pb.ExplainNegotiationFieldResponse:
        """Return the developments and sources behind one field of the view."""
        negotiation_id = _required_id(request.negotiation_id)
        if not request.field_path:
            raise InvalidRequest([Violation("field_path", "is required")])
        as_of = conversions.query_date(request.as_of, self.today())
        explanation = self.queries.explain(
            negotiation_id,
            request.field_path,
            as_of,
            conversions.known_at(request),
            conversions.reported_by(request),
        )
        value = explanation.pop("value")
        explanation["value_json"] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return json_format.ParseDict(explanation, pb.ExplainNegotiationFieldResponse())

    def ListTimelineEntries(
        self, request: pb.ListTimelineEntriesRequest, context: grpc.ServicerContext
    ) -> pb.ListTimelineEntriesResponse:
        """Return a page of a negotiation's timeline, filtered."""
        negotiation_id = _required_id(request.negotiation_id)
        limit = conversions.page_size(request.page_size)
        cut, offset = None, 0
        if request.page_token:
            cursor = page_tokens.decode(request.page_token, "timeline")
            cut, offset = cursor.position, page_tokens.offset(cursor)
        wanted = TimelineFilter(
            event_types=frozenset(conversions.event_types(request.event_types)),
            party_id=conversions.slug_filter(request.party_id, "party_id"),
            actor_id=conversions.slug_filter(request.actor_id, "actor_id"),
            occurred_after=conversions.date_filter(request.occurred_after, "occurred_after"),
            occurred_before=conversions.date_filter(request.occurred_before, "occurred_before"),
        )
        page = self.queries.timeline(
            negotiation_id,
            wanted,
            conversions.known_at(request),
            cut,
            offset,
            limit,
            conversions.reported_by(request),
        )
        token = ""
        if page.next_offset is not None:
            cursor = PageCursor("timeline", False, page.cut_version, str(page.next_offset))
            token = page_tokens.encode(cursor)
        return pb.ListTimelineEntriesResponse(
            entries=[json_format.ParseDict(entry, pb.TimelineEntry()) for entry in page.entries],
            next_page_token=token,
        )

    def ListStatements(
        self, request: pb.ListStatementsRequest, context: grpc.ServicerContext
    ) -> pb.ListStatementsResponse:
        """Return a page of a negotiation's statements as of a date, newest first."""
        negotiation_id = _required_id(request.negotiation_id)
        limit = conversions.page_size(request.page_size)
        as_of = conversions.query_date(request.as_of, self.today())
        speaker_id = conversions.slug_filter(request.speaker_id, "speaker_id")
        reported_by = conversions.reported_by(request)
        if request.page_token:
            cursor = page_tokens.decode(request.page_token, "statements")
            point = ViewPoint(negotiation_id, cursor.position, as_of, reported_by)
            offset = page_tokens.offset(cursor)
        else:
            known_at = conversions.known_at(request)
            point = self.queries.view_point(negotiation_id, as_of, known_at, reported_by)
            offset = 0
        page = self.queries.statements(point, speaker_id, offset, limit)
        token = ""
        if page.next_offset is not None:
            cursor = PageCursor("statements", False, page.cut_version, str(page.next_offset))
            token = page_tokens.encode(cursor)
        return pb.ListStatementsResponse(
            statements=[
                message_from_dict(statement, nv.StatementView) for statement in page.statements
            ],
            next_page_token=token,
            total=page.total,
        )

    def WatchNegotiation(
        self, request: pb.WatchNegotiationRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.WatchNegotiationResponse]:
        """Send the view, then the view again each time events change it."""
        negotiation_id = _required_id(request.negotiation_id)
        fixed = conversions.query_date(request.as_of, self.today()) if request.as_of else None
        changes = self.queries.watch(
            negotiation_id,
            lambda: fixed or self.today(),
            context.is_active,
            conversions.reported_by(request),
        )
        for change in changes:
            yield pb.WatchNegotiationResponse(
                view=conversions.negotiation_view(change.view),
                changed_paths=change.changed_paths,
                position=change.position,
            )
        if self.queries.notifier.closed:
            context.abort(grpc.StatusCode.UNAVAILABLE, "the server is shutting down")
