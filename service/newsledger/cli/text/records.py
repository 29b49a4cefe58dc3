"""Text for the view's records: measures by side, indicators, markets, people."""

from __future__ import annotations

from newsledger.cli.text.basics import (
    Names,
    View,
    enum_words,
    format_reported_time,
    joined,
    list_of,
)
from newsledger.cli.text.courts import court_effect_lines
from newsledger.v1 import developments_pb2 as dev
from newsledger.web.figures import figure_text

MEASURE_STATUS_ORDER = (
    "MEASURE_STATUS_IN_FORCE",
    "MEASURE_STATUS_MODIFIED",
    "MEASURE_STATUS_SUSPENDED",
    "MEASURE_STATUS_BLOCKED",
    "MEASURE_STATUS_ANNOUNCED",
    "MEASURE_STATUS_THREATENED",
    "MEASURE_STATUS_ENDED",
    "MEASURE_STATUS_WITHDRAWN",
    "MEASURE_STATUS_UNSPECIFIED",
)


def _measure_detail(measure: View) -> str:
    if measure.get("measure_type") == "TariffMeasureChanged":
        rate = (
            figure_text(measure["rate"])
            if measure.get("rate")
            else f"{measure['rate_percent']}%"
            if measure.get("rate_percent")
            else measure.get("rate_phrase", "")
        )
        return f"tariff, {rate}" if rate else "tariff"
    kind = enum_words(measure.get("export_control_kind"), dev.ExportControlKind.DESCRIPTOR)
    extends = f" of {measure['extends_measure_id']}" if measure.get("extends_measure_id") else ""
    return f"export control, {kind}{extends}"


def measures_block(measures: list[View], names: Names) -> list[str]:
    """List each measure once, under all the sides that impose it, in force first."""
    if not measures:
        return []
    order = list(names.parties)
    order += [p for m in measures for p in list_of(m, "imposed_by") if p not in order]
    groups: dict[tuple[str, ...], list[View]] = {}
    for measure in measures:
        imposers = tuple(sorted(list_of(measure, "imposed_by"), key=order.index))
        groups.setdefault(imposers, []).append(measure)
    lines = ["", "Measures, by the side imposing them"]
    # One side alone first (in the parties' order), then measures of several, then unknown.
    for imposers in sorted(groups, key=lambda g: (not g, len(g), [order.index(p) for p in g])):
        heading = " and ".join(names.party(p) for p in imposers) or "side not reported"
        lines.append(f"  {heading}")
        for measure in sorted(groups[imposers], key=_status_rank):
            status = enum_words(measure.get("status"), dev.MeasureStatus.DESCRIPTOR)
            text = measure.get("description") or measure.get("measure_id", "")
            targets = joined(names.party(p) for p in list_of(measure, "targets"))
            on = f"; targets {targets}" if targets else ""
            force = " [in force]" if measure.get("in_force") else ""
            truce = measure.get("suspended_by_truce_id")
            force += f" [under truce {truce}]" if truce else ""
            lines.append(f"    {status:<10} {text} ({_measure_detail(measure)}{on}){force}")
            if measure.get("suspended_until") or measure.get("suspended_part"):
                lines.append(f"      {_suspension_text(measure)}")
            lines += [f"      {line}" for line in _list_and_licences(measure)]
            if measure.get("withdrawn"):
                when = format_reported_time(measure["withdrawn"])
                lines.append(f"      withdrawn {when}, never in force")
            lines += [f"      {line}" for line in court_effect_lines(measure)]
            for change in list_of(measure, "pending_changes"):
                pending = enum_words(change.get("status"), dev.MeasureStatus.DESCRIPTOR)
                rate = f" at {change['rate_percent']}%" if change.get("rate_percent") else ""
                rate = f" at {figure_text(change['rate'])}" if change.get("rate") else rate
                when = format_reported_time(change.get("effective"))
                resumes = change.get("resumes")
                back = f", back {format_reported_time(resumes)}" if resumes else ""
                lines.append(f"      pending: {pending}{rate} from {when}{back}")
    return lines


