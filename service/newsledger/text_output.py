"""Readable text for the command line: a negotiation's view, the listing, log events.

Every function takes the protobuf JSON form (proto field names, as `MessageToDict` with
`preserving_proto_field_name=True` or `render_view` produce it), where default values are
omitted: an absent field is empty, zero or the enum's UNSPECIFIED value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.protobuf.descriptor import EnumDescriptor

from newsledger.v1 import developments_pb2 as dev
from newsledger.v1 import negotiation_view_pb2 as nv

View = Mapping[str, Any]

LABEL_WIDTH = 12
MEASURE_STATUS_ORDER = (
    "MEASURE_STATUS_IN_FORCE",
    "MEASURE_STATUS_MODIFIED",
    "MEASURE_STATUS_SUSPENDED",
    "MEASURE_STATUS_ANNOUNCED",
    "MEASURE_STATUS_THREATENED",
    "MEASURE_STATUS_ENDED",
    "MEASURE_STATUS_UNSPECIFIED",
)


def enum_words(value: str | int | None, enum: EnumDescriptor) -> str:
    """Return an enum value as plain words, without the prefix its enum gives every value.

    The prefix is read from the enum's zero value (`NEGOTIATION_PHASE_UNSPECIFIED` gives
    `NEGOTIATION_PHASE_`); an absent value is the zero value, as protobuf JSON omits it.
    """
    unspecified = enum.values_by_number[0].name
    prefix = unspecified.removesuffix("UNSPECIFIED")
    if value is None or value == "":
        value = unspecified
    if isinstance(value, int):
        known = enum.values_by_number.get(value)
        if known is None:
            return f"unknown {enum.name} {value}"
        value = known.name
    if value not in enum.values_by_name:
        return f"unknown {enum.name} {value}"
    return value.removeprefix(prefix).replace("_", " ").lower()


def _timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp as protobuf JSON writes it (`...Z`, maybe fractional)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")


def format_instant(text: str, zone: str = "") -> str:
    """Return an instant as local time in its IANA zone, followed by UTC."""
    moment = _timestamp(text)
    utc = f"{_clock(moment)} UTC"
    if not zone:
        return utc
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return f"{utc} (time zone {zone} is unknown here)"
    return f"{_clock(local)} {local.tzname()} ({zone}) = {utc}"


def format_reported_time(reported: View | None) -> str:
    """Return a reported time as precisely as the sources give it, never more."""
    if not reported:
        return "date unknown"
    precision = reported.get("precision", "")
    start, end = str(reported.get("start_date", "")), str(reported.get("end_date", ""))
    if reported.get("start_time"):
        text = format_instant(reported["start_time"], reported.get("time_zone", ""))
        if reported.get("end_time"):
            text += f" until {format_instant(reported['end_time'], reported.get('time_zone', ''))}"
        return text
    if start and precision == "DATE_PRECISION_MONTH":
        return date.fromisoformat(start).strftime("%B %Y")
    if start and precision == "DATE_PRECISION_YEAR":
        return start[:4]
    if start and precision == "DATE_PRECISION_WEEK":
        return f"week of {start}"
    if start and end and end != start:
        return f"{start} to {end}"
    if start:
        return start
    phrase = reported.get("phrase")
    return f"date unknown (\u201c{phrase}\u201d)" if phrase else "date unknown"


class _Names:
    """Display names of the view's parties, people and things, looked up by id."""

    def __init__(self, view: View) -> None:
        self.parties: dict[str, str] = {
            p["party_id"]: p.get("name", p["party_id"]) for p in _list(view, "parties")
        }
        self.people: dict[str, str] = {
            p["person_id"]: p.get("name", p["person_id"]) for p in _list(view, "people")
        }
        truce = view.get("truce") or {}
        things: dict[str, str] = {truce.get("truce_id", ""): truce.get("name", "")}
        things |= {o["outcome_id"]: o.get("name", "") for o in _list(view, "outcomes")}
        things |= {t["talks_id"]: t.get("title", "") for t in _list(view, "talks")}
        things |= {i["issue_id"]: i.get("title", "") for i in _list(view, "issues")}
        self.things = {key: name for key, name in things.items() if key and name}

    def party(self, party_id: str) -> str:
        return self.parties.get(party_id, party_id)

    def person(self, person_id: str) -> str:
        return self.people.get(person_id, person_id)

    def thing(self, thing_id: str) -> str:
        return self.things.get(thing_id, thing_id)


def _list(record: View, key: str) -> list[Any]:
    return list(record.get(key) or [])


def _joined(items: Iterable[str]) -> str:
    return ", ".join(item for item in items if item)


