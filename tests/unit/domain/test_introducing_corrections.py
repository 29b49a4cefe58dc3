"""A correction can introduce the person or organisation its corrected value refers to.

A statement first attributed to "a spokesperson" is later corrected to name the minister,
whom the negotiation never introduced: the correction carries the minister, the statement's
speaker resolves, and as of a date before the correction the view is as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from newsledger.domain.negotiation import fold, render_view
from newsledger.domain.state import NegotiationState
from tests.support.builders import SOURCE, Stream, report
from tests.support.negotiation_strategies import valid_time_fields
from tests.support.story_views import recorded_story, view_at

MINISTER = {
    "person_id": "wang-wentao",
    "name": "Wang Wentao",
    "kind": "PERSON_KIND_PERSON",
    "party_id": "cn",
    "office": "Commerce Minister",
}


def attributed_to_a_spokesperson() -> tuple[Stream, str]:
    """Return a negotiation whose statement (10 June) is by a spokesperson, and its event id."""
    stream = Stream().opened().person("spokesperson", "cn")
    said = stream.add(
        "StatementMade",
        {"statement_id": "remarks", "speaker_id": "spokesperson",
         "kind": "STATEMENT_KIND_REMARK", "report": report()},
        "remarks",
    )  # fmt: skip
    return stream, str(said.event_id)


def correction(event_id: str, **extra: Any) -> dict[str, Any]:
    """Return a FactCorrected naming the minister as the speaker, published 20 June."""
    published = {**SOURCE, "source_id": "wire-2", "published_date": "2025-06-20"}
    occurred = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-20"}
    return {
        "corrects": [event_id],
        "field": "speaker_id",
        "value": "wang-wentao",
        "reason": "The remarks were the minister's.",
        "report": report(occurred=occurred, sources=[published]),
        **extra,
    }


def folded(stream: Stream) -> NegotiationState:
    state = fold(stream.events)
    assert state is not None
    return state


def test_the_correction_introduces_the_minister_and_the_statement_names_him() -> None:
    stream, said = attributed_to_a_spokesperson()
    stream.add("FactCorrected", correction(said, introduces=[MINISTER]), "named")
    state = folded(stream)

    assert not state.problems
    view = render_view(state, date(2025, 6, 30))
    (statement,) = view["statements"]
    assert statement["speaker_id"] == "wang-wentao"
    minister = {p["person_id"]: p for p in view["people"]}["wang-wentao"]
    assert minister["name"] == "Wang Wentao" and minister["party_id"] == "cn"
    assert minister["roles"][0]["office"] == "Commerce Minister"
    assert minister["roles"][0]["provenance"]["development_ids"] == ["named"]


def test_as_of_a_date_before_the_correction_the_view_is_as_before() -> None:
    stream, said = attributed_to_a_spokesperson()
    before = valid_time_fields(render_view(folded(stream), date(2025, 6, 15)))
    stream.add("FactCorrected", correction(said, introduces=[MINISTER]), "named")
    after = valid_time_fields(render_view(folded(stream), date(2025, 6, 15)))
    assert after == before
    assert after["statements"][0]["speaker_id"] == "spokesperson"


def test_without_the_introduction_the_correction_is_refused_naming_the_minister() -> None:
    stream, said = attributed_to_a_spokesperson()
    stream.add("FactCorrected", correction(said), "named")
    (problem,) = folded(stream).problems
    assert "unknown people: wang-wentao" in problem["description"]


def test_a_correction_may_not_introduce_someone_the_negotiation_has() -> None:
    stream, said = attributed_to_a_spokesperson()
    again = {**MINISTER, "person_id": "spokesperson"}
    stream.add("FactCorrected", correction(said, introduces=[again]), "named")
    (problem,) = folded(stream).problems
    assert "introduces spokesperson, whom the negotiation already has" in problem["description"]


def test_the_story_format_example_loads_and_names_the_minister(tmp_path: Path) -> None:
    docs = (Path(__file__).parents[3] / "docs" / "story-format.md").read_text()
    example = docs.split("  - id: remarks-were-the-ministers", 1)[1].split("```", 1)[0]
    story = tmp_path / "story.yaml"
    story.write_text(STORY_HEAD + "  - id: remarks-were-the-ministers" + example, encoding="utf-8")
    view = view_at(recorded_story(story), date(2025, 6, 30))
    assert not view.get("problems")
    assert [s["speaker_id"] for s in view["statements"]] == ["wang-wentao"]


STORY_HEAD = """\
negotiation:
  id: example-talks
  title: Example talks
  parties:
    - {party_id: us, name: United States}
    - {party_id: cn, name: China}
developments:
  - id: spokesperson
    type: PersonRoleAssigned
    payload:
      person_id: commerce-spokesperson
      name: Ministry of Commerce spokesperson
      party_id: cn
      report: &report
        occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-10"}
        sources: [{source_id: wire-1, outlet: Wire, kind: SOURCE_KIND_WIRE}]
  - id: spokesperson-remarks
    type: StatementMade
    payload:
      statement_id: remarks
      speaker_id: commerce-spokesperson
      kind: STATEMENT_KIND_REMARK
      report: *report
"""
