"""The readable output of `newsledger state`, `negotiations` and `events`, over the seed story."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import EnumDescriptor

from newsledger.cli.text.basics import enum_words, format_instant
from newsledger.cli.text.output import format_event, format_negotiations, format_view
from newsledger.cli.text.timeline import format_timeline
from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import fold, render_view
from newsledger.domain.state import NegotiationState
from newsledger.stories.story_file import load_story
from newsledger.v1 import developments_pb2, negotiation_view_pb2
from tests.support.paths import SEED_STORY

SEED_TITLE = "US\u2013China trade negotiation, 2025"
ENUM_CONSTANT = re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b")
ALL_ENUMS = [
    enum
    for module in (developments_pb2, negotiation_view_pb2)
    for enum in module.DESCRIPTOR.enum_types_by_name.values()
]


def seed_events(*extra: tuple[str, dict[str, Any]]) -> list[RecordedEvent]:
    """Return the seed story's events as recorded in order, then any extra (type, payload)."""
    story = load_story(SEED_STORY)
    contents = [(e.event_id, e.event_type, e.payload, e.metadata) for e in story.events]
    contents += [(uuid.uuid4(), kind, payload, {}) for kind, payload in extra]
    return [
        RecordedEvent(
            event_id=event_id,
            stream=story.stream,
            stream_version=version,
            position=version + 1,
            event_type=event_type,
            schema_version=1,
            payload=payload,
            metadata=metadata,
            record_time=datetime(2025, 6, 11, 12, 0, tzinfo=UTC),
        )
        for version, (event_id, event_type, payload, metadata) in enumerate(contents)
    ]


@cache
def seed_state() -> NegotiationState:
    state = fold(seed_events())
    assert state is not None
    return state


def seed_view(as_of: date = date(2025, 6, 11)) -> dict[str, Any]:
    return render_view(seed_state(), as_of)


def seed_text(as_of: date = date(2025, 6, 11)) -> str:
    return format_view(seed_view(as_of))


def block(text: str, heading: str) -> str:
    """Return the lines of one section, from its heading to the next blank line."""
    start = text.index(f"\n{heading}\n")
    end = text.find("\n\n", start + 1)
    return text[start + 1 : end if end != -1 else len(text)]


def snake_case(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).upper()


class TestEnumWords:
    @pytest.mark.parametrize(
        ("value", "enum", "words"),
        [
            (
                "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE",
                negotiation_view_pb2.NegotiationPhase.DESCRIPTOR,
                "agreed in principle",
            ),
            ("OUTCOME_STATUS_NO_OUTCOME", developments_pb2.OutcomeStatus.DESCRIPTOR, "no outcome"),
            (
                "NEXT_ROUND_STATUS_NOT_SCHEDULED",
                developments_pb2.NextRoundStatus.DESCRIPTOR,
                "not scheduled",
            ),
            ("MEASURE_STATUS_IN_FORCE", developments_pb2.MeasureStatus.DESCRIPTOR, "in force"),
            (5, negotiation_view_pb2.NegotiationPhase.DESCRIPTOR, "agreed in principle"),
            (None, developments_pb2.IssueStatus.DESCRIPTOR, "unspecified"),
        ],
    )
    def test_the_enums_own_prefix_is_stripped(
        self, value: str | int | None, enum: EnumDescriptor, words: str
    ) -> None:
        """Given a value of a named enum, its words are the value without the enum's prefix."""
        assert enum_words(value, enum) == words

    @pytest.mark.parametrize("enum", ALL_ENUMS, ids=lambda enum: enum.name)
    def test_every_value_of_every_enum_loses_exactly_its_type_name(
        self, enum: EnumDescriptor
    ) -> None:
        """Given any enum of the API, each value reads as its name minus the enum's type name."""
        prefix = snake_case(enum.name) + "_"
        for value in enum.values:
            words = enum_words(value.name, enum)
            assert prefix + words.replace(" ", "_").upper() == value.name

    def test_a_value_of_another_enum_is_reported_unknown_not_mangled(self) -> None:
        """Given a value that is not in the enum, the output says so instead of guessing."""
        words = enum_words("OUTCOME_STATUS_SIGNED", developments_pb2.IssueStatus.DESCRIPTOR)
        assert words == "unknown IssueStatus OUTCOME_STATUS_SIGNED"


