"""Payloads in lowerCamelCase (what ProtoJSON printers emit) become the proto-named form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.protobuf import json_format

from newsledger.api.conversions import proposed_events
from newsledger.api.protojson_names import canonical_payload
from newsledger.application.errors import InvalidRequest, Violation
from newsledger.application.validation.payloads import EVENT_MESSAGES
from newsledger.domain.upcasting import current_version
from newsledger.stories.story_file import load_story
from newsledger.v1 import developments_pb2
from newsledger.v1 import event_store_pb2 as pb
from tests.support.paths import FIXTURE_STORIES, SEED_STORY

STORY_EVENTS = [
    event
    for path in (SEED_STORY, *sorted(FIXTURE_STORIES.glob("*.yaml")))
    for event in load_story(path).events
    if event.schema_version == current_version(event.event_type)  # older shapes are upcast
]


def printed_forms(
    event_type: str, payload: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the payload as protobuf's own printer writes it: camelCase, and proto names."""
    message = json_format.ParseDict(payload, getattr(developments_pb2, event_type)())
    return json_format.MessageToDict(message), json_format.MessageToDict(
        message, preserving_proto_field_name=True
    )


@pytest.mark.parametrize("event", STORY_EVENTS, ids=lambda e: f"{e.event_type}")
def test_every_story_payload_printed_in_camel_case_comes_back_with_proto_names(event: Any) -> None:
    """Given MessageToJson's camelCase form of a real payload, the proto-named form results."""
    camel, proto_named = printed_forms(event.event_type, dict(event.payload))
    violations: list[Violation] = []
    text = json.dumps(camel)
    assert canonical_payload(camel, text, event.event_type, "payload_json", violations) == (
        proto_named
    )
    assert violations == []


def test_the_seed_story_does_use_names_that_differ_in_camel_case() -> None:
    camel_keys = {
        key
        for event in STORY_EVENTS
        for key in json.dumps(printed_forms(event.event_type, dict(event.payload))[0]).split('"')
    }
    assert {"startDate", "sourceId", "speakerId"} <= camel_keys


def test_a_proto_named_payload_is_returned_untouched() -> None:
    event = STORY_EVENTS[0]
    payload = dict(event.payload)
    same = canonical_payload(payload, json.dumps(payload), event.event_type, "p", [])
    assert same is payload


def test_free_form_keys_are_data_and_keep_their_case() -> None:
    """Given FactCorrected's free-form `value`, its keys are data and are not renamed."""
    value_field = EVENT_MESSAGES["FactCorrected"].fields_by_name["value"]
    assert value_field.message_type.full_name == "google.protobuf.Value"
    payload = {"field": "items[0]", "value": {"startDate": "x"}, "reason": "r", "corrects": []}
    payload["report"] = {"sources": [{"sourceId": "s"}]}
    out = canonical_payload(payload, json.dumps(payload), "FactCorrected", "p", [])
    assert out["value"] == {"startDate": "x"}
    assert out["report"] == {"sources": [{"source_id": "s"}]}


def test_a_field_under_both_names_is_refused_naming_both() -> None:
    payload = {"statement_id": "a", "statementId": "b"}
    violations: list[Violation] = []
    canonical_payload(
        payload, json.dumps(payload), "StatementMade", "events[0].payload_json", violations
    )
    assert violations == [
        Violation(
            "events[0].payload_json.statement_id", "is given twice, as statement_id and statementId"
        )
    ]


def test_an_append_request_in_camel_case_converts_to_the_proto_named_event() -> None:
    event = STORY_EVENTS[1]
    camel, proto_named = printed_forms(event.event_type, dict(event.payload))
    message = pb.ProposedEvent(
        event_id=str(event.event_id), event_type=event.event_type, payload_json=json.dumps(camel)
    )
    (converted,) = proposed_events([message])
    assert converted.payload == proto_named
    both = pb.ProposedEvent(
        event_id=str(event.event_id),
        event_type=event.event_type,
        payload_json=json.dumps({**camel, **proto_named}),
    )
    with pytest.raises(InvalidRequest):
        proposed_events([both])
