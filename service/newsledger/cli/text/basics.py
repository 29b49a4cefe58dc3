"""Building blocks of the command line's text: enum words, instants, reported times, names.

Every function takes the protobuf JSON form (proto field names), where default values are
omitted: an absent field is empty, zero or the enum's UNSPECIFIED value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.protobuf.descriptor import EnumDescriptor

View = Mapping[str, Any]

LABEL_WIDTH = 12


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


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp as protobuf JSON writes it (`...Z`, maybe fractional)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def clock_text(moment: datetime) -> str:
    """Return an instant as date and time, with seconds only when there are some."""
    return moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")


def format_instant(text: str, zone: str = "") -> str:
    """Return an instant as local time in its IANA zone, followed by UTC."""
    moment = parse_timestamp(text)
    utc = f"{clock_text(moment)} UTC"
    if not zone:
        return utc
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return f"{utc} (time zone {zone} is unknown here)"
    return f"{clock_text(local)} {local.tzname()} ({zone}) = {utc}"


QUALIFIER_WORDS = {"DATE_QUALIFIER_NO_LATER_THAN": "by", "DATE_QUALIFIER_APPROXIMATELY": "about"}
"""The word a qualified time is shown after: "by 2025-08-01", "about 2025-08-01"."""


def format_reported_time(reported: View | None) -> str:
    """Return a reported time as precisely as the sources give it, never more, qualified
    as the source qualifies it ("by 2025-08-01", "about August 2025")."""
    if not reported:
        return "date unknown"
    text = _reported_time_text(reported)
    word = QUALIFIER_WORDS.get(str(reported.get("qualifier", "")))
    return f"{word} {text}" if word and not text.startswith("date unknown") else text


def _reported_time_text(reported: View) -> str:
    """Return a reported time as precisely as the sources give it, unqualified."""
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


class Names:
    """Display names of the view's parties, people and things, looked up by id."""

    def __init__(self, view: View) -> None:
        self.parties: dict[str, str] = {
            p["party_id"]: p.get("name", p["party_id"]) for p in list_of(view, "parties")
        }
        self.people: dict[str, str] = {
            p["person_id"]: p.get("name", p["person_id"]) for p in list_of(view, "people")
        }
        truce = view.get("truce") or {}
        things: dict[str, str] = {truce.get("truce_id", ""): truce.get("name", "")}
        things |= {o["outcome_id"]: o.get("name", "") for o in list_of(view, "outcomes")}
        things |= {t["talks_id"]: t.get("title", "") for t in list_of(view, "talks")}
        things |= {i["issue_id"]: i.get("title", "") for i in list_of(view, "issues")}
        self.things = {key: name for key, name in things.items() if key and name}

    def party(self, party_id: str) -> str:
        return self.parties.get(party_id, party_id)

    def person(self, person_id: str) -> str:
        return self.people.get(person_id, person_id)

    def thing(self, thing_id: str) -> str:
        return self.things.get(thing_id, thing_id)


def list_of(record: View, key: str) -> list[Any]:
    """Return the record's repeated field key as a list (absent means empty)."""
    return list(record.get(key) or [])


def joined(items: Iterable[str]) -> str:
    """Join the non-empty items with commas."""
    return ", ".join(item for item in items if item)


def field(label: str, text: str, indent: str = "") -> str:
    """Return a labelled line, the label padded to the label column."""
    return f"{indent}{label}".ljust(LABEL_WIDTH) + text