class TestStateOfTheSeedStory:
    def test_the_header_names_title_parties_and_phase_in_words(self) -> None:
        """Given the seed story as of 11 June 2025, the head of the output reads plainly."""
        head = seed_text().splitlines()[:4]
        assert head == [
            f"{SEED_TITLE}  (us-china-trade-2025)",
            "as of       2025-06-11, through log position #47",
            "parties     United States (us), China (cn)",
            "phase       agreed in principle",
        ]

    def test_no_enum_constant_leaks_into_the_text(self) -> None:
        """Given the whole seed view, no UPPER_SNAKE enum name appears anywhere."""
        assert ENUM_CONSTANT.findall(seed_text()) == []

    def test_the_truce_deadline_is_local_time_in_its_zone_and_utc_with_days_remaining(
        self,
    ) -> None:
        """Given the Geneva truce ending 00:01 EDT on 12 August, the countdown is 62 days."""
        text = seed_text()
        assert (
            "truce       Geneva 90-day tariff suspension (90 days, agreed 2025-05-12, in Geneva)"
            in (text)
        )
        assert (
            "  deadline  2025-08-12 00:01 EDT (America/New_York) = 2025-08-12 04:01 UTC\n"
            "            62 days remaining as of 2025-06-11\n"
        ) in text

    @pytest.mark.parametrize(
        ("as_of", "countdown"),
        [
            (date(2025, 8, 10), "2 days remaining as of 2025-08-10"),
            (date(2025, 8, 11), "91 days remaining as of 2025-08-11"),
            (date(2026, 11, 10), "0 days remaining as of 2026-11-10"),
            (date(2026, 11, 11), "expired (deadline passed before 2026-11-11)"),
        ],
    )
    def test_the_countdown_follows_the_query_date(self, as_of: date, countdown: str) -> None:
        """Given later query dates, the countdown shrinks, moves with each extension (11 August
        2025 to 10 November 2025, 4 November 2025 to 10 November 2026) and finally says
        expired."""
        assert f"\n            {countdown}\n" in seed_text(as_of)

    def test_the_framework_outcome_shows_its_status_and_who_claims_it(self) -> None:
        """Given the London framework, it is agreed in principle, claimed by both sides."""
        assert block(seed_text(), "Outcomes").splitlines()[1:] == [
            "  - London framework to resume trade negotiations: agreed in principle",
            "      claimed by United States, China; confirmed by China",
            "      pending approval by President of the United States (United States)",
            "      pending approval by President of China (China)",
        ]

    def test_each_issue_shows_its_status_and_each_partys_position(self) -> None:
        """Given the rare-earth issue, both sides' positions appear under it by party name."""
        issues = block(seed_text(), "Issues")
        assert (
            "  - Rare earth (mineral) export licences: under discussion\n"
            "      China: China hinted it will expedite licences for rare earth exports.\n"
            '      United States: Resolving the rare earth dispute is "fundamental".\n'
        ) in issues
        assert "  - Fentanyl production: open\n      no party's position reported" in issues

    def test_the_conditional_commitment_names_its_condition(self) -> None:
        """Given the U.S. offer to ease export measures, the licence condition follows it."""
        lines = block(seed_text(), "Commitments").splitlines()
        assert lines[1].startswith("  - United States (offered): Ease export measures:")
        assert lines[2] == (
            "      condition: China begins issuing mineral export licences (China to act)"
        )

    def test_each_measure_is_listed_once_under_all_the_sides_imposing_it(self) -> None:
        """Given measures by each side and one by both, each appears once, in force first."""
        measures = block(seed_text(), "Measures, by the side imposing them").splitlines()
        expected = [
            "  United States",
            "    in force   U.S. restrictions on exports",
            "  China",
            "    in force   Chinese export licences",
            "  United States and China",
            "    suspended  Tariffs the two sides imposed",
        ]
        assert len(measures) == 1 + len(expected)
        starts = zip(measures[1:], expected, strict=True)
        assert [line[: len(start)] for line, start in starts] == expected
        assert "(tariff, above 100% on many goods; targets China, United States)" in measures[6]

    def test_statements_show_their_speaker_and_quotes(self) -> None:
        """Given the seed's statements, each shows who spoke and the words quoted."""
        statements = block(seed_text(), "Statements")
        view = seed_view()
        for item in view["statements"]:
            for quote in item.get("quotes", []):
                assert f"\u201c{quote['text']}\u201d" in statements
        assert "Howard Lutnick" in statements

    def test_the_court_case_shows_its_latest_ruling(self) -> None:
        """Given the appeals court's stay, the case shows the ruling, court, date and next step."""
        assert block(seed_text(), "Court cases").splitlines()[1:] == [
            "  - us-tariff-authority-litigation: latest ruling stay by U.S. federal appeals court,"
            " 2025-06-10",
            "      The government may continue collecting tariffs under Trump's trade authority"
            " while litigation over their legality plays out.",
            "      next: Litigation over the tariffs' legality continues.",
        ]

    def test_an_indicator_without_figures_says_so_with_its_release_date(self) -> None:
        """Given the World Bank cut the article gives no figure for, none is invented."""
        indicators = block(seed_text(), "Economic indicators").splitlines()
        assert indicators[1] == (
            "  - World Bank global growth forecast: down, no figures reported; released 2025-06-10"
        )

    def test_an_indicator_with_figures_shows_them_with_the_previous_one(self) -> None:
        """Given an indicator with figures, the figure, unit and previous figure appear."""
        view = seed_view()
        [indicator] = view["economic_context"]["indicators"]
        indicator |= {"reported_value": "2.3", "previous_value": "2.7", "unit": "percent"}
        assert "down, 2.3 percent (previously 2.7 percent); released 2025-06-10" in format_view(
            view
        )

    def test_market_reactions_say_what_moved_and_what_it_is_attributed_to(self) -> None:
        """Given Asian markets rising on the deal, the moves and the framework's name show."""
        assert block(seed_text(), "Market reactions").splitlines()[1:] == [
            "  - 2025-06-11: Tokyo up, Shanghai up, Hong Kong up",
            "      attributed to London framework to resume trade negotiations",
            "      \u201cAsian markets rose on news of the deal,"
            " amid renewed investor optimism.\u201d",
        ]

    def test_people_are_grouped_by_party_with_their_roles(self) -> None:
        """Given the delegations and an analyst, each person shows side, office and part."""
        people = block(seed_text(), "People").splitlines()
        assert (
            "  - Howard Lutnick (United States): U.S. Commerce Secretary; "
            "led the U.S. delegation at the London talks"
        ) in people
        assert people[-1] == (
            "  - Wendy Cutler: former U.S. trade negotiator, Asia Society Policy Institute; analyst"
        )

    def test_the_talks_show_who_led_them(self) -> None:
        """Given the London talks, their place, their two days and leads appear."""
        talks = block(seed_text(), "Talks").splitlines()
        london = talks.index(
            "  - London talks (in person round, Lancaster House, London,"
            " 2025-06-09 to 2025-06-10, 2 days)"
        )
        assert talks[london + 1] == "      led by Howard Lutnick, He Lifeng"

    def test_each_side_gives_its_own_readout_of_the_geneva_talks(self) -> None:
        """Given the Geneva talks, the U.S. and Chinese readouts appear, each with its outlet."""
        talks = block(seed_text(), "Talks")
        assert "readout by China: Candid, in-depth and constructive talks" in talks
        assert "readout by United States: Substantial progress" in talks
        assert "(NPR (via WBHM))" in talks

    def test_the_next_round_is_not_scheduled(self) -> None:
        """Given the article's "no formal date", the last line says the round is not scheduled."""
        assert seed_text().splitlines()[-1] == "next round  not scheduled"

    def test_a_scheduled_next_round_shows_when_and_where(self) -> None:
        """Given a round scheduled for a day in a city, both appear."""
        view = seed_view()
        view["next_round"] = {
            "status": "NEXT_ROUND_STATUS_SCHEDULED",
            "planned": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-07-01"},
            "location": {"city": "Stockholm"},
        }
        assert format_view(view).splitlines()[-1] == (
            "next round  scheduled for 2025-07-01 in Stockholm"
        )

    def test_a_fresh_view_is_not_marked_stale(self) -> None:
        """Given the seed story folded without problems, there is no STALE block."""
        assert "STALE" not in seed_text()

    def test_a_stale_view_lists_the_events_it_could_not_apply(self) -> None:
        """Given an event of a type the fold does not know, the output warns and names it."""
        state = fold(seed_events(("TreatyRatified", {"treaty_id": "x"})))
        assert state is not None
        lines = format_view(render_view(state, date(2025, 6, 11))).splitlines()
        stale = lines.index("STALE: 1 event(s) could not be applied; facts may be missing")
        assert lines[stale + 1].startswith("  - #48 TreatyRatified ")
        assert lines[stale + 1].endswith(": unknown event type TreatyRatified")

    def test_the_wire_form_of_the_view_reads_the_same(self) -> None:
        """Given the view as the CLI receives it over gRPC, the text is identical."""
        message = json_format.ParseDict(seed_view(), negotiation_view_pb2.NegotiationView())
        wire = json_format.MessageToDict(message, preserving_proto_field_name=True)
        assert format_view(wire) == seed_text()


