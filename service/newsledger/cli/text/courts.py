"""Text for court cases: the docket, its steps, the latest ruling with its vote and
dispositions, and what rulings do to a measure."""

from __future__ import annotations

from newsledger.cli.text.basics import View, enum_words, format_reported_time, joined, list_of
from newsledger.v1 import developments_pb2 as dev

EFFECT_WORDS = {"COURT_EFFECT_ENDS": "ends", "COURT_EFFECT_BLOCKS": "blocks"}
STATE_WORDS = {
    "COURT_EFFECT_STATE_IN_EFFECT": "in effect",
    "COURT_EFFECT_STATE_PENDING": "pending",
    "COURT_EFFECT_STATE_STAYED": "stayed",
}


def _vote(vote: View) -> str:
    """Return a vote as "vote 7\u20134 (per curiam)"; "" when none is reported."""
    if not vote:
        return ""
    by = f" ({vote['majority_by']})" if vote.get("majority_by") else ""
    return f", vote {vote.get('majority', 0)}\u2013{vote.get('dissent', 0)}{by}"


def _state(item: View) -> str:
    """Return where an effect stands: "[pending from 2026-02-24]", "[stayed by …]"."""
    state = STATE_WORDS.get(str(item.get("state", "")), "")
    if not state:
        return ""
    if state == "pending" and item.get("effective"):
        state += f" from {format_reported_time(item['effective'])}"
    if state == "pending" and item.get("stayed_until"):
        state += f", withheld until {format_reported_time(item['stayed_until'])}"
    if item.get("stayed_by_ruling_id"):
        state += f" by {item['stayed_by_ruling_id']}"
    return f" [{state}]"


def _disposition(item: View) -> str:
    kind = enum_words(item.get("kind"), dev.CourtRulingKind.DESCRIPTOR)
    effect = EFFECT_WORDS.get(str(item.get("effect", "")), "")
    on = f"; {effect} {joined(list_of(item, 'measure_ids'))}" if effect else ""
    stays = f"; stays {item['stays_ruling_id']}" if item.get("stays_ruling_id") else ""
    return f"  {kind}: {item.get('description', '')}{on}{stays}{_state(item)}"


def _docket(case: View) -> list[str]:
    """Return the docket lines: court and number, the case below, parties, consolidation."""
    lines = []
    number = f", No. {case['docket_number']}" if case.get("docket_number") else ""
    below = (
        f" (appeal from {case['appeal_from_case_id']})" if case.get("appeal_from_case_id") else ""
    )
    if case.get("court"):
        lines.append(f"{case['court']}{number}{below}")
    parties = [
        f"{p.get('name', '')} ({enum_words(p.get('role'), dev.CaseRole.DESCRIPTOR)})"
        for p in list_of(case, "parties")
    ]
    if parties:
        lines.append(f"parties: {'; '.join(parties)}")
    if case.get("consolidated_case_ids"):
        lines.append(f"consolidated with: {joined(list_of(case, 'consolidated_case_ids'))}")
    for step in list_of(case, "steps"):
        kind = enum_words(step.get("kind"), dev.CourtStepKind.DESCRIPTOR)
        scheduled = step.get("scheduled")
        for_day = f" for {format_reported_time(scheduled)}" if scheduled else ""
        text = f": {step['description']}" if step.get("description") else ""
        lines.append(f"{format_reported_time(step.get('occurred'))} {kind}{for_day}{text}")
    if case.get("oral_argument_scheduled"):
        when = format_reported_time(case["oral_argument_scheduled"])
        lines.append(f"oral argument set for {when}")
    return lines


def court_case(case: View) -> list[str]:
    """Return a court case: its latest ruling (vote, dispositions, next step), then its docket."""
    name = case.get("case_name") or case.get("case_id")
    ruling = case.get("latest_ruling") or {}
    if not ruling:
        return [f"{name}: no ruling yet", *_docket(case)]
    kind = enum_words(ruling.get("kind"), dev.CourtRulingKind.DESCRIPTOR)
    court = f" by {ruling['court']}" if ruling.get("court") else ""
    when = format_reported_time(ruling.get("occurred"))
    lines = [f"{name}: latest ruling {kind}{court}, {when}{_vote(ruling.get('vote') or {})}"]
    if ruling.get("holding"):
        lines.append(ruling["holding"])
    lines += [_disposition(item) for item in list_of(ruling, "dispositions")]
    if ruling.get("next_step"):
        lines.append(f"next: {ruling['next_step']}")
    return lines + _docket(case)


def court_effect_lines(measure: View) -> list[str]:
    """Return what rulings do to a measure: "ended by U.S. Supreme Court (case), 2026-02-20
    [pending from 2026-02-24]"."""
    lines = []
    for effect in list_of(measure, "court_effects"):
        status = "ended" if effect.get("effect") == "COURT_EFFECT_ENDS" else "blocked"
        court = effect.get("court") or "a court"
        when = format_reported_time(effect.get("occurred"))
        lines.append(
            f"court: {status} by {court} ({effect.get('case_id', '')}), {when}{_state(effect)}"
        )
    return lines