def _suspension_text(measure: View) -> str:
    """Return what is suspended and until when: "suspended: the part above 10%, until …",
    and the day it is back when the suspension has a last day."""
    part = measure.get("suspended_part") or "the whole measure"
    until = measure.get("suspended_until")
    text = f"suspended: {part}" + (f", until {format_reported_time(until)}" if until else "")
    resumes = measure.get("resumes")
    return text + (f"; back {format_reported_time(resumes)}" if resumes else "")


def _list_and_licences(measure: View) -> list[str]:
    """Return an entity list's count, when reported, and licence decisions naming a company
    or terms: "23 entities listed", "licences approved for Nvidia: revenue share 15%"."""
    lines = []
    if measure.get("listed_count_value"):
        named = len(list_of(measure, "listed_entities"))
        lines.append(f"{measure['listed_count_value']} entities listed ({named} named)")
    for decision in list_of(measure, "licence_decisions"):
        if not decision.get("company") and not decision.get("terms"):
            continue
        what = enum_words(decision.get("decision"), dev.LicenceDecision.DESCRIPTOR)
        company = f" for {decision['company']}" if decision.get("company") else ""
        terms = [
            f"{t.get('description', '')} {figure_text(t['figure'])}".strip()
            if t.get("figure")
            else t.get("description", "")
            for t in list_of(decision, "terms")
        ]
        on = f": {'; '.join(terms)}" if terms else ""
        lines.append(f"licences {what}{company}{on}")
    return lines


def statement(item: View, names: Names) -> list[str]:
    """Return a statement: who spoke and when, then each quote the sources carry."""
    kind = enum_words(item.get("kind"), dev.StatementKind.DESCRIPTOR)
    speaker = names.person(item.get("speaker_id", ""))
    lines = [f"{speaker} ({kind}, {format_reported_time(item.get('occurred'))})"]
    for quote in list_of(item, "quotes"):
        said = f"\u201c{quote.get('text', '')}\u201d"
        lines.append(said if quote.get("verbatim") else f"{said} (paraphrased)")
    if not item.get("quotes"):
        lines.append("no quote reported")
    return lines


def _imposed_by(measure: View, side: str) -> bool:
    """Return whether side imposes the measure; side "" matches measures with no side given."""
    imposers = list_of(measure, "imposed_by")
    return side in imposers if side else not imposers


def _status_rank(measure: View) -> int:
    status = measure.get("status", "MEASURE_STATUS_UNSPECIFIED")
    return MEASURE_STATUS_ORDER.index(status) if status in MEASURE_STATUS_ORDER else 99


def investigation(record: View) -> list[str]:
    """Return an investigation: what, by whom, its status."""
    status = enum_words(record.get("status"), dev.InvestigationStatus.DESCRIPTOR)
    by = f" by {record['authority']}" if record.get("authority") else ""
    lines = [f"{record.get('subject') or record.get('investigation_id')}{by}: {status}"]
    if record.get("finding"):
        lines.append(f"finding: {record['finding']}")
    return lines


def purchase(record: View, names: Names) -> list[str]:
    """Return a reported purchase: buyer, goods and amount (its figures when given)."""
    amount = joined([record.get("quantity_value", ""), record.get("quantity_unit", "")])
    value = joined([record.get("amount_value", ""), record.get("currency", "")])
    amount = figure_text(record["quantity"]) if record.get("quantity") else amount
    value = figure_text(record["amount"]) if record.get("amount") else value
    figures = "; ".join(
        part for part in (amount.replace(", ", " "), value.replace(", ", " ")) if part
    )
    when = format_reported_time(record.get("occurred"))
    buyer = names.party(record.get("party_id", ""))
    return [
        f"{buyer} bought {record.get('goods', '?')} ({figures or 'no figures reported'}), {when}"
    ]


