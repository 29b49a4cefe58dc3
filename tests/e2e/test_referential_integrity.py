"""AppendEvents refuses developments that refer to ids their negotiation does not have.

Through a real server on each backend: the refusal names the event, the field and the
missing id, and nothing of the batch is written; what may refer forward within a batch,
corrections, free-form streams and replays of recorded events stay possible.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import grpc
import pytest

from newsledger.application.app import Application
from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.projections.rebuild import views_differing_from_rebuild
from newsledger.store.records import ProposedEvent
from newsledger.v1 import event_store_pb2 as es
from tests.support.payloads import opened, report, statement

NEGOTIATION = "integrity-talks"
STREAM = f"negotiation-{NEGOTIATION}"


def event(event_type: str, payload: dict[str, Any], development_id: str) -> es.ProposedEvent:
    """Return a proposed event with a fresh id and its development id in the metadata."""
    return proposed(
        str(uuid.uuid4()), event_type, payload, metadata={"development_id": development_id}
    )


def person(person_id: str = "speaker") -> dict[str, Any]:
    """Return a PersonRoleAssigned introducing `person_id` for the United States."""
    return {"person_id": person_id, "name": "A Speaker", "party_id": "us", "report": report()}


def truce(measure_id: str) -> dict[str, Any]:
    """Return a TruceAgreed suspending one measure."""
    return {
        "truce_id": "truce",
        "name": "Truce",
        "suspended_measure_ids": [measure_id],
        "report": report(),
    }


@pytest.fixture
def negotiation(client: LedgerClient) -> LedgerClient:
    client.append(STREAM, [event("NegotiationOpened", opened(NEGOTIATION), "opened")])
    return client


def refused(call: Any) -> ApiError:
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value


def test_a_statement_by_a_speaker_never_introduced_is_refused_naming_the_reference(
    negotiation: LedgerClient,
) -> None:
    before = negotiation.read_log()
    bad = event("StatementMade", statement(1), "unknown-speaker")

    error = refused(lambda: negotiation.append(STREAM, [bad]))

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "UNKNOWN_REFERENCE"
    assert error.metadata["event_id"] == bad.event_id
    assert error.metadata["development_id"] == "unknown-speaker"
    assert error.metadata["field"] == "report.sources[0].quotes[0].speaker_id"
    assert error.metadata["missing_ids"] == "speaker"
    assert error.violations == (
        (
            "events[0].payload_json.report.sources[0].quotes[0].speaker_id",
            "report refers to unknown people: speaker",
        ),
        ("events[0].payload_json.speaker_id", "report refers to unknown people: speaker"),
    )
    assert "speaker" in error.message
    assert negotiation.read_log() == before


def test_a_truce_suspending_a_measure_never_imposed_is_refused_and_nothing_is_written(
    negotiation: LedgerClient, app: Application
) -> None:
    before = negotiation.read_log()
    good = event("StatementMade", statement(1), "statement")
    batch = [event("PersonRoleAssigned", person(), "person"), good]
    batch.append(event("TruceAgreed", truce("no-such-measure"), "truce"))

    error = refused(lambda: negotiation.append(STREAM, batch))

    assert error.reason == "UNKNOWN_REFERENCE"
    assert error.metadata["event_index"] == "2"
    assert error.metadata["field"] == "suspended_measure_ids[0]"
    assert error.metadata["missing_ids"] == "no-such-measure"
    assert [field for field, _ in error.violations] == [
        "events[2].payload_json.suspended_measure_ids[0]"
    ]
    assert negotiation.read_log() == before
    view = negotiation.negotiation(NEGOTIATION, as_of="2025-06-30").view
    assert not view.people and not view.statements and not view.stale
    # The refused append left nothing behind in the state the server keeps either.
    negotiation.append(STREAM, batch[:2])
    assert [p.person_id for p in negotiation.negotiation(NEGOTIATION).view.people] == ["speaker"]
    assert views_differing_from_rebuild(app.store) == []


def test_every_refused_event_of_a_batch_is_named(negotiation: LedgerClient) -> None:
    batch = [
        event("StatementMade", statement(1), "first"),
        event("TruceAgreed", truce("levy"), "second"),
    ]
    error = refused(lambda: negotiation.append(STREAM, batch))
    fields = [field for field, _ in error.violations]
    assert "events[0].payload_json.speaker_id" in fields
    assert "events[0].payload_json.report.sources[0].quotes[0].speaker_id" in fields
    assert "events[1].payload_json.suspended_measure_ids[0]" in fields
    assert error.metadata["refused_events"] == "2"


def test_a_batch_may_introduce_what_its_later_events_refer_to(negotiation: LedgerClient) -> None:
    batch = [
        event("PersonRoleAssigned", person(), "person"),
        event("StatementMade", statement(1), "statement"),
    ]
    response = negotiation.append(STREAM, batch)
    assert not response.already_recorded
    view = negotiation.negotiation(NEGOTIATION, as_of="2025-06-30").view
    assert [s.speaker_id for s in view.statements] == ["speaker"] and not view.stale


def test_a_correction_naming_a_person_never_introduced_is_refused(
    negotiation: LedgerClient,
) -> None:
    introduced = event("PersonRoleAssigned", person(), "person")
    envoy = event("PersonRoleAssigned", person("envoy"), "envoy")
    said = event("StatementMade", statement(1), "statement")
    negotiation.append(STREAM, [introduced, envoy, said])

    def correction(speaker_id: str) -> es.ProposedEvent:
        payload = {
            "corrects": [said.event_id],
            "field": "speaker_id",
            "value": speaker_id,
            "report": report(),
        }
        return event("FactCorrected", payload, f"fix-{speaker_id}")

    error = refused(lambda: negotiation.append(STREAM, [correction("minister")]))
    assert error.reason == "UNKNOWN_REFERENCE"
    assert error.metadata["field"] == "value"
    assert error.metadata["missing_ids"] == "minister"
    assert "then statement no longer applies" in error.violations[0][1]
    # A correction to someone the negotiation knows applies.
    negotiation.append(STREAM, [correction("envoy")])
    (shown,) = negotiation.negotiation(NEGOTIATION, as_of="2025-06-30").view.statements
    assert shown.speaker_id == "envoy"


def test_free_form_streams_are_not_folded_and_refer_to_anything(client: LedgerClient) -> None:
    response = client.append("notes", [event("StatementMade", statement(1), "note")])
    assert not response.already_recorded


def test_a_replay_of_a_recorded_event_that_refers_to_nothing_is_still_already_recorded(
    app: Application, negotiation: LedgerClient
) -> None:
    """An event an older version recorded with a dangling reference replays as recorded."""
    legacy = ProposedEvent(uuid.uuid4(), "StatementMade", statement(1), {"development_id": "old"})
    observers = app.store._observers
    app.store._observers = []  # as the ledger recorded it before it refused such events
    try:
        app.store.append(STREAM, [legacy])
    finally:
        app.store._observers = observers
    app.queries.views.cache.drop(NEGOTIATION)
    replay = proposed(
        str(legacy.event_id),
        "StatementMade",
        statement(1),
        metadata={"development_id": "old"},
    )
    assert negotiation.append(STREAM, [replay]).already_recorded
    assert json.loads(negotiation.read_stream(STREAM).events[-1].payload_json) == statement(1)


def test_a_correction_that_introduces_the_person_it_names_is_recorded(
    negotiation: LedgerClient,
) -> None:
    said = event("StatementMade", statement(1), "statement")
    negotiation.append(STREAM, [event("PersonRoleAssigned", person(), "person"), said])
    minister = {"person_id": "minister", "name": "The Minister", "party_id": "cn",
                "office": "Commerce Minister"}  # fmt: skip
    correction = {
        "corrects": [said.event_id],
        "field": "speaker_id",
        "value": "minister",
        "report": report(day="2025-06-20"),
        "introduces": [minister],
    }
    negotiation.append(STREAM, [event("FactCorrected", correction, "named")])
    view = negotiation.negotiation(NEGOTIATION, as_of="2025-06-30").view
    assert [s.speaker_id for s in view.statements] == ["minister"] and not view.stale
    assert "minister" in [p.person_id for p in view.people]
    earlier = negotiation.negotiation(NEGOTIATION, as_of="2025-06-15").view
    assert [s.speaker_id for s in earlier.statements] == ["speaker"]
    assert "minister" not in [p.person_id for p in earlier.people]