def test_an_instant_shows_the_zones_own_offset_in_winter() -> None:
    """Given a December instant in New York, the local time is EST, five hours behind UTC."""
    assert format_instant("2025-12-01T05:00:00Z", "America/New_York") == (
        "2025-12-01 00:00 EST (America/New_York) = 2025-12-01 05:00 UTC"
    )


def test_the_negotiations_listing_has_one_line_per_negotiation() -> None:
    """Given one negotiation, its line shows id, title, parties and last log position."""
    summary = {
        "negotiation_id": "us-china-trade-2025",
        "title": SEED_TITLE,
        "parties": ["United States", "China"],
        "stream": "negotiation-us-china-trade-2025",
        "last_position": "36",
    }
    assert format_negotiations([summary]) == (
        f"us-china-trade-2025  {SEED_TITLE} (United States, China), last event #36"
    )
    assert format_negotiations([]).startswith("no negotiations recorded yet")


def test_an_event_line_shows_position_time_stream_version_type_and_development() -> None:
    """Given a recorded event as the API returns it, one line locates and names it."""
    event = {
        "event_id": "15e5b65c-826d-5fdb-882c-4c7a6117b0d4",
        "stream": "negotiation-us-china-trade-2025",
        "stream_version": "35",
        "position": "36",
        "event_type": "NextRoundStatusChanged",
        "schema_version": 1,
        "payload_json": "{}",
        "metadata_json": '{"development_id": "next-round-not-scheduled"}',
        "record_time": "2025-06-11T12:00:05.250Z",
    }
    assert format_event(event) == (
        "#36  2025-06-11 12:00:05 UTC  negotiation-us-china-trade-2025@35  "
        "NextRoundStatusChanged  next-round-not-scheduled 15e5b65c-826d-5fdb-882c-4c7a6117b0d4"
    )


def test_the_timeline_aligns_its_columns_and_sets_undated_entries_apart() -> None:
    """Given dated entries of different widths and an undated one, columns line up."""
    entries = [
        {"occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"},
         "event_type": "TalksHeld", "development_id": "a", "summary": "one"},
        {"occurred": {"precision": "DATE_PRECISION_MONTH", "start_date": "2025-05-01"},
         "event_type": "StatementMade", "development_id": "b", "summary": "two"},
        {"occurred": {"precision": "DATE_PRECISION_UNKNOWN", "phrase": "late Tuesday"},
         "event_type": "TalksHeld", "development_id": "c", "summary": "three"},
    ]  # fmt: skip
    lines = format_timeline(entries).splitlines()
    assert lines[0].index("TalksHeld") == lines[1].index("StatementMade")
    assert lines[0].index(" a: ") == lines[1].index(" b: ")
    assert lines[2:4] == ["", "Undated"]
    assert lines[4].startswith("  TalksHeld") and "c: three" in lines[4]
    assert lines[4].endswith("(reported as \u201clate Tuesday\u201d)")
