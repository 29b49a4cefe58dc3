"""Later story files continue a negotiation; every file is checked whole before it is written.

On each backend, through the application as `serve --ingest` loads files.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.application.errors import InvalidRequest
from newsledger.bootstrap import build_application
from newsledger.store.event_store import EventStore
from newsledger.store.records import ProposedEvent
from newsledger.stories.ingest import IngestInterrupted, ingest_story_in_process
from newsledger.stories.plan import NegotiationNotRecorded
from newsledger.stories.story_file import StoryFileError, event_id_for
from tests.support.paths import SEED_NEGOTIATION, SEED_STORY
from tests.support.payloads import opened, statement

CONTINUATION = f"""\
continues: {SEED_NEGOTIATION}
developments:
  - id: lutnick-after-london
    type: StatementMade
    payload:
      statement_id: lutnick-after-london
      speaker_id: howard-lutnick          # introduced by the seed file
      kind: STATEMENT_KIND_REMARK
      about_ids: [london-talks]           # talks recorded by the seed file
      report:
        occurred: {{precision: DATE_PRECISION_DAY, start_date: "2025-06-20"}}
        sources: [{{source_id: wire-0620, outlet: Example Wire, kind: SOURCE_KIND_WIRE,
                    published_date: "2025-06-20",
                    quotes: [{{speaker_id: howard-lutnick, text: "We are moving ahead",
                               verbatim: true}}]}}]
  - id: london-talks-corroborated
    type: SourceAttached
    corrects: [london-talks]              # a development of the seed file
    payload:
      report:
        occurred: {{precision: DATE_PRECISION_DAY, start_date: "2025-06-21"}}
        sources: [{{source_id: desk-0621, outlet: Example Desk, kind: SOURCE_KIND_OTHER}}]