def _field(label: str, text: str, indent: str = "") -> str:
    return f"{indent}{label}".ljust(LABEL_WIDTH) + text


def format_view(view: View) -> str:
    """Return the negotiation view as compact sections of plain text."""
    names = _Names(view)
    lines = [
        f"{view.get('title') or view.get('negotiation_id', '')}  ({view.get('negotiation_id')})"
    ]
    last = view.get("last_position") or {}
    lines.append(
        _field(
            "as of",
            f"{view.get('as_of_date', '?')}, through log position #{last.get('position', 0)}",
        )
    )
    lines.append(
        _field(
            "parties",
            _joined(f"{p.get('name')} ({p['party_id']})" for p in _list(view, "parties")) or "-",
        )
    )
    lines.append(_field("phase", enum_words(view.get("phase"), nv.NegotiationPhase.DESCRIPTOR)))
    lines += _stale_block(view)
    lines += _truce_block(view, names)
    _section(lines, "Outcomes", _list(view, "outcomes"), lambda o: _outcome(o, names))
    _section(lines, "Deadlines", _list(view, "deadlines"), lambda d: _deadline(d, view))
    _section(lines, "Talks", _list(view, "talks"), lambda t: _talks(t, names))
    _section(lines, "Issues", _list(view, "issues"), lambda i: _issue(i, names))
    _section(lines, "Commitments", _list(view, "commitments"), lambda c: _commitment(c, names))
    lines += _measures_block(_list(view, "measures"), names)
    cases = _list(view.get("legal_status") or {}, "cases")
    _section(lines, "Court cases", cases, _court_case)
    _section(lines, "Investigations", _list(view, "investigations"), _investigation)
    indicators = _list(view.get("economic_context") or {}, "indicators")
    _section(lines, "Economic indicators", indicators, _indicator)
    reactions = _list(view, "market_reactions")
    _section(lines, "Market reactions", reactions, lambda r: _market_reaction(r, names))
    _section(lines, "Purchases", _list(view, "purchases"), lambda p: _purchase(p, names))
    _section(lines, "Disputes", _list(view, "disputes"), lambda d: _dispute(d, names))
    _section(lines, "People", _people_by_party(view), lambda p: _person(p, names))
    statements = _list(view, "statements")
    lines.append("")
    if statements:
        lines.append(
            _field("statements", f"{len(statements)} recorded, with their quotes (see --json)")
        )
    lines.append(_field("next round", _next_round(view.get("next_round") or {})))
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
    problems = _list(view, "problems")
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


def _truce_block(view: View, names: _Names) -> list[str]:
    truce = view.get("truce")
    if not truce:
        return ["", _field("truce", "none in effect")]
    details = [f"{truce['duration_days']} days"] if truce.get("duration_days") else []
    if truce.get("agreed"):
        details.append(f"agreed {format_reported_time(truce['agreed'])}")
    city = (truce.get("location") or {}).get("city")
    if city:
        details.append(f"in {city}")
    name = truce.get("name") or truce.get("truce_id", "")
    lines = ["", _field("truce", f"{name} ({', '.join(details)})" if details else name)]
    lines.append(_field("deadline", format_reported_time(truce.get("deadline")), "  "))
    lines.append(_field("", _countdown(truce, view.get("as_of_date", "?"))))
    moved = len(_list(truce, "deadline_history"))
    if moved:
        lines.append(_field("", f"moved {moved} time(s)"))
    suspended = _list(truce, "suspended_measure_ids")
    if suspended:
        lines.append(_field("suspends", _joined(suspended), "  "))
    return lines


def _outcome(outcome: View, names: _Names) -> list[str]:
    status = enum_words(outcome.get("status"), dev.OutcomeStatus.DESCRIPTOR)
    text = f"{outcome.get('name') or outcome.get('outcome_id')}: {status}"
    who = []
    for key, verb in (
        ("claimed_by", "claimed by"),
        ("confirmed_by", "confirmed by"),
        ("denied_by", "denied by"),
    ):
        if outcome.get(key):
            who.append(f"{verb} {_joined(names.party(p) for p in outcome[key])}")
    return [text] + ([f"{'; '.join(who)}"] if who else [])


def _deadline(deadline: View, view: View) -> list[str]:
    subject = deadline.get("subject") or deadline.get("deadline_id", "")
    return [
        f"{subject}: {format_reported_time(deadline.get('deadline'))}",
        _countdown(deadline, view.get("as_of_date", "?")),
    ]


