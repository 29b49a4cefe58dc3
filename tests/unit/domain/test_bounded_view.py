"""The view stays bounded: each list shows its most recent items and names the lists it cut."""

from __future__ import annotations

from datetime import date
from typing import Any

from google.protobuf import json_format

from newsledger.domain.confirmation import RegistryIndex
from newsledger.domain.negotiation import fold, fold_in_place
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import VIEW_LIST_LIMIT, render_view, statements_page
from newsledger.v1.negotiation_view_pb2 import NegotiationView
from tests.support.builders import SOURCE, Stream, report
from tests.support.paths import SEED_STORY
from tests.support.story_views import recorded_story, state_of

AS_OF = date(2025, 12, 31)


def with_statements(count: int, speakers: tuple[str, ...] = ("wendy",)) -> NegotiationState:
    stream = Stream().opened()
    for speaker in speakers:
        stream.person(speaker, "")
    for number in range(count):
        day = f"2025-06-{1 + number % 28:02d}"
        stream.add(
            "StatementMade",
            {
                "statement_id": f"s-{number:06d}",
                "speaker_id": speakers[number % len(speakers)],
                "kind": "STATEMENT_KIND_ANALYSIS",
                "report": report(
                    occurred={"start_date": day, "precision": "DATE_PRECISION_DAY"},
                    sources=[{**SOURCE, "published_date": day}],
                ),
            },
        )
    state = fold(stream.events)
    assert state is not None
    return state


def seed_state() -> NegotiationState:
    return state_of(recorded_story(SEED_STORY))


def lists_in(value: Any, path: str = "") -> dict[str, int]:
    """Return the length of every list of records in a view, by its path."""
    found: dict[str, int] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found |= lists_in(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        found[path] = len(value)
        for item in value:
            ident = next((v for k, v in item.items() if k.endswith("_id")), None)
            if isinstance(ident, str):
                found |= lists_in({k: v for k, v in item.items()}, f"{path}[{ident}]")
    return found


def test_a_view_of_many_statements_shows_the_most_recent_and_says_how_many() -> None:
    state = with_statements(VIEW_LIST_LIMIT + 50)
    view = render_view(state, AS_OF)

    shown = [s["statement_id"] for s in view["statements"]]
    assert shown == [f"s-{n:06d}" for n in range(50, VIEW_LIST_LIMIT + 50)]
    assert view["truncated_lists"] == [
        {
            "path": "statements",
            "shown": VIEW_LIST_LIMIT,
            "total": VIEW_LIST_LIMIT + 50,
            "paged_by": "ListStatements",
        }
    ]
    json_format.ParseDict(view, NegotiationView())


def test_a_small_view_is_whole_and_names_no_cut_list() -> None:
    state = with_statements(VIEW_LIST_LIMIT)
    view = render_view(state, AS_OF)
    assert len(view["statements"]) == VIEW_LIST_LIMIT
    assert "truncated_lists" not in view
    assert render_view(state, AS_OF, limit=None) == view


def test_the_total_counts_what_counts_on_the_query_date() -> None:
    state = with_statements(VIEW_LIST_LIMIT * 3)
    early = date(2025, 6, 10)
    whole = render_view(state, early, limit=None)["statements"]
    view = render_view(state, early)
    assert view["truncated_lists"][0]["total"] == len(whole) > VIEW_LIST_LIMIT
    assert {s["statement_id"] for s in view["statements"]} <= {s["statement_id"] for s in whole}


BOUNDED_ELSEWHERE = (
    *("parties", "measures_in_force", ".positions", ".moves", ".quotes"),
    *(".schedule", ".terms", ".equivalents", ".components"),
)
"""Lists bounded by the parties or by one development's size, which the view never cuts."""


def test_every_list_is_cut_to_the_limit_and_each_cut_is_named_with_its_total() -> None:
    state = seed_state()
    whole = lists_in(render_view(state, AS_OF, limit=None))
    view = render_view(state, AS_OF, limit=1)
    notes = {note["path"]: note for note in view.pop("truncated_lists")}
    cut = {p: n for p, n in lists_in(view).items() if not p.endswith(BOUNDED_ELSEWHERE)}

    assert max(cut.values()) == 1
    long_lists = {
        path
        for path, length in whole.items()
        if length > 1 and not path.endswith(BOUNDED_ELSEWHERE)
    }
    long_lists = {path for path in long_lists if "[" not in path or path in cut}
    assert long_lists == set(notes)
    for path in long_lists:
        assert notes[path]["total"] == whole[path]
        assert notes[path]["shown"] == 1


def test_histories_inside_records_keep_their_newest_entries() -> None:
    stream = Stream().opened()
    for _ in range(VIEW_LIST_LIMIT + 5):
        stream.person("wendy", "us")
    state = fold(stream.events)
    assert state is not None
    view = render_view(state, AS_OF)
    roles = view["people"][0]["roles"]
    assert len(roles) == VIEW_LIST_LIMIT
    assert view["truncated_lists"] == [
        {
            "path": "people[wendy].roles",
            "shown": VIEW_LIST_LIMIT,
            "total": VIEW_LIST_LIMIT + 5,
            "paged_by": "ListTimelineEntries",
        }
    ]


def test_what_is_computed_from_a_list_uses_all_of_it() -> None:
    state = seed_state()
    whole = render_view(state, AS_OF, limit=None)
    cut = render_view(state, AS_OF, limit=1)
    for name in ("phase", "measures_in_force", "legal_status"):
        if name == "legal_status":
            assert cut[name].get("latest_ruling") == whole[name].get("latest_ruling")
        else:
            assert cut[name] == whole[name]


def test_statement_pages_go_newest_first_and_cover_every_statement_once() -> None:
    state = with_statements(250, speakers=("wendy", "lutnick"))
    seen: list[str] = []
    offset = 0
    while True:
        page, total = statements_page(state, AS_OF, offset, 100)
        assert total == 250
        seen += [s["statement_id"] for s in page]
        offset += 100
        if offset >= total:
            break
    assert seen == [f"s-{n:06d}" for n in reversed(range(250))]
    by_wendy, total = statements_page(state, AS_OF, 0, 1000, speaker_id="wendy")
    assert total == 125 and {s["speaker_id"] for s in by_wendy} == {"wendy"}
    assert by_wendy[0]["provenance"]["confirmation"]


def test_a_kept_registry_index_renders_what_a_fresh_one_does_as_the_state_grows() -> None:
    events = recorded_story(SEED_STORY)
    index = RegistryIndex()
    state = None
    for event in events:
        state = fold_in_place([event], state)
        assert state is not None
        assert render_view(state, AS_OF, index=index) == render_view(state, AS_OF)
    assert index.registry is state.developments
    assert index.length == len(state.developments)
