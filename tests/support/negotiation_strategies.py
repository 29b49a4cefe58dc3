"""Hypothesis strategies for whole negotiations: developments of many types on random dates.

A negotiation is a list of `Development`s (event type, payload, development id) that refer
to each other through small pools of ids, so later ones restate, move, rename, rule on,
corroborate, dispute and confirm earlier ones. Every payload is valid for the contract; a
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
             "PersonRoleAssigned", "NegotiationRetitled", "ApprovalRequired",
             "AgreementApproved", "TalksScheduled", "TalksPostponed", "TalksReadoutIssued",
             "TruceSuspensionsAdded", "DeadlineExtended"]
        )
    )  # fmt: skip
    effect_dated = ("TariffMeasureChanged", "TruceAgreed", "DeadlineSet", "TruceSuspensionsAdded")
    if kind in effect_dated and draw(st.booleans()):
        report["effective"] = _day(occurred + timedelta(days=draw(st.integers(0, 60))))
    if kind == "TariffMeasureChanged":
        payload: dict[str, Any] = {
            "measure_id": draw(st.sampled_from(MEASURES)),
            "description": f"Levy {draw(st.sampled_from(NAMES))}",
            "status": draw(st.sampled_from(STATUSES)),
            "imposed_by": [draw(st.sampled_from(PARTIES))],
            "rate_percent": str(draw(st.integers(1, 150))),
        }
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
            "case_id": "case",
            "case_name": f"{draw(st.sampled_from(NAMES))} v. United States",
            "court": "Court",
            "kind": draw(st.sampled_from(["COURT_RULING_KIND_STAY", "COURT_RULING_KIND_VACATE"])),
            "holding": f"Holding {draw(st.integers(0, 99))}",
        }
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


@st.composite
def negotiations(draw: st.DrawFn, size: int = 12) -> list[Development]:
    """The developments of a generated negotiation after its opening and its people."""
    drawn = draw(st.lists(development_payloads(), min_size=1, max_size=size))
    return [Development(kind, payload, f"dev-{n}") for n, (kind, payload) in enumerate(drawn)]


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
