"""Readable text for the command line: a negotiation's view, the listing, log events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

View = Mapping[str, Any]


def _when(reported: Mapping[str, Any] | None) -> str:
    """Return a reported time as its instant or date, with the original phrase if any."""
    if not reported:
        return "unknown"
    text = reported.get("start_time") or reported.get("start_date") or "date unknown"
    zone = reported.get("time_zone")
    if zone:
        text += f" ({zone})"
    phrase = reported.get("phrase")
    return f"{text}, \u201c{phrase}\u201d" if phrase else text


def _enum(value: str | None) -> str:
    if not value:
        return "-"
    head, _, tail = value.partition("_")
    parts = value.split("_")
    # Enum names carry their type as a prefix (e.g. NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE).
    for cut in range(len(parts) - 1, 0, -1):
        candidate = "_".join(parts[cut:])
        if candidate and not candidate.isdigit():
            remaining = "_".join(parts[:cut])
            if remaining.isupper() and cut >= 1:
                tail = candidate
    return (tail or head).replace("_", " ").lower()


def format_view(view: View) -> str:
    """Return the negotiation view as sections of plain text."""
    lines = [f"{view.get('title', view.get('negotiation_id', ''))}  [{view.get('negotiation_id')}]"]
    lines.append(f"as of {view.get('as_of_date', '?')}")
    parties = ", ".join(p.get("name", p.get("party_id", "?")) for p in view.get("parties", []))
    lines.append(f"parties: {parties or '-'}")
    lines.append(f"phase: {_enum(view.get('phase'))}")
    truce = view.get("truce")
    if truce:
        lines.append("")
        lines.append(f"truce: {truce.get('name', truce.get('truce_id'))}")
        lines.append(f"  deadline: {_when(truce.get('deadline'))}")
        if "days_remaining" in truce:
            lines.append(f"  days remaining: {truce['days_remaining']}")
        if truce.get("expired"):
            lines.append("  expired")
    for outcome in view.get("outcomes", []):
        lines.append(f"outcome: {outcome.get('name')} — {_enum(outcome.get('status'))}")
    _section(lines, "issues", view.get("issues", []), _issue)
    _section(lines, "commitments", view.get("commitments", []), _commitment)
    _section(lines, "measures", view.get("measures", []), _measure)
    _section(lines, "deadlines", view.get("deadlines", []), _deadline)
    legal = view.get("legal_status", {})
    _section(lines, "court cases", legal.get("court_cases", []), _court_case)
    economy = view.get("economic_context", {})
    _section(lines, "economic indicators", economy.get("indicators", []), _indicator)
    _section(lines, "market reactions", view.get("market_reactions", []), _market)
    _section(lines, "people", view.get("people", []), _person)
    next_round = view.get("next_round", {})
    lines.append("")
    lines.append(f"next round: {_enum(next_round.get('status'))}")
    if view.get("stale"):
        lines.append("")
        lines.append("STALE: some events could not be applied:")
        lines += [f"  - {p.get('description', p)}" for p in view.get("problems", [])]
    return "\n".join(lines)


def _section(lines: list[str], title: str, items: Sequence[Any], render: Any) -> None:
    if not items:
        return
    lines.append("")
    lines.append(f"{title}:")
    lines += [f"  - {render(item)}" for item in items]


def _issue(issue: View) -> str:
    positions = "; ".join(
        f"{p.get('party_id', '?')}: {p.get('position', '')}" for p in issue.get("positions", [])
    )
    text = f"{issue.get('title', issue.get('issue_id'))} ({_enum(issue.get('status'))})"
    return f"{text} — {positions}" if positions else text


def _commitment(commitment: View) -> str:
    text = f"{commitment.get('description', commitment.get('commitment_id'))}"
    text += f" [{_enum(commitment.get('status'))}]"
    conditions = commitment.get("conditions") or commitment.get("condition_ids")
    if conditions:
        text += f" once: {conditions}"
    return text


def _measure(measure: View) -> str:
    return f"{measure.get('name', measure.get('measure_id'))} [{_enum(measure.get('status'))}]"


def _deadline(deadline: View) -> str:
    text = (
        f"{deadline.get('subject', deadline.get('deadline_id'))}: {_when(deadline.get('deadline'))}"
    )
    if "days_remaining" in deadline:
        text += f" ({deadline['days_remaining']} days remaining)"
    return text


def _court_case(case: View) -> str:
    ruling = case.get("latest_ruling", {})
    summary = ruling.get("summary", _enum(ruling.get("kind")))
    return f"{case.get('name', case.get('case_id'))}: {summary}"


def _indicator(indicator: View) -> str:
    return (
        f"{indicator.get('name', indicator.get('indicator_id'))} ({indicator.get('publisher', '')})"
    )


def _market(reaction: View) -> str:
    return f"{reaction.get('summary', reaction.get('reaction_id'))}"


def _person(person: View) -> str:
    return f"{person.get('name')}: {person.get('role', '')}"


def format_negotiations(found: Sequence[View]) -> str:
    """Return one line per negotiation."""
    if not found:
        return "no negotiations"
    return "\n".join(
        f"{n.get('negotiation_id')}  {n.get('title', '')}  ({', '.join(n.get('parties', []))}) "
        f"last position {n.get('last_position', 0)}"
        for n in found
    )


def format_event(event: View) -> str:
    """Return one log event as a line."""
    return (
        f"#{event.get('position', 0)} {event.get('record_time', '')} {event.get('stream')}"
        f"@{event.get('stream_version', 0)} {event.get('event_type')} {event.get('event_id')}"
    )
