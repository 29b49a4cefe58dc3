"""Hypothesis strategies for whole negotiations: developments of many types on random dates.

A negotiation is a list of `Development`s (event type, payload, development id) that refer
to each other through small pools of ids, so later ones restate, move, rename, rule on
(end, block and stay measures), docket, consolidate, corroborate, dispute and confirm earlier
ones. Every payload is valid for the contract; a
development whose reference is unknown at its place is refused by the fold as a problem,
which the properties tolerate. `later_developments` draws developments that count only
after a given date: their `occurred` span and every source are after it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import stream_for

FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2025, 12, 31)
PARTIES = ("us", "cn")
PEOPLE = {"alice": "us", "bo": "cn"}
MEASURES = ("levy", "chips")
STATUSES = (
    "MEASURE_STATUS_THREATENED",
    "MEASURE_STATUS_ANNOUNCED",
    "MEASURE_STATUS_IN_FORCE",
    "MEASURE_STATUS_MODIFIED",
    "MEASURE_STATUS_SUSPENDED",
    "MEASURE_STATUS_ENDED",
)
NAMES = ("Alpha", "Beta", "Gamma")
CASES = ("case", "appeal")
RULINGS = ("ruling-a", "ruling-b")
EFFECTS = ("COURT_EFFECT_ENDS", "COURT_EFFECT_BLOCKS", "COURT_EFFECT_UNSPECIFIED")
STEP_KINDS = (
    "COURT_STEP_KIND_CERTIORARI_GRANTED",
    "COURT_STEP_KIND_CONSOLIDATED",
    "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED",
    "COURT_STEP_KIND_ORAL_ARGUMENT_HELD",
)
BODIES = ("President", "Parliament")
STANCES = ("AccountDisputed", "AccountConfirmed")


@dataclass(frozen=True, slots=True)
class Development:
    """One development to record: its type, payload and development id."""

    event_type: str
    payload: dict[str, Any]
    development_id: str


def opening(negotiation_id: str) -> Development:
    """Return the NegotiationOpened of a two-party negotiation."""
    parties = [
        {"party_id": party, "name": party.upper(), "kind": "PARTY_KIND_STATE"} for party in PARTIES
    ]
    payload = {"negotiation_id": negotiation_id, "title": "Generated talks", "parties": parties}
    return Development("NegotiationOpened", payload, "negotiation-opened")


def people() -> list[Development]:
    """Return the people every generated negotiation starts with (undated: always counted)."""
    return [
        Development(
            "PersonRoleAssigned",
            {
                "person_id": person,
                "name": person.title(),
                "party_id": party,
                "report": {
                    "occurred": {"precision": "DATE_PRECISION_UNKNOWN"},
                    "sources": [
                        {"source_id": "roster", "outlet": "Roster", "kind": "SOURCE_KIND_OFFICIAL"}
                    ],
                },
            },
            f"person-{person}",
        )
        for person, party in PEOPLE.items()
    ]  # fmt: skip


def days(after: date = FIRST_DAY - timedelta(days=1)) -> st.SearchStrategy[date]:
    """Days of the generated year strictly after `after`."""
    return st.dates(min_value=after + timedelta(days=1), max_value=LAST_DAY)


def _day(value: date) -> dict[str, str]:
    return {"precision": "DATE_PRECISION_DAY", "start_date": value.isoformat()}


@st.composite
def reports(draw: st.DrawFn, after: date | None = None, tag: str = "") -> dict[str, Any]:
    """A report of something on a day (after `after` when given), from one or two sources.

    Each source is published on or after the day; outlets come from a small pool, and a
    source may reproduce another outlet's report.
    """
    floor = after or FIRST_DAY - timedelta(days=1)
    occurred = draw(days(floor))
    precision = draw(st.sampled_from(["DATE_PRECISION_DAY"] * 3 + ["DATE_PRECISION_WEEK"]))
    sources = []
    for number in range(draw(st.integers(1, 2))):
        published = occurred + timedelta(days=draw(st.integers(0, 20)))
        outlet = draw(st.sampled_from(["Wire", "Gazette", "Herald"]))
        sources.append(
            {
                "source_id": f"{outlet.lower()}-{published.isoformat()}-{tag}{number}",
                "outlet": outlet,
                "kind": "SOURCE_KIND_NEWSPAPER",
                "published_date": min(published, LAST_DAY).isoformat(),
            }
        )
    report: dict[str, Any] = {
        "occurred": {"precision": precision, "start_date": occurred.isoformat()},
        "sources": sources,
    }
    if draw(st.booleans()):
        report["claimed_by"] = draw(st.lists(st.sampled_from(PARTIES), min_size=1, unique=True))
    return report


FIGURE_KINDS = (
    "CommitmentMade",
    "PurchaseReported",
    "ExportControlChanged",
    "LicenceDecisionReported",
    "EntityListChanged",
)
"""Types whose figures, commitments, licence terms and list counts the view computes from."""
UNITS = ({"unit": "tonnes"}, {"currency": "USD"})


@st.composite
def figures(draw: st.DrawFn, unit: dict[str, str] | None = None) -> dict[str, Any]:
    """A figure: exact or a range (maybe open above), in a unit or currency, maybe with an
    equivalent in another currency and components."""
    low = draw(st.integers(1, 1000))
    figure: dict[str, Any] = dict(unit or draw(st.sampled_from(UNITS)))
    shape = draw(st.sampled_from(["exact", "range", "at least"]))
    if shape == "exact":
        figure["exact_value"] = str(low)
    else:
        figure["low_value"] = str(low)
        if shape == "range":
            figure["high_value"] = str(low + draw(st.integers(0, 100)))
    if draw(st.booleans()):
        figure["equivalents"] = [{"exact_value": str(low * 7), "currency": "CNY"}]
    if draw(st.booleans()):
        figure["components"] = [{"label": "part", "exact_value": str(low)}]
    return figure


@st.composite
def figure_payloads(draw: st.DrawFn, kind: str, occurred: date) -> dict[str, Any]:
    """The payload (without report) of a development whose figures the view computes from."""
    if kind == "CommitmentMade":
        unit = draw(st.sampled_from(UNITS))
        start = occurred + timedelta(days=draw(st.integers(-30, 30)))
        periods = [
            {
                "quantity": draw(figures(unit)),
                "start_date": (start + timedelta(days=90 * n)).isoformat(),
                "end_date": (start + timedelta(days=90 * n + 89)).isoformat(),
            }
            for n in range(draw(st.integers(0, 2)))
        ]
        payload: dict[str, Any] = {
            "commitment_id": "pledge",
            "party_id": "cn",
            "description": f"Pledge {draw(st.sampled_from(NAMES))}",
            "status": "COMMITMENT_STATUS_MADE",
            "schedule": periods,
        }
        if not periods or draw(st.booleans()):
            payload["quantity"] = draw(figures(unit))
        return payload
    if kind == "PurchaseReported":
        return {
            "purchase_id": f"purchase-{draw(st.integers(0, 5))}",
            "party_id": "cn",
            "goods": "soybeans",
            "commitment_id": "pledge",
            draw(st.sampled_from(["quantity", "amount"])): draw(figures()),
        }
    if kind == "ExportControlChanged":
        measure_id = draw(st.sampled_from(["licensing", "affiliates"]))
        control: dict[str, Any] = {
            "measure_id": measure_id,
            "description": f"Control {draw(st.sampled_from(NAMES))}",
            "status": draw(st.sampled_from(STATUSES)),
            "kind": "EXPORT_CONTROL_KIND_LICENSING_REQUIREMENT",
            "imposed_by": ["us"],
        }
        if measure_id == "affiliates":
            control["kind"] = "EXPORT_CONTROL_KIND_LISTING_RULE"
            control["extends_measure_id"] = "entity-list"
        if control["status"] == "MEASURE_STATUS_SUSPENDED" and draw(st.booleans()):
            control["suspended_until"] = _day(occurred + timedelta(days=draw(st.integers(1, 90))))
        return control
    if kind == "LicenceDecisionReported":
        return {
            "measure_id": "licensing",
            "decision": "LICENCE_DECISION_APPROVED",
            "company": draw(st.sampled_from(NAMES)),
            "terms": [{"description": "revenue share", "figure": draw(figures())}],
        }
    return {
        "measure_id": "entity-list",
        "action": draw(st.sampled_from(["ENTITY_LIST_ACTION_ADDED", "ENTITY_LIST_ACTION_REMOVED"])),
        "entities": draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True)),
        "count_value": str(draw(st.integers(2, 30))),
        "imposed_by": ["us"],
    }


@st.composite
def ruling_extras(draw: st.DrawFn, occurred: date) -> dict[str, Any]:
    """A ruling's id, vote and dispositions: ending, blocking or staying, from a later day,
    withheld until a day or with no day given."""
    extras: dict[str, Any] = {}
    if draw(st.booleans()):
        extras["ruling_id"] = draw(st.sampled_from(RULINGS))
    if draw(st.booleans()):
        extras["vote"] = {"majority": draw(st.integers(1, 9)), "dissent": draw(st.integers(0, 4))}
    dispositions = []
    for _ in range(draw(st.integers(0, 2))):
        disposition: dict[str, Any] = {
            "kind": draw(st.sampled_from(["COURT_RULING_KIND_VACATE", "COURT_RULING_KIND_STAY"])),
            "description": f"Disposition {draw(st.integers(0, 9))}",
        }
        if draw(st.booleans()):
            disposition["measure_ids"] = [draw(st.sampled_from([MEASURES[0], *MEASURES]))]
            effect = draw(st.sampled_from(EFFECTS))
            if effect != "COURT_EFFECT_UNSPECIFIED":
                disposition["effect"] = effect
        if draw(st.booleans()):
            disposition["effective"] = _day(occurred + timedelta(days=draw(st.integers(0, 60))))
        withheld = draw(st.sampled_from(["none", "day", "unknown"]))
        if withheld == "day":
            until = occurred + timedelta(days=draw(st.integers(0, 60)))
            disposition["stayed_until"] = _day(until)
        elif withheld == "unknown":
            disposition["stayed_until"] = {"precision": "DATE_PRECISION_UNKNOWN"}
        if disposition["kind"] == "COURT_RULING_KIND_STAY" and draw(st.booleans()):
            disposition["stays_ruling_id"] = draw(st.sampled_from(RULINGS))
        dispositions.append(disposition)
    if dispositions:
        extras["dispositions"] = dispositions
    return extras


@st.composite
def development_payloads(
    draw: st.DrawFn, after: date | None = None, tag: str = ""
) -> tuple[str, dict[str, Any]]:
    """A development of one of the record-setting types, with its payload."""
    report = draw(reports(after, tag))
    occurred = date.fromisoformat(report["occurred"]["start_date"])
    kind = draw(
        st.sampled_from(
            ["TariffMeasureChanged", "TruceAgreed", "DeadlineSet", "CourtRulingIssued",
             "TalksHeld", "OutcomeReached", "IssuePositionStated", "StatementMade",
             "PersonRoleAssigned", "CourtCaseDocketed", "CourtStepTaken", *FIGURE_KINDS,
             "NegotiationRetitled", "ApprovalRequired", "AgreementApproved", "TalksScheduled",
             "TalksPostponed", "TalksReadoutIssued", "TruceSuspensionsAdded", "DeadlineExtended"]
        )
    )  # fmt: skip
    effect_dated = ("TariffMeasureChanged", "ExportControlChanged", "TruceAgreed", "DeadlineSet",
                    "TruceSuspensionsAdded")  # fmt: skip
    if kind in effect_dated and draw(st.booleans()):
        report["effective"] = _day(occurred + timedelta(days=draw(st.integers(0, 60))))
    if kind in FIGURE_KINDS:
        return kind, {**draw(figure_payloads(kind, occurred)), "report": report}
    if kind == "TariffMeasureChanged":
        payload: dict[str, Any] = {
            "measure_id": draw(st.sampled_from(MEASURES)),
            "description": f"Levy {draw(st.sampled_from(NAMES))}",
            "status": draw(st.sampled_from(STATUSES)),
            "imposed_by": [draw(st.sampled_from(PARTIES))],
            "rate_percent": str(draw(st.integers(1, 150))),
        }
        if draw(st.booleans()):
            payload["rate"] = draw(figures())
    elif kind == "TruceAgreed":
        payload = {
            "truce_id": draw(st.sampled_from(["truce-a", "truce-b"])),
            "name": f"Truce {draw(st.sampled_from(NAMES))}",
            "suspended_measure_ids": draw(st.lists(st.sampled_from(MEASURES), unique=True)),
        }
        report["expires"] = _day(occurred + timedelta(days=90))
    elif kind == "DeadlineSet":
        payload = {
            "deadline_id": "deadline",
            "subject": f"Deadline {draw(st.sampled_from(NAMES))}",
            "deadline": _day(occurred + timedelta(days=draw(st.integers(1, 120)))),
        }
    elif kind == "CourtRulingIssued":
        payload = {
            "case_id": draw(st.sampled_from(CASES)),
            "case_name": f"{draw(st.sampled_from(NAMES))} v. United States",
            "court": "Court",
            "kind": draw(st.sampled_from(["COURT_RULING_KIND_STAY", "COURT_RULING_KIND_VACATE"])),
            "holding": f"Holding {draw(st.integers(0, 99))}",
            **draw(ruling_extras(occurred)),
        }
    elif kind == "CourtCaseDocketed":
        case_id = draw(st.sampled_from(CASES))
        payload = {
            "case_id": case_id,
            "case_name": f"{draw(st.sampled_from(NAMES))} v. United States",
            "court": draw(st.sampled_from(["Trade court", "Appeals court"])),
            "docket_number": f"25-{draw(st.integers(1, 9))}",
            "parties": [{"name": draw(st.sampled_from(NAMES)), "role": "CASE_ROLE_PLAINTIFF"}],
            "measure_ids": draw(st.lists(st.sampled_from(MEASURES), max_size=1)),
        }
        if draw(st.booleans()):
            payload["appeal_from_case_id"] = draw(
                st.sampled_from([c for c in CASES if c != case_id])
            )
    elif kind == "CourtStepTaken":
        case_id = draw(st.sampled_from(CASES))
        step = draw(st.sampled_from(STEP_KINDS))
        payload = {
            "case_id": case_id,
            "kind": step,
            "description": f"Step {draw(st.integers(0, 9))}",
        }
        if step == "COURT_STEP_KIND_CONSOLIDATED":
            payload["consolidated_case_ids"] = [c for c in CASES if c != case_id]
        if step == "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED":
            payload["scheduled"] = _day(occurred + timedelta(days=draw(st.integers(1, 90))))
    elif kind == "TalksHeld":
        if draw(st.booleans()):
            last = occurred + timedelta(days=draw(st.integers(1, 2)))
            report["occurred"] = {**_day(occurred), "end_date": last.isoformat()}
            report["occurred"]["precision"] = "DATE_PRECISION_DAY"
        payload = {
            "talks_id": draw(st.sampled_from(["round-1", "round-2"])),
            "title": f"Round {draw(st.sampled_from(NAMES))}",
            "format": "TALKS_FORMAT_IN_PERSON_ROUND",
        }
    elif kind == "OutcomeReached":
        payload = {
            "outcome_id": "outcome",
            "name": f"Framework {draw(st.sampled_from(NAMES))}",
            "status": draw(
                st.sampled_from(
                    [
                        "OUTCOME_STATUS_AGREED_IN_PRINCIPLE",
                        "OUTCOME_STATUS_SIGNED",
                        "OUTCOME_STATUS_NO_OUTCOME",
                    ]
                )
            ),
        }
    elif kind == "NegotiationRetitled":
        payload = {"title": f"Talks {draw(st.sampled_from(NAMES))}", "reason": "Renamed."}
    elif kind in ("ApprovalRequired", "AgreementApproved"):
        party = draw(st.sampled_from(PARTIES))
        body = draw(st.sampled_from(BODIES))
        payload = {"outcome_id": "outcome", "party_id": party, "approving_body": body}
        if kind == "ApprovalRequired":
            payload = {
                "outcome_id": "outcome",
                "approvers": [{"party_id": party, "approving_body": body}],
            }
    elif kind == "TalksScheduled":
        payload = {
            "talks_id": draw(st.sampled_from(["round-1", "round-2"])),
            "title": f"Round {draw(st.sampled_from(NAMES))}",
            "format": "TALKS_FORMAT_IN_PERSON_ROUND",
            "planned": _day(occurred + timedelta(days=draw(st.integers(1, 60)))),
        }
    elif kind == "TalksPostponed":
        payload = {"talks_id": draw(st.sampled_from(["round-1", "round-2"])), "reason": "Later."}
        if draw(st.booleans()):
            payload["new_planned"] = _day(occurred + timedelta(days=draw(st.integers(1, 90))))
    elif kind == "TalksReadoutIssued":
        party = draw(st.sampled_from(PARTIES))
        payload = {
            "talks_id": draw(st.sampled_from(["round-1", "round-2"])),
            "party_id": party,
            "account": f"Account {draw(st.integers(0, 99))}",
        }
    elif kind == "TruceSuspensionsAdded":
        payload = {
            "truce_id": draw(st.sampled_from(["truce-a", "truce-b"])),
            "measure_ids": draw(st.lists(st.sampled_from(MEASURES), min_size=1, unique=True)),
        }
    elif kind == "DeadlineExtended":
        payload = {
            "truce_id": draw(st.sampled_from(["truce-a", "truce-b"])),
            "deadline": _day(occurred + timedelta(days=draw(st.integers(60, 200)))),
        }
    elif kind == "IssuePositionStated":
        payload = {
            "issue_id": draw(st.sampled_from(["fentanyl", "rare-earths"])),
            "title": f"Issue {draw(st.sampled_from(NAMES))}",
            "party_id": draw(st.sampled_from(PARTIES)),
            "position": f"Position {draw(st.integers(0, 99))}",
        }
    elif kind == "StatementMade":
        speaker = draw(st.sampled_from(sorted(PEOPLE)))
        report["sources"][0]["quotes"] = [{"speaker_id": speaker, "text": "We talked."}]
        payload = {
            "statement_id": f"statement-{draw(st.integers(0, 3))}",
            "speaker_id": speaker,
            "kind": draw(st.sampled_from(["STATEMENT_KIND_REMARK", "STATEMENT_KIND_CONFIRMATION"])),
            "about_ids": draw(st.lists(st.sampled_from(["outcome"]), max_size=1)),
        }
    else:
        person = draw(st.sampled_from(sorted(PEOPLE)))
        payload = {
            "person_id": person,
            "name": f"{person.title()} {draw(st.sampled_from(NAMES))}",
            "party_id": PEOPLE[person],
            "office": "Minister",
        }
    return kind, {**payload, "report": report}


def litigation() -> list[Development]:
    """Return an undated measure and the two docketed cases over it (always counted), so the
    generated rulings, steps and stays that refer to them apply."""
    undated = {
        "occurred": {"precision": "DATE_PRECISION_UNKNOWN"},
        "sources": [{"source_id": "docket", "outlet": "Docket", "kind": "SOURCE_KIND_COURT"}],
    }
    measure = {
        "measure_id": MEASURES[0],
        "description": "Levy",
        "status": "MEASURE_STATUS_IN_FORCE",
        "imposed_by": [PARTIES[0]],
        "report": undated,
    }
    dockets = [
        {"case_id": case_id, "case_name": f"{case_id.title()} v. United States", "court": "Court"}
        for case_id in CASES
    ]
    return [
        Development("TariffMeasureChanged", measure, "litigated-measure"),
        *(Development("CourtCaseDocketed", {**d, "report": undated}, f"docket-{d['case_id']}")
          for d in dockets),
    ]  # fmt: skip


@st.composite
def negotiations(draw: st.DrawFn, size: int = 12) -> list[Development]:
    """The developments of a generated negotiation after its opening and its people; half of
    them start with a measure under litigation (`litigation`)."""
    drawn = draw(st.lists(development_payloads(), min_size=1, max_size=size))
    preamble = litigation() if draw(st.booleans()) else []
    developments = [Development(k, payload, f"dev-{n}") for n, (k, payload) in enumerate(drawn)]
    return [*preamble, *developments]


@st.composite
def later_developments(
    draw: st.DrawFn, after: date, targets: list[str], size: int = 6
) -> list[Development]:
    """Developments that count only after `after`: new facts, corroborations and stances.

    `targets` are development ids the corroborations, disputes and confirmations may name.
    """
    found = []
    for n in range(draw(st.integers(1, size))):
        tag = f"late{n}-"
        if targets and draw(st.integers(0, 3)) == 0:
            kind = draw(st.sampled_from(["SourceAttached", *STANCES]))
            payload: dict[str, Any] = {
                "corrects": [draw(st.sampled_from(targets))],
                "report": draw(reports(after, tag)),
            }
            if kind in STANCES:
                payload["party_id"] = draw(st.sampled_from(PARTIES))
            if kind == "AccountDisputed":
                payload["account"] = "It did not happen that way."
        else:
            kind, payload = draw(development_payloads(after, tag))
        found.append(Development(kind, payload, f"late-{n}"))
    return found


def event_id(negotiation_id: str, development_id: str) -> uuid.UUID:
    """Return the event id of a development, as story files derive it."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{negotiation_id}/{development_id}")


