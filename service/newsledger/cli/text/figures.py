"""Text for a commitment's figures: how much it commits, per period, and how much is done."""

from __future__ import annotations

from newsledger.cli.text.basics import View, list_of
from newsledger.web.figures import figure_text


def _fulfilled(record: View) -> str:
    """Return "fulfilled: X (N%)" for a commitment or one of its periods, or ""."""
    if not record.get("fulfilled"):
        return ""
    share = f" ({record['fulfilled_percent']}%)" if record.get("fulfilled_percent") else ""
    return f"fulfilled: {figure_text(record['fulfilled'])}{share}"


def commitment_figures(commitment: View) -> list[str]:
    """Return how much a commitment commits, in all and per period, and how much of it is
    fulfilled on the view's date."""
    lines = []
    goods = f" of {commitment['goods']}" if commitment.get("goods") else ""
    if commitment.get("quantity"):
        lines.append(f"commits {figure_text(commitment['quantity'])}{goods}")
    for period in list_of(commitment, "schedule"):
        when = period.get("phrase") or f"{period.get('start_date')} to {period.get('end_date')}"
        done = _fulfilled(period)
        lines.append(
            f"{when}: {figure_text(period.get('quantity') or {})}{goods}"
            + (f"; {done}" if done else "")
        )
    done = _fulfilled(commitment.get("fulfilment") or {})
    if done:
        lines.append(f"in all, {done}")
    return lines
