"""Organisations as actors: a ministry, an agency or a commission speaks like a person."""

from __future__ import annotations

from datetime import date

from newsledger.application.validation.payloads import validate_payload
from newsledger.cli.text.basics import Names
from newsledger.cli.text.records import person
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report

COMMISSION = {
    "person_id": "mofcom",
    "name": "Ministry of Commerce",
    "party_id": "cn",
    "office": "trade ministry",
    "kind": "PERSON_KIND_ORGANISATION",
    "report": report(),
}


def test_an_organisation_is_a_valid_person_record() -> None:
    assert validate_payload("PersonRoleAssigned", 1, COMMISSION) == []


def test_an_organisation_speaks_and_the_view_says_what_it_is() -> None:
    stream = Stream().opened().person("lutnick", "us")
    stream.add("PersonRoleAssigned", COMMISSION)
    quote = {"speaker_id": "mofcom", "text": "China will fight to the end", "verbatim": True}
    source = {"source_id": "x", "outlet": "Xinhua", "kind": "SOURCE_KIND_STATE_MEDIA"}
    stream.add(
        "StatementMade",
        {
            "statement_id": "fight",
            "speaker_id": "mofcom",
            "kind": "STATEMENT_KIND_REMARK",
            "report": report(
                sources=[{**source, "quotes": [quote]}],
                actors=[{"actor_id": "mofcom", "role": "ACTOR_ROLE_SPOKESPERSON", "side": "cn"}],
            ),
        },
    )
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    assert state.problems == []

    view = render_view(state, date(2025, 7, 1))
    people = {p["person_id"]: p for p in view["people"]}
    assert people["mofcom"]["kind"] == "PERSON_KIND_ORGANISATION"
    assert "kind" not in people["lutnick"]
    assert view["statements"][0]["speaker_id"] == "mofcom"
    assert person(people["mofcom"], Names(view)) == [
        "Ministry of Commerce (China, organisation): trade ministry"
    ]
    assert person(people["lutnick"], Names(view)) == ["Lutnick (United States): Minister"]