def _talks(talks: View, names: _Names) -> list[str]:
    place = talks.get("location") or {}
    where = _joined([place.get("venue", ""), place.get("city", "")])
    details = _joined(
        [
            enum_words(talks.get("format"), dev.TalksFormat.DESCRIPTOR),
            where,
            format_reported_time(talks.get("occurred")),
        ]
    )
    lines = [f"{talks.get('title') or talks.get('talks_id')} ({details})"]
    if talks.get("lead_ids"):
        lines.append(f"led by {_joined(names.person(p) for p in talks['lead_ids'])}")
    if talks.get("participant_ids"):
        lines.append(f"with {_joined(names.person(p) for p in talks['participant_ids'])}")
    return lines


def _issue(issue: View, names: _Names) -> list[str]:
    status = enum_words(issue.get("status"), dev.IssueStatus.DESCRIPTOR)
    lines = [f"{issue.get('title') or issue.get('issue_id')}: {status}"]
    positions = _list(issue, "positions")
    lines += [f"{names.party(p.get('party_id', ''))}: {p.get('position', '')}" for p in positions]
    if not positions:
        lines.append("no party's position reported")
    return lines


def _commitment(commitment: View, names: _Names) -> list[str]:
    status = enum_words(commitment.get("status"), dev.CommitmentStatus.DESCRIPTOR)
    party = names.party(commitment.get("party_id", ""))
    lines = [
        f"{party} ({status}): {commitment.get('description', commitment.get('commitment_id'))}"
    ]
    for condition in _list(commitment, "conditions"):
        actor = (
            f" ({names.party(condition['party_id'])} to act)" if condition.get("party_id") else ""
        )
        lines.append(f"condition: {condition.get('description', '')}{actor}")
    if not commitment.get("conditions"):
        lines.append("unconditional")
    return lines


def _measure_detail(measure: View) -> str:
    if measure.get("measure_type") == "TariffMeasureChanged":
        rate = (
            f"{measure['rate_percent']}%"
            if measure.get("rate_percent")
            else measure.get("rate_phrase", "")
        )
        return f"tariff, {rate}" if rate else "tariff"
    kind = enum_words(measure.get("export_control_kind"), dev.ExportControlKind.DESCRIPTOR)
    return f"export control, {kind}"


def _measures_block(measures: list[View], names: _Names) -> list[str]:
    """List the measures under each side that imposes them, in force first."""
    if not measures:
        return []
    sides = list(names.parties)
    sides += [p for m in measures for p in _list(m, "imposed_by") if p not in sides]
    lines = ["", "Measures, by the side imposing them"]
    for side in [*sides, ""]:
        mine = [m for m in measures if _imposed_by(m, side)]
        if not mine:
            continue
        lines.append(f"  {names.party(side) if side else 'side not reported'}")
        for measure in sorted(mine, key=_status_rank):
            status = enum_words(measure.get("status"), dev.MeasureStatus.DESCRIPTOR)
            text = measure.get("description") or measure.get("measure_id", "")
            targets = _joined(names.party(p) for p in _list(measure, "targets"))
            on = f"; targets {targets}" if targets else ""
            force = " [in force]" if measure.get("in_force") else ""
            lines.append(f"    {status:<10} {text} ({_measure_detail(measure)}{on}){force}")
    return lines


def _imposed_by(measure: View, side: str) -> bool:
    """Return whether side imposes the measure; side "" matches measures with no side given."""
    imposers = _list(measure, "imposed_by")
    return side in imposers if side else not imposers


def _status_rank(measure: View) -> int:
    status = measure.get("status", "MEASURE_STATUS_UNSPECIFIED")
    return MEASURE_STATUS_ORDER.index(status) if status in MEASURE_STATUS_ORDER else 99


def _court_case(case: View) -> list[str]:
    ruling = case.get("latest_ruling") or {}
    kind = enum_words(ruling.get("kind"), dev.CourtRulingKind.DESCRIPTOR)
    court = f" by {ruling['court']}" if ruling.get("court") else ""
    when = format_reported_time(ruling.get("occurred"))
    lines = [f"{case.get('case_name') or case.get('case_id')}: latest ruling {kind}{court}, {when}"]
    if ruling.get("holding"):
        lines.append(ruling["holding"])
    if ruling.get("next_step"):
        lines.append(f"next: {ruling['next_step']}")
    return lines


def _investigation(record: View) -> list[str]:
    status = enum_words(record.get("status"), dev.InvestigationStatus.DESCRIPTOR)
    by = f" by {record['authority']}" if record.get("authority") else ""
    lines = [f"{record.get('subject') or record.get('investigation_id')}{by}: {status}"]
    if record.get("finding"):
        lines.append(f"finding: {record['finding']}")
    return lines