def dispute(record: View, names: Names) -> list[str]:
    """Return a dispute with each side's account."""
    state = "open" if record.get("open") else "closed"
    lines = [
        f"{record.get('subject_development_id')} ({state}), disputed by "
        f"{names.party(record.get('disputed_by', ''))}"
    ]
    for account in list_of(record, "accounts"):
        who = joined(names.party(p) for p in list_of(account, "party_ids")) or "the press"
        lines.append(f"{who}: {account.get('account') or '(no account given)'}")
    return lines


def indicator(record: View) -> list[str]:
    """Return an economic indicator with its figures and release date."""
    direction = enum_words(record.get("direction"), dev.Direction.DESCRIPTOR)
    unit = f" {record['unit']}" if record.get("unit") else ""
    if record.get("reported_value"):
        figures = f"{record['reported_value']}{unit}"
        if record.get("previous_value"):
            figures += f" (previously {record['previous_value']}{unit})"
    else:
        figures = "no figures reported"
    if record.get("figure"):
        figures = figure_text(record["figure"])
        if record.get("previous"):
            figures += f" (previously {figure_text(record['previous'])})"
    period = f" for {record['period']}" if record.get("period") else ""
    name = f"{record.get('publisher', '')} {record.get('name', '')}".strip()
    lines = [
        f"{name}{period}: {direction}, {figures}; "
        f"released {format_reported_time(record.get('released'))}"
    ]
    if record.get("reason"):
        lines.append(f"reason: {record['reason']}")
    return lines


def _move(move: View) -> str:
    market = move.get("market", "?")
    if move.get("index_name"):
        market += f" ({move['index_name']})"
    text = f"{market} {enum_words(move.get('direction'), dev.Direction.DESCRIPTOR)}"
    if move.get("change_percent"):
        text += f" {move['change_percent']}%"
    return text


def market_reaction(reaction: View, names: Names) -> list[str]:
    """Return a market reaction: what moved and what it is attributed to."""
    when = format_reported_time(reaction.get("occurred"))
    lines = [f"{when}: {joined(_move(m) for m in list_of(reaction, 'moves'))}"]
    causes = joined(names.thing(i) for i in list_of(reaction, "attributed_to_ids"))
    if causes:
        lines.append(f"attributed to {causes}")
    if reaction.get("attribution"):
        lines.append(f"\u201c{reaction['attribution']}\u201d")
    return lines


def people_by_party(view: View) -> list[View]:
    """Return the people grouped by party in the parties' order, outsiders last."""
    order = [p["party_id"] for p in list_of(view, "parties")]
    people = list_of(view, "people")
    return sorted(
        people,
        key=lambda p: order.index(p["party_id"]) if p.get("party_id") in order else len(order),
    )


def person(record: View, names: Names) -> list[str]:
    """Return a person (or an organisation, so marked) with their roles."""
    what = ["organisation"] if record.get("kind") == "PERSON_KIND_ORGANISATION" else []
    about = joined([names.party(record["party_id"]) if record.get("party_id") else "", *what])
    side = f" ({about})" if about else ""
    roles = []
    for role in list_of(record, "roles"):
        office = joined([role.get("office", ""), role.get("organisation", "")])
        part = role.get("negotiation_role", "")
        roles.append(f"{office}; {part}" if office and part else office or part)
    return [f"{record.get('name') or record.get('person_id')}{side}: {' / '.join(roles) or '-'}"]


def next_round_text(next_round: View) -> str:
    """Return the next round's status in words ("not scheduled" when none is set)."""
    status = enum_words(next_round.get("status"), dev.NextRoundStatus.DESCRIPTOR)
    if status == "unspecified":
        status = "not scheduled"
    details = []
    if next_round.get("planned"):
        details.append(f"for {format_reported_time(next_round['planned'])}")
    place = next_round.get("location") or {}
    where = joined([place.get("venue", ""), place.get("city", "")])
    if where:
        details.append(f"in {where}")
    return " ".join([status, *details])