def with_event_ids(negotiation_id: str, development: Development) -> dict[str, Any]:
    """Return a development's payload with `corrects` written as event ids."""
    payload = dict(development.payload)
    if "corrects" in payload:
        payload["corrects"] = [str(event_id(negotiation_id, d)) for d in payload["corrects"]]
    return payload


def recorded(negotiation_id: str, developments: list[Development]) -> list[RecordedEvent]:
    """Return developments as the recorded events of one stream, in order, a second apart."""
    from datetime import UTC, datetime

    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        RecordedEvent(
            event_id=event_id(negotiation_id, development.development_id),
            stream=stream_for(negotiation_id),
            stream_version=version,
            position=version,
            event_type=development.event_type,
            schema_version=2 if development.event_type == "TariffMeasureChanged" else 1,
            payload=with_event_ids(negotiation_id, development),
            metadata={"development_id": development.development_id},
            record_time=start + timedelta(seconds=version),
        )
        for version, development in enumerate(developments)
    ]


RECORD_TIME_FIELDS = ("last_position", "problems", "stale")
"""Fields of a view that say what was recorded, not what was true on the date."""


def valid_time_fields(view: dict[str, Any]) -> dict[str, Any]:
    """Return a view without its record-time fields."""
    return {key: value for key, value in view.items() if key not in RECORD_TIME_FIELDS}
