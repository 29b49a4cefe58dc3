"""The fold names the developments that refer to ids the negotiation lacks, and only those."""

from __future__ import annotations

from newsledger.domain.integrity import RefusedReference
from newsledger.domain.negotiation import fold_in_place
from tests.support.builders import Stream, report


def refused_by_fold(stream: Stream, start: int) -> list[RefusedReference]:
    """Fold the stream, collecting the refusals of its events from `start` on."""
    before = fold_in_place(stream.events[:start], None)
    refused: list[RefusedReference] = []
    fold_in_place(stream.events[start:], before, refused)
    return refused


def test_a_statement_by_someone_never_introduced_is_named_with_where_and_what() -> None:
    stream = Stream().opened()
    bad = stream.add(
        "StatementMade",
        {"statement_id": "s", "speaker_id": "minister", "kind": "STATEMENT_KIND_REMARK",
         "report": report(actors=[{"actor_id": "minister", "side": "us"}])},
        "said",
    )  # fmt: skip

    (refused,) = refused_by_fold(stream, 1)

    assert refused.event_id == str(bad.event_id)
    assert refused.development_id == "said"
    assert refused.missing == ("minister",)
    assert refused.paths == ("report.actors[0].actor_id", "speaker_id")
    assert refused.description == "report refers to unknown people: minister"


def test_problems_other_than_unknown_references_are_not_refusals() -> None:
    stream = Stream().opened()
    deadline = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-09-01"}
    stream.add("DeadlineExtended", {"deadline": deadline, "report": report()}, "no-deadline")
    stream.add("CeasefireDeclared", {"report": report()}, "unknown-type")

    assert refused_by_fold(stream, 1) == []
    state = fold_in_place(stream.events, None)
    assert state is not None
    assert [p["development_id"] for p in state.problems] == ["no-deadline", "unknown-type"]


def test_what_an_earlier_event_introduces_a_later_one_may_refer_to() -> None:
    stream = Stream().opened().person("minister", "us")
    stream.add(
        "StatementMade",
        {"statement_id": "s", "speaker_id": "minister", "kind": "STATEMENT_KIND_REMARK",
         "report": report()},
        "said",
    )  # fmt: skip
    assert refused_by_fold(stream, 1) == []


def test_a_party_the_negotiation_does_not_have_is_named_in_its_field() -> None:
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        {"measure_id": "levy", "description": "Levy", "status": "MEASURE_STATUS_IN_FORCE",
         "imposed_by": ["us"], "targets": ["eu"], "report": report()},
        "levy",
    )  # fmt: skip
    (refused,) = refused_by_fold(stream, 1)
    assert refused.paths == ("targets[0]",) and refused.missing == ("eu",)


def test_a_merge_that_leaves_a_reference_dangling_is_named_at_what_it_corrects() -> None:
    stream = Stream().opened().person("alice", "us").person("alicia", "us")
    stream.add(
        "StatementMade",
        {"statement_id": "s", "speaker_id": "alicia", "kind": "STATEMENT_KIND_REMARK",
         "report": report()},
        "said",
    )  # fmt: skip
    duplicate, into = (str(e.event_id) for e in stream.events[2:0:-1])
    stream.add(
        "DuplicatesMerged",
        {"corrects": [duplicate], "into_event_id": into, "report": report()},
        "merged",
    )
    (refused,) = refused_by_fold(stream, 4)
    assert refused.development_id == "merged"
    assert refused.paths == ("corrects",) and refused.missing == ("alicia",)
    assert refused.description.startswith("then said no longer applies")
