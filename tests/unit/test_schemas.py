"""Payload validation against the developments proto: every violation names its field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from newsledger.application.errors import Violation
from newsledger.application.validation.payloads import known_event_types, validate_payload
from newsledger.domain.negotiation import NEGOTIATION_EVENT_TYPES

VALID: dict[str, Any] = {
    "talks_id": "round-1",
    "title": "Round 1",
    "format": "TALKS_FORMAT_IN_PERSON_ROUND",
    "report": {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"},
        "sources": [{"source_id": "wire-1", "outlet": "Wire", "kind": "SOURCE_KIND_WIRE"}],
    },
}


def violations_after(change: Any) -> list[Violation]:
    """Return the violations of VALID after `change` mutates a copy of it."""
    payload = copy.deepcopy(VALID)
    change(payload)
    return validate_payload("TalksHeld", 1, payload)


def test_a_valid_payload_has_no_violations() -> None:
    """Given a complete TalksHeld payload, nothing is reported."""
    assert validate_payload("TalksHeld", 1, VALID) == []


def test_schema_types_are_exactly_the_types_the_fold_understands() -> None:
    """Given the proto and the domain, both name the same event types."""
    assert known_event_types() == NEGOTIATION_EVENT_TYPES


def test_unknown_type_and_unsupported_version_are_named() -> None:
    """Given a made-up type or version 9, the violation names event_type or schema_version."""
    assert validate_payload("Nope", 1, {})[0].field == "event_type"
    assert validate_payload("TalksHeld", 9, VALID)[0].field == "schema_version"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda p: p.update(venue="x"), "venue", "unknown field"),
        (lambda p: p.update(title=7), "title", "must be a string"),
        (lambda p: p.pop("title"), "title", "required"),
        (lambda p: p.update(format="TALKS_FORMAT_UNSPECIFIED"), "format", "required"),
        (lambda p: p.update(format="PHONE"), "format", "must be one of"),
        (lambda p: p["report"]["sources"][0].pop("outlet"), "report.sources[0].outlet", "required"),
        (lambda p: p["report"].update(sources=[]), "report.sources", "required"),
        (
            lambda p: p["report"]["occurred"].update(start_date="2025-02-30"),
            "report.occurred.start_date",
            "YYYY-MM-DD",
        ),
        (
            lambda p: p["report"]["occurred"].update(start_time="yesterday"),
            "report.occurred.start_time",
            "RFC 3339",
        ),
        (
            lambda p: p["report"]["occurred"].update(time_zone="Mars/Base"),
            "report.occurred.time_zone",
            "IANA",
        ),
        (
            lambda p: p["report"]["sources"][0].update(quotes={}),
            "report.sources[0].quotes",
            "must be a list",
        ),
        (lambda p: p.update(talks_id="Round 1"), "talks_id", "slug"),
        (lambda p: p.update(location={"venue": 1.5}), "location.venue", "floats are not allowed"),
    ],
)
def test_each_violation_names_its_field(change: Any, field: str, words: str) -> None:
    """Given one defect, exactly that field is named with what is wrong."""
    violations = violations_after(change)
    assert [v.field for v in violations] == [field]
    assert words in violations[0].description


def test_floats_are_rejected_even_where_numbers_are_allowed() -> None:
    """Given a float in an int field or a figure, the violation asks for a decimal string."""
    payload = {
        "truce_id": "t",
        "name": "T",
        "duration_days": 90.0,
        "report": VALID["report"],
    }
    violations = validate_payload("TruceAgreed", 1, payload)
    assert violations == [
        Violation("duration_days", "floats are not allowed: write figures as decimal strings")
    ]
    moved = {
        "reaction_id": "r",
        "report": VALID["report"],
        "moves": [{"market": "Tokyo", "direction": "DIRECTION_UP", "change_percent": 1.2}],
    }
    assert validate_payload("MarketMoved", 1, moved)[0].field == "moves[0].change_percent"


def test_decimal_strings_and_int64_strings_are_accepted_bad_decimals_are_not() -> None:
    """Given "2.3" as a figure it passes; "2,3" is named as not a decimal string."""
    move = {"market": "Tokyo", "direction": "DIRECTION_UP", "change_percent": "2.3"}
    ok = {"reaction_id": "r", "report": VALID["report"], "moves": [move]}
    assert validate_payload("MarketMoved", 1, ok) == []
    move["change_percent"] = "2,3"
    assert validate_payload("MarketMoved", 1, ok)[0].description.startswith("must be a decimal")


def test_all_problems_are_reported_not_just_the_first() -> None:
    """Given three defects, three violations come back."""

    def break_three(payload: dict[str, Any]) -> None:
        payload.pop("title")
        payload["format"] = "NOPE"
        payload["report"]["sources"][0]["kind"] = 3.0

    assert len(violations_after(break_three)) == 3


def test_a_bad_enum_value_lists_the_values_to_choose_from_but_unspecified() -> None:
    """Given a wrong format, the violation lists every format a writer may give, and not the
    _UNSPECIFIED placeholder, which says nothing."""
    [violation] = violations_after(lambda p: p.update(format="PHONE"))
    assert "TALKS_FORMAT_IN_PERSON_ROUND" in violation.description
    assert "TALKS_FORMAT_LEADERS_CALL" in violation.description
    assert "UNSPECIFIED" not in violation.description
