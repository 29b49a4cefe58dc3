"""Appliers for the economic backdrop: indicators, market moves and reported purchases."""

from __future__ import annotations

from newsledger.domain.figures import check_figure
from newsledger.domain.references import (
    Development,
    check_report,
    require_any_records,
    require_parties,
    require_records,
    stamped,
)
from newsledger.domain.state import NegotiationState


def apply_economic_indicator_released(state: NegotiationState, development: Development) -> None:
    """Record an indicator or forecast release; figures stay decimal strings or empty."""
    check_report(state, development)
    check_figure(development.get("figure"), "figure")
    check_figure(development.get("previous"), "previous")
    indicator_id = str(development.get("indicator_id"))
    names = (
        *("publisher", "name", "period", "reported_value", "previous_value", "unit", "reason"),
        *("figure", "previous"),
    )
    state.indicators[indicator_id] = stamped(
        {
            "indicator_id": indicator_id,
            **{name: development.get(name) for name in names},
            "direction": development.get("direction", "DIRECTION_UNSPECIFIED"),
            "released": development.occurred(),
            "provenance": development.provenance(),
        },
        development,
    )


def apply_market_moved(state: NegotiationState, development: Development) -> None:
    """Record markets' moves and what the sources attribute them to."""
    check_report(state, development)
    attributed_to = development.ids("attributed_to_ids")
    require_any_records(state, attributed_to, "attributed_to_ids")
    reaction_id = str(development.get("reaction_id"))
    state.market_reactions[reaction_id] = stamped(
        {
            "reaction_id": reaction_id,
            "moves": list(development.get("moves", [])),
            "attributed_to_ids": attributed_to,
            "attribution": development.get("attribution"),
            "occurred": development.occurred(),
            "provenance": development.provenance(),
        },
        development,
    )


def apply_purchase_reported(state: NegotiationState, development: Development) -> None:
    """Record a purchase, and the commitment it counts toward when it names one."""
    check_report(state, development)
    check_figure(development.get("quantity"), "quantity")
    check_figure(development.get("amount"), "amount")
    buyer, seller = str(development.get("party_id")), str(development.get("from_party_id"))
    require_parties(state, [buyer, seller], "party_id/from_party_id")
    commitment_id = str(development.get("commitment_id"))
    require_records(state, "commitments", [commitment_id], "commitment_id")
    purchase_id = str(development.get("purchase_id"))
    names = (
        *("goods", "quantity_value", "quantity_unit", "amount_value", "currency"),
        *("quantity", "amount"),
    )
    state.purchases[purchase_id] = stamped(
        {
            "purchase_id": purchase_id,
            "party_id": buyer,
            "from_party_id": seller,
            **{name: development.get(name) for name in names},
            "commitment_id": commitment_id,
            "occurred": development.occurred(),
            "provenance": development.provenance(),
        },
        development,
    )
