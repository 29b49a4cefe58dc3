"""Readable text for the command line: a negotiation's view, the listing, log events.

Every function takes the protobuf JSON form (proto field names, as `MessageToDict` with
`preserving_proto_field_name=True` or `render_view` produce it), where default values are
omitted: an absent field is empty, zero or the enum's UNSPECIFIED value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from newsledger.cli.text.basics import (
    Names,
    View,
    clock_text,
    enum_words,
    field,
    format_reported_time,
    joined,
    list_of,
    parse_timestamp,
)
from newsledger.cli.text.courts import court_case
from newsledger.cli.text.figures import commitment_figures
from newsledger.cli.text.records import (
    dispute,
    indicator,
    investigation,
    market_reaction,
    measures_block,
    next_round_text,
    people_by_party,
    person,
    purchase,
    statement,
)
from newsledger.v1 import developments_pb2 as dev
from newsledger.v1 import negotiation_view_pb2 as nv


def format_view(view: View) -> str:
    """Return the negotiation view as compact sections of plain text."""
    names = Names(view)
    lines = [
        f"{view.get('title') or view.get('negotiation_id', '')}  ({view.get('negotiation_id')})"
    ]
    last = view.get("last_position") or {}
    lines.append(
        field(
            "as of",
            f"{view.get('as_of_date', '?')}, through log position #{last.get('position', 0)}",
        )
    )
    lines.append(
        field(
            "parties",
            joined(f"{p.get('name')} ({p['party_id']})" for p in list_of(view, "parties")) or "-",
        )
    )
    lines.append(field("phase", enum_words(view.get("phase"), nv.NegotiationPhase.DESCRIPTOR)))
    for claim in list_of(view, "claimed_phases"):
        phase = enum_words(claim.get("phase"), nv.NegotiationPhase.DESCRIPTOR)
        claimants = joined(names.party(p) for p in list_of(claim, "claimed_by"))
        lines.append(field("claimed", f"{phase}, by {claimants} only"))
    lines += _stale_block(view)
    lines += _truce_block(view, names)
    _section(lines, "Outcomes", list_of(view, "outcomes"), lambda o: _outcome(o, names))
    _section(lines, "Deadlines", list_of(view, "deadlines"), lambda d: _deadline(d, view))
    _section(lines, "Talks", list_of(view, "talks"), lambda t: _talks(t, names))
    _section(lines, "Issues", list_of(view, "issues"), lambda i: _issue(i, names))
    _section(lines, "Commitments", list_of(view, "commitments"), lambda c: _commitment(c, names))
    lines += measures_block(list_of(view, "measures"), names)
    cases = list_of(view.get("legal_status") or {}, "cases")
    _section(lines, "Court cases", cases, court_case)
    _section(lines, "Investigations", list_of(view, "investigations"), investigation)
    indicators = list_of(view.get("economic_context") or {}, "indicators")
    _section(lines, "Economic indicators", indicators, indicator)
    reactions = list_of(view, "market_reactions")
    _section(lines, "Market reactions", reactions, lambda r: market_reaction(r, names))
    _section(lines, "Purchases", list_of(view, "purchases"), lambda p: purchase(p, names))
    _section(lines, "Disputes", list_of(view, "disputes"), lambda d: dispute(d, names))
    _section(lines, "People", people_by_party(view), lambda p: person(p, names))
    _section(lines, "Statements", list_of(view, "statements"), lambda s: statement(s, names))
    lines.append("")
    lines.append(field("next round", next_round_text(view.get("next_round") or {})))
    return "\n".join(lines)


def _section(
    lines: list[str], title: str, items: Sequence[Any], render: Callable[[Any], list[str]]
) -> None:
    if not items:
        return
    lines += ["", title]
    for item in items:
        first, *rest = render(item)
        lines.append(f"  - {first}")
        lines += [f"      {line}" for line in rest]


def _stale_block(view: View) -> list[str]:
    if not view.get("stale"):
        return []
    problems = list_of(view, "problems")
    lines = ["", f"STALE: {len(problems)} event(s) could not be applied; facts may be missing"]
    for problem in problems:
        where = problem.get("development_id") or problem.get("event_id", "?")
        lines.append(
            f"  - #{problem.get('position', 0)} {problem.get('event_type', '?')} {where}: "
            f"{problem.get('description', '')}"
        )
    return lines


def _countdown(record: View, as_of: str) -> str:
    if record.get("expired"):
        return f"expired (deadline passed before {as_of})"
    if "days_remaining" not in record:
        return "days remaining unknown (the deadline has no date)"
    days = int(record["days_remaining"])
    return f"{days} day{'' if days == 1 else 's'} remaining as of {as_of}"


def _truce_block(view: View, names: Names) -> list[str]:
    truce = view.get("truce")
    if not truce:
        return ["", field("truce", "none in effect")]
    details = [f"{truce['duration_days']} days"] if truce.get("duration_days") else []
    if truce.get("agreed"):
        details.append(f"agreed {format_reported_time(truce['agreed'])}")
    city = (truce.get("location") or {}).get("city")
    if city:
        details.append(f"in {city}")
    name = truce.get("name") or truce.get("truce_id", "")
    lines = ["", field("truce", f"{name} ({', '.join(details)})" if details else name)]
    lines.append(field("deadline", format_reported_time(truce.get("deadline")), "  "))
    lines.append(field("", _countdown(truce, view.get("as_of_date", "?"))))
    moved = len(list_of(truce, "deadline_history"))
    if moved:
        lines.append(field("", f"moved {moved} time(s)"))
    suspended = list_of(truce, "suspended_measure_ids")
    if suspended and truce.get("expired"):
        text = f"{joined(suspended)} until it expired; back as before it"
        lines.append(field("suspended", text, "  "))
    elif suspended:
        lines.append(field("suspends", joined(suspended), "  "))
    pending = [
        f"{measure} (from {format_reported_time(addition.get('effective'))})"
        for addition in list_of(truce, "pending_suspensions")
        for measure in list_of(addition, "measure_ids")
    ]
    if pending:
        lines.append(field("to suspend", joined(pending), "  "))
    return lines


def _outcome(outcome: View, names: Names) -> list[str]:
    status = enum_words(outcome.get("status"), dev.OutcomeStatus.DESCRIPTOR)
    text = f"{outcome.get('name') or outcome.get('outcome_id')}: {status}"
    who = []
    for key, verb in (
        ("claimed_by", "claimed by"),
        ("confirmed_by", "confirmed by"),
        ("denied_by", "denied by"),
    ):
        if outcome.get(key):
            who.append(f"{verb} {joined(names.party(p) for p in outcome[key])}")
    lines = [text] + ([f"{'; '.join(who)}"] if who else [])
    for pending in list_of(outcome, "pending_approvals"):
        body = pending.get("approving_body", "")
        lines.append(f"pending approval by {body} ({names.party(pending.get('party_id', ''))})")
    return lines


def _deadline(deadline: View, view: View) -> list[str]:
    subject = deadline.get("subject") or deadline.get("deadline_id", "")
    return [
        f"{subject}: {format_reported_time(deadline.get('deadline'))}",
        _countdown(deadline, view.get("as_of_date", "?")),
    ]


def _talks(talks: View, names: Names) -> list[str]:
    place = talks.get("location") or {}
    where = joined([place.get("venue", ""), place.get("city", "")])
    days = int(talks.get("duration_days", 0))
    details = joined(
        [
            enum_words(talks.get("format"), dev.TalksFormat.DESCRIPTOR),
            where,
            format_reported_time(talks.get("occurred")),
            f"{days} days" if days else "",
        ]
    )
    lines = [f"{talks.get('title') or talks.get('talks_id')} ({details})"]
    if talks.get("status") == "TALKS_STATUS_POSTPONED":
        new_date = talks.get("planned")
        to = f" to {format_reported_time(new_date)}" if new_date else ", no new date"
        reason = f": {talks['postponement_reason']}" if talks.get("postponement_reason") else ""
        lines.append(f"postponed{to}{reason}")
    if talks.get("lead_ids"):
        lines.append(f"led by {joined(names.person(p) for p in talks['lead_ids'])}")
    if talks.get("participant_ids"):
        lines.append(f"with {joined(names.person(p) for p in talks['participant_ids'])}")
    for readout in list_of(talks, "readouts"):
        outlets = joined(dict.fromkeys(s.get("outlet", "") for s in list_of(readout, "sources")))
        source = f" ({outlets})" if outlets else ""
        party = names.party(readout.get("party_id", ""))
        lines.append(f"readout by {party}: {readout.get('account', '')}{source}")
    return lines


def _issue(issue: View, names: Names) -> list[str]:
    status = enum_words(issue.get("status"), dev.IssueStatus.DESCRIPTOR)
    lines = [f"{issue.get('title') or issue.get('issue_id')}: {status}"]
    positions = list_of(issue, "positions")
    lines += [f"{names.party(p.get('party_id', ''))}: {p.get('position', '')}" for p in positions]
    if not positions:
        lines.append("no party's position reported")
    return lines


def _commitment(commitment: View, names: Names) -> list[str]:
    status = enum_words(commitment.get("status"), dev.CommitmentStatus.DESCRIPTOR)
    party = names.party(commitment.get("party_id", ""))
    lines = [
        f"{party} ({status}): {commitment.get('description', commitment.get('commitment_id'))}"
    ]
    for condition in list_of(commitment, "conditions"):
        actor = (
            f" ({names.party(condition['party_id'])} to act)" if condition.get("party_id") else ""
        )
        lines.append(f"condition: {condition.get('description', '')}{actor}")
    if not commitment.get("conditions"):
        lines.append("unconditional")
    return lines + commitment_figures(commitment)


def format_negotiations(found: Sequence[View]) -> str:
    """Return one line per negotiation: id, title, parties and its last log position."""
    if not found:
        return "no negotiations recorded yet (load a story with `newsledger ingest FILE`)"
    width = max(len(n.get("negotiation_id", "")) for n in found)
    return "\n".join(
        f"{n.get('negotiation_id', ''):<{width}}  {n.get('title', '')} "
        f"({joined(list_of(n, 'parties')) or 'no parties'}), "
        f"last event #{n.get('last_position', 0)}"
        for n in found
    )


def format_event(event: View) -> str:
    """Return one log event as a line: position, record time, stream@version, type, id."""
    recorded = event.get("record_time")
    when = clock_text(parse_timestamp(recorded)) + " UTC" if recorded else "time unknown"
    metadata = json.loads(event.get("metadata_json") or "{}")
    development = metadata.get("development_id") if isinstance(metadata, dict) else None
    schema = int(event.get("schema_version", 1) or 1)
    event_type = event.get("event_type", "?") + (f" (schema v{schema})" if schema > 1 else "")
    return (
        f"#{event.get('position', 0)}  {when}  {event.get('stream', '')}"
        f"@{event.get('stream_version', 0)}  {event_type}  "
        + (f"{development} " if development else "")
        + f"{event.get('event_id', '')}"
    )
