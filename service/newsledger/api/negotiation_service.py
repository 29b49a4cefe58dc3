"""NegotiationService: a negotiation's current view and the list of negotiations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import grpc

from newsledger.api import conversions, page_tokens
from newsledger.api.page_tokens import PageCursor
from newsledger.ledger import InvalidRequest, Ledger, Violation
from newsledger.v1 import negotiations_pb2 as pb
from newsledger.v1 import negotiations_pb2_grpc


def _today_utc() -> date:
    return datetime.now(UTC).date()


class NegotiationService(negotiations_pb2_grpc.NegotiationServiceServicer):
    """Translates NegotiationService calls to the ledger."""

    def __init__(self, ledger: Ledger, today: Callable[[], date] = _today_utc) -> None:
        self.ledger = ledger
        self.today = today

    def GetNegotiation(
        self, request: pb.GetNegotiationRequest, context: grpc.ServicerContext
    ) -> pb.GetNegotiationResponse:
        """Return one negotiation's view as of a date."""
        if not request.negotiation_id:
            raise InvalidRequest([Violation("negotiation_id", "is required")])
        as_of = conversions.query_date(request.as_of, self.today())
        view = self.ledger.negotiation_view(request.negotiation_id, as_of)
        return pb.GetNegotiationResponse(
            view=conversions.negotiation_view(view), as_of=as_of.isoformat()
        )

    def ListNegotiations(
        self, request: pb.ListNegotiationsRequest, context: grpc.ServicerContext
    ) -> pb.ListNegotiationsResponse:
        """Return a page of negotiations ordered by id."""
        limit = conversions.page_size(request.page_size)
        after = ""
        if request.page_token:
            after = page_tokens.decode(request.page_token, "negotiations").key
        found = self.ledger.negotiations(after, limit + 1)
        token = ""
        if len(found) > limit:
            last = found[limit - 1].negotiation_id
            token = page_tokens.encode(PageCursor("negotiations", False, 0, last))
        return pb.ListNegotiationsResponse(
            negotiations=[
                pb.NegotiationSummary(
                    negotiation_id=n.negotiation_id,
                    title=n.title,
                    parties=list(n.parties),
                    stream=n.stream,
                    last_position=n.last_position,
                )
                for n in found[:limit]
            ],
            next_page_token=token,
        )