"""


@pytest.fixture
def app(engine: Engine) -> Application:
    return build_application(EventStore(engine))


@pytest.fixture
def seeded(app: Application) -> Application:
    report = ingest_story_in_process(app.ledger, SEED_STORY)
    assert report.new == report.events
    return app


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stream_length(app: Application, stream: str = f"negotiation-{SEED_NEGOTIATION}") -> int:
    version = app.store.stream_version(stream)
    return 0 if version is None else version + 1


def test_a_continuation_file_extends_the_negotiation_and_loads_again_as_a_no_op(
    seeded: Application, tmp_path: Path
) -> None:
    """Given the seed, a later file adds a statement and a correction naming seed developments."""
    before = stream_length(seeded)
    path = write(tmp_path, "june-20.yaml", CONTINUATION)

    first = ingest_story_in_process(seeded.ledger, path)
    again = ingest_story_in_process(seeded.ledger, write(tmp_path, "copy.yaml", CONTINUATION))

    assert (first.new, first.already_recorded) == (2, 0)
    assert (again.new, again.already_recorded) == (0, 2)
    assert "nothing new written" in str(again)
    assert stream_length(seeded) == before + 2
    view = seeded.queries.view(SEED_NEGOTIATION, date(2025, 6, 30))
    assert view.get("problems", []) == [] and not view.get("stale")
    said = [s for s in view["statements"] if s["statement_id"] == "lutnick-after-london"]
    assert said and said[0]["speaker_id"] == "howard-lutnick"


def test_a_renamed_copy_of_the_seed_writes_nothing(seeded: Application, tmp_path: Path) -> None:
    """Given the seed again under another name, its identical header and entries are skipped."""
    before = stream_length(seeded)
    copy = write(tmp_path, "renamed.yaml", SEED_STORY.read_text(encoding="utf-8"))
    report = ingest_story_in_process(seeded.ledger, copy)
    assert (report.new, report.already_recorded) == (0, report.events)
    assert stream_length(seeded) == before


def test_a_header_that_differs_names_the_field_and_says_to_continue_instead(
    seeded: Application, tmp_path: Path
) -> None:
    text = SEED_STORY.read_text(encoding="utf-8").replace(
        "title: US\u2013China trade negotiation, 2025", "title: Another title", 1
    )
    with pytest.raises(StoryFileError) as raised:
        ingest_story_in_process(seeded.ledger, write(tmp_path, "retitled.yaml", text))
    (problem,) = raised.value.problems
    assert problem.startswith("retitled.yaml:")
    assert "negotiation.title: differs from negotiation us-china-trade-2025's recorded" in problem
    assert f"replace the header with `continues: {SEED_NEGOTIATION}`" in problem


def test_a_recorded_development_with_other_content_names_file_line_id_field_and_remedy(
    seeded: Application, tmp_path: Path
) -> None:
    """Given a reused id without the phrase, the error points at the phrase and writes nothing."""
    before = stream_length(seeded)
    text = (
        f"continues: {SEED_NEGOTIATION}\n"
        "developments:\n"
        "  - id: next-round-not-scheduled\n"
        "    type: NextRoundStatusChanged\n"
        "    payload:\n"
        "      status: NEXT_ROUND_STATUS_NOT_SCHEDULED\n"
        "      report:\n"
        '        occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-11"}\n'
        "        sources: [{source_id: w, outlet: Other, kind: SOURCE_KIND_WIRE}]\n"
    )
    with pytest.raises(StoryFileError) as raised:
        ingest_story_in_process(seeded.ledger, write(tmp_path, "reused.yaml", text))
    (problem,) = raised.value.problems
    assert problem.startswith(
        "reused.yaml:8: developments[0] (next-round-not-scheduled).payload.report.occurred.phrase: "
        'differs from development next-round-not-scheduled as recorded (recorded "So far'
    )
    assert "here nothing)" in problem
    assert "add a correction" in problem and "give this entry a new id" in problem
    assert stream_length(seeded) == before


REPORT = (
    '{occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-21"}, '
    "sources: [{source_id: d, outlet: Desk, kind: SOURCE_KIND_OTHER}]}"
)


def test_a_reference_to_nothing_or_to_a_later_entry_is_named_and_nothing_is_written(
    seeded: Application, tmp_path: Path
) -> None:
    before = stream_length(seeded)
    text = (
        f"continues: {SEED_NEGOTIATION}\n"
        "developments:\n"
        "  - id: corroborate-nothing\n"
        "    type: SourceAttached\n"
        "    corrects: [no-such-talks]\n"
        f"    payload: {{report: {REPORT}}}\n"
        "  - id: corroborate-later\n"
        "    type: SourceAttached\n"
        "    corrects: [later-talks]\n"
        f"    payload: {{report: {REPORT}}}\n"
        "  - id: later-talks\n"
        "    type: TalksHeld\n"
        "    payload: {talks_id: later-talks, title: Later, format: TALKS_FORMAT_IN_PERSON_ROUND,\n"
        f"              report: {REPORT}}}\n"
    )
    with pytest.raises(StoryFileError) as raised:
        ingest_story_in_process(seeded.ledger, write(tmp_path, "refs.yaml", text))
    assert raised.value.problems == [
        "refs.yaml:5: developments[0] (corroborate-nothing).corrects[0]: names 'no-such-talks', "
        "which negotiation us-china-trade-2025 does not hold: none is recorded and none comes "
        "earlier in this file",
        "refs.yaml:9: developments[1] (corroborate-later).corrects[0]: names 'later-talks', "
        "which comes later in this file: move this entry after it",
    ]
    assert stream_length(seeded) == before


def test_a_continuation_of_an_unrecorded_negotiation_is_not_found(
    app: Application, tmp_path: Path
) -> None:
    with pytest.raises(NegotiationNotRecorded, match="no negotiation 'us-china-trade-2025'"):
        ingest_story_in_process(app.ledger, write(tmp_path, "c.yaml", CONTINUATION))
    assert app.store.head_position() is None


def long_story(count: int, last_corrects: str) -> str:
    """Return a story of count statements whose last entry corrects last_corrects."""
    lines = [
        "negotiation: {id: long-talks, title: Long, parties: [{party_id: aa, name: A}]}",
        "developments:",
    ]
    source = "{source_id: s, outlet: W, kind: SOURCE_KIND_WIRE}"
    occurred = '{precision: DATE_PRECISION_DAY, start_date: "2025-06-11"}'
    for n in range(count - 1):
        lines += [
            f"  - id: said-{n}",
            "    type: NextRoundStatusChanged",
            "    payload: {status: NEXT_ROUND_STATUS_NOT_SCHEDULED,",
            f"              report: {{occurred: {occurred}, sources: [{source}]}}}}",
        ]
    lines += [
        "  - id: retraction",
        "    type: ReportRetracted",
        f"    corrects: [{last_corrects}]",
        f"    payload: {{reason: wrong, report: {{occurred: {occurred}, sources: [{source}]}}}}",
    ]
    return "\n".join(lines) + "\n"


def test_a_601_development_file_whose_last_correction_names_nothing_writes_nothing(
    app: Application, tmp_path: Path
) -> None:
    """Given 601 developments, the last naming a missing one, the load fails before writing."""
    path = write(tmp_path, "long.yaml", long_story(601, "no-such-statement"))
    with pytest.raises(StoryFileError, match=r"long\.yaml:\d+: developments\[600\] \(retraction\)"):
        ingest_story_in_process(app.ledger, path)
    assert app.store.head_position() is None


def test_a_load_larger_than_a_batch_stopped_part_way_says_what_it_wrote(
    app: Application, tmp_path: Path
) -> None:
    """Given a stop asked after the first batch, the error names the developments written."""
    path = write(tmp_path, "long.yaml", long_story(601, "said-0"))
    asked = iter([False, True])
    with pytest.raises(IngestInterrupted) as raised:
        ingest_story_in_process(app.ledger, path, stop=lambda: next(asked))
    assert "wrote 500 of 602 new events (developments negotiation-opened to said-498)" in str(
        raised.value
    )
    assert "load the same file again to write the rest" in str(raised.value)
    assert stream_length(app, "negotiation-long-talks") == 500

    report = ingest_story_in_process(app.ledger, path)
    assert (report.new, report.already_recorded) == (102, 500)
    assert stream_length(app, "negotiation-long-talks") == 602


class TestNegotiationStreams:
    """Appends to the negotiation namespace, through the ledger every door uses."""

    def refused(self, app: Application, stream: str, events: list[ProposedEvent]) -> str:
        head = app.store.head_position()
        with pytest.raises(InvalidRequest) as raised:
            app.ledger.append(stream, events)
        assert app.store.head_position() == head
        return str(raised.value)

    def test_a_development_before_the_opening_is_refused(self, app: Application) -> None:
        """Given no NegotiationOpened, a statement would make a ghost negotiation: refused."""
        event = ProposedEvent(uuid.uuid4(), "StatementMade", statement())
        message = self.refused(app, "negotiation-ghost", [event])
        assert "negotiation ghost is not opened" in message
        assert "first event must be NegotiationOpened" in message
        assert app.store.stream_version("negotiation-ghost") is None

    def test_an_opening_for_another_id_or_a_second_opening_is_refused(
        self, app: Application
    ) -> None:
        other = ProposedEvent(uuid.uuid4(), "NegotiationOpened", opened("elsewhere"))
        assert "must be 'talks', the id in the stream's name" in self.refused(
            app, "negotiation-talks", [other]
        )
        first = ProposedEvent(uuid.uuid4(), "NegotiationOpened", opened("talks"))
        app.ledger.append("negotiation-talks", [first])
        app.ledger.append("negotiation-talks", [first])  # an exact retry is still fine
        second = ProposedEvent(uuid.uuid4(), "NegotiationOpened", opened("talks", "Again"))
        assert "negotiation talks is already opened" in self.refused(
            app, "negotiation-talks", [second]
        )

    @pytest.mark.parametrize("stream", ["Negotiation-talks", "negotiations-talks", "negotiation_x"])
    def test_a_misspelt_negotiation_stream_is_refused(self, app: Application, stream: str) -> None:
        event = ProposedEvent(uuid.uuid4(), "StatementMade", statement())
        assert "names beginning with 'negotiation' are kept" in self.refused(app, stream, [event])

    def test_a_stream_left_without_an_opening_takes_nothing_more(self, app: Application) -> None:
        """Given a ghost stream written before the rule, appending to it is refused."""
        app.store.append(
            "negotiation-ghost", [ProposedEvent(uuid.uuid4(), "StatementMade", statement())]
        )
        event = ProposedEvent(uuid.uuid4(), "StatementMade", statement(1))
        assert "holds events but no NegotiationOpened" in self.refused(
            app, "negotiation-ghost", [event]
        )

    def test_other_streams_take_any_declared_event(self, app: Application) -> None:
        event = ProposedEvent(uuid.uuid4(), "StatementMade", statement())
        app.ledger.append("s-1", [event])
        assert app.store.stream_version("s-1") == 0


def test_the_opening_event_of_a_story_keeps_its_id(seeded: Application) -> None:
    recorded = seeded.store.events_by_id([event_id_for(SEED_NEGOTIATION, "negotiation-opened")])
    assert len(recorded) == 1


def test_the_autumn_continuation_loads_after_the_seed_with_its_figures(
    seeded: Application,
) -> None:
    """Given the seed, the shipped autumn file loads whole and its figures reach the view."""
    autumn = SEED_STORY.parent / "continuations" / "us-china-trade-2025-autumn.yaml"
    report = ingest_story_in_process(seeded.ledger, autumn)
    assert report.new == report.events > 0
    view = seeded.queries.view(SEED_NEGOTIATION, date(2025, 11, 20))
    assert view.get("problems", []) == [] and not view.get("stale")
    [soybeans] = [c for c in view["commitments"] if c["commitment_id"] == "cn-soybean-purchases"]
    assert soybeans["status"] == "COMMITMENT_STATUS_PARTIALLY_FULFILLED"
    assert soybeans["fulfilment"]["fulfilled"]["exact_value"] == "332000"
    [fees] = [m for m in view["measures"] if m["measure_id"] == "cn-special-port-fees"]
    assert fees["rate"]["equivalents"][0]["currency"] == "USD"