def _purchase(record: View, names: _Names) -> list[str]:
    amount = _joined([record.get("quantity_value", ""), record.get("quantity_unit", "")])
    value = _joined([record.get("amount_value", ""), record.get("currency", "")])
    figures = "; ".join(
        part for part in (amount.replace(", ", " "), value.replace(", ", " ")) if part
    )
    when = format_reported_time(record.get("occurred"))
    buyer = names.party(record.get("party_id", ""))
    return [
        f"{buyer} bought {record.get('goods', '?')} ({figures or 'no figures reported'}), {when}"
    ]


def _dispute(dispute: View, names: _Names) -> list[str]:
    state = "open" if dispute.get("open") else "closed"
    lines = [
        f"{dispute.get('subject_development_id')} ({state}), disputed by "
        f"{names.party(dispute.get('disputed_by', ''))}"
    ]
    for account in _list(dispute, "accounts"):
        who = _joined(names.party(p) for p in _list(account, "party_ids")) or "the press"
        lines.append(f"{who}: {account.get('account') or '(no account given)'}")
    return lines


def _indicator(indicator: View) -> list[str]:
    direction = enum_words(indicator.get("direction"), dev.Direction.DESCRIPTOR)
    unit = f" {indicator['unit']}" if indicator.get("unit") else ""
    if indicator.get("reported_value"):
        figures = f"{indicator['reported_value']}{unit}"
        if indicator.get("previous_value"):
            figures += f" (previously {indicator['previous_value']}{unit})"
    else:
        figures = "no figures reported"
    period = f" for {indicator['period']}" if indicator.get("period") else ""
    name = f"{indicator.get('publisher', '')} {indicator.get('name', '')}".strip()
    lines = [
        f"{name}{period}: {direction}, {figures}; "
        f"released {format_reported_time(indicator.get('released'))}"
    ]
    if indicator.get("reason"):
        lines.append(f"reason: {indicator['reason']}")
    return lines


def _move(move: View) -> str:
    market = move.get("market", "?")
    if move.get("index_name"):
        market += f" ({move['index_name']})"
    text = f"{market} {enum_words(move.get('direction'), dev.Direction.DESCRIPTOR)}"
    if move.get("change_percent"):
        text += f" {move['change_percent']}%"
    return text


def _market_reaction(reaction: View, names: _Names) -> list[str]:
    when = format_reported_time(reaction.get("occurred"))
    lines = [f"{when}: {_joined(_move(m) for m in _list(reaction, 'moves'))}"]
    causes = _joined(names.thing(i) for i in _list(reaction, "attributed_to_ids"))
    if causes:
        lines.append(f"attributed to {causes}")
    if reaction.get("attribution"):
        lines.append(f"\u201c{reaction['attribution']}\u201d")
    return lines


def _people_by_party(view: View) -> list[View]:
    """Return the people grouped by party in the parties' order, outsiders last."""
    order = [p["party_id"] for p in _list(view, "parties")]
    people = _list(view, "people")
    return sorted(
        people,
        key=lambda p: order.index(p["party_id"]) if p.get("party_id") in order else len(order),
    )


def _person(person: View, names: _Names) -> list[str]:
    side = f" ({names.party(person['party_id'])})" if person.get("party_id") else ""
    roles = []
    for role in _list(person, "roles"):
        office = _joined([role.get("office", ""), role.get("organisation", "")])
        part = role.get("negotiation_role", "")
        roles.append(f"{office}; {part}" if office and part else office or part)
    return [f"{person.get('name') or person.get('person_id')}{side}: {' / '.join(roles) or '-'}"]


def _next_round(next_round: View) -> str:
    status = enum_words(next_round.get("status"), dev.NextRoundStatus.DESCRIPTOR)
    if status == "unspecified":
        status = "not scheduled"
    details = []
    if next_round.get("planned"):
        details.append(f"for {format_reported_time(next_round['planned'])}")
    place = next_round.get("location") or {}
    where = _joined([place.get("venue", ""), place.get("city", "")])
    if where:
        details.append(f"in {where}")
    return " ".join([status, *details])


def format_negotiations(found: Sequence[View]) -> str:
    """Return one line per negotiation: id, title, parties and its last log position."""
    if not found:
        return "no negotiations recorded yet (load a story with `newsledger ingest FILE`)"
    width = max(len(n.get("negotiation_id", "")) for n in found)
    return "\n".join(
        f"{n.get('negotiation_id', ''):<{width}}  {n.get('title', '')} "
        f"({_joined(_list(n, 'parties')) or 'no parties'}), "
        f"last event #{n.get('last_position', 0)}"
        for n in found
    )


def format_event(event: View) -> str:
    """Return one log event as a line: position, record time, stream@version, type, id."""
    recorded = event.get("record_time")
    when = _clock(_timestamp(recorded)) + " UTC" if recorded else "time unknown"
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
