"""AuditService through a real server on an ephemeral port, and the verify/export commands."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import grpc
import pytest

from newsledger.api.server import RunningServer
from newsledger.audit.checkpoint import open_checkpoint
from newsledger.audit.merkle import hash_leaf, verify_consistency, verify_inclusion
from newsledger.audit.note import parse_vkey
from newsledger.audit.verify.live import AuditClient
from newsledger.audit.verify.views import view_message
from newsledger.audit.view_changes import ViewChange, apply_view_changes
from newsledger.cli.exits import ExitCode
from newsledger.cli.main import main
from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.stories.ingest import ingest_story_over_grpc
from newsledger.v1 import audit_pb2, audit_pb2_grpc, negotiations_pb2
from tests.support.paths import SEED_STORY
from tests.support.payloads import statement

NEGOTIATION = "us-china-trade-2025"


@pytest.fixture
def audit_stub(client: LedgerClient) -> audit_pb2_grpc.AuditServiceStub:
    """Return a stub of the AuditService on the test client's channel."""
    return audit_pb2_grpc.AuditServiceStub(client.channel)


@pytest.fixture
def seeded(client: LedgerClient) -> LedgerClient:
    """Return the client after ingesting the seed story through the API."""
    ingest_story_over_grpc(client, SEED_STORY)
    return client


def latest(stub: audit_pb2_grpc.AuditServiceStub) -> audit_pb2.GetCheckpointResponse:
    """Return the latest checkpoint response."""
    response: audit_pb2.GetCheckpointResponse = stub.GetCheckpoint(audit_pb2.GetCheckpointRequest())
    return response


def test_every_entry_is_proven_in_the_signed_checkpoint_and_later_ones_are_consistent(
    seeded: LedgerClient, audit_stub: audit_pb2_grpc.AuditServiceStub
) -> None:
    first = latest(audit_stub)
    key = parse_vkey(first.verifier_key)
    old = open_checkpoint(first.checkpoint.note, key, first.origin)
    entries = list(audit_stub.StreamEntries(audit_pb2.StreamEntriesRequest(end=old.size)))

    for response in entries:
        entry = response.entry
        proof = audit_stub.GetInclusionProof(
            audit_pb2.GetInclusionProofRequest(position=entry.sequence_number, tree_size=old.size)
        ).proof
        verify_inclusion(
            entry.sequence_number, old.size, hash_leaf(entry.leaf), proof.hashes, old.root
        )

    seeded.append("talks", [proposed(str(uuid.uuid4()), "StatementMade", statement(1))])
    new = open_checkpoint(latest(audit_stub).checkpoint.note, key, first.origin)
    consistency = audit_stub.GetConsistencyProof(
        audit_pb2.GetConsistencyProofRequest(old_size=old.size, new_size=new.size)
    )
    verify_consistency(old.size, new.size, old.root, new.root, consistency.hashes)
    assert len(entries) == old.size == new.size - 1


@pytest.mark.parametrize("asked", [2, 7, 1000, 5000])
def test_entries_asked_in_pages_are_the_same_entries_in_order(
    seeded: LedgerClient, audit_stub: audit_pb2_grpc.AuditServiceStub, asked: int
) -> None:
    """Given a page size, each response holds up to that many entries (1,000 at most) in
    `entries`, and together they are exactly the one-per-response stream."""
    size = latest(audit_stub).checkpoint.size
    one_by_one = [
        response.entry
        for response in audit_stub.StreamEntries(audit_pb2.StreamEntriesRequest(start=3, end=size))
    ]
    request = audit_pb2.StreamEntriesRequest(start=3, end=size, max_entries_per_response=asked)
    pages = list(audit_stub.StreamEntries(request))

    assert [entry for page in pages for entry in page.entries] == one_by_one
    assert all(not page.HasField("entry") for page in pages)
    assert [len(page.entries) for page in pages[:-1]] == [min(asked, 1000)] * (len(pages) - 1)
    assert 1 <= len(pages[-1].entries) <= min(asked, 1000)


def test_the_verifier_reads_the_entries_in_pages(
    seeded: LedgerClient, audit_stub: audit_pb2_grpc.AuditServiceStub, audit_client: AuditClient
) -> None:
    """The verifier's client asks for pages and yields every entry of the range in order."""
    size = latest(audit_stub).checkpoint.size
    expected = [
        response.entry
        for response in audit_stub.StreamEntries(audit_pb2.StreamEntriesRequest(end=size))
    ]
    assert list(audit_client.entries(0, size)) == expected


def test_append_and_prove_returns_a_checkpoint_and_proof_that_cover_the_event(
    audit_stub: audit_pb2_grpc.AuditServiceStub,
) -> None:
    event = proposed(str(uuid.uuid4()), "StatementMade", statement(7))

    response = audit_stub.AppendAndProve(
        audit_pb2.AppendAndProveRequest(stream="talks", events=[event])
    )

    vkey = parse_vkey(latest(audit_stub).verifier_key)
    checkpoint = open_checkpoint(response.checkpoint.note, vkey, vkey.name)
    (proven,) = response.events
    verify_inclusion(
        proven.position.position,
        checkpoint.size,
        hash_leaf(proven.leaf),
        proven.inclusion_proof.hashes,
        checkpoint.root,
    )
    assert json.loads(proven.leaf)["event_id"] == event.event_id


def test_a_payload_with_a_float_is_invalid_argument_naming_the_field(client: LedgerClient) -> None:
    payload = {**statement(1), "figure": 2.5}

    with pytest.raises(ApiError) as refused:
        client.append("talks", [proposed(str(uuid.uuid4()), "StatementMade", payload)])

    assert refused.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert any("figure" in field for field, _ in refused.value.violations)
    assert client.read_log().events == []


def test_the_replayed_final_view_equals_the_served_view(
    seeded: LedgerClient, audit_stub: audit_pb2_grpc.AuditServiceStub
) -> None:
    request = audit_pb2.ReplayNegotiationRequest(negotiation_id=NEGOTIATION, as_of="2025-06-11")
    steps = list(audit_stub.ReplayNegotiation(request))

    served = seeded.negotiation(NEGOTIATION, as_of="2025-06-11").view
    assert steps[-1].view == served
    assert [s.event.stream_version for s in steps] == list(range(len(steps)))


def test_a_replay_of_changes_sends_full_views_only_where_asked_and_the_changes_rebuild_them(
    seeded: LedgerClient, audit_stub: audit_pb2_grpc.AuditServiceStub
) -> None:
    request = audit_pb2.ReplayNegotiationRequest(
        negotiation_id=NEGOTIATION, as_of="2025-06-11", changes_only=True, full_view_every=10
    )
    steps = list(audit_stub.ReplayNegotiation(request))

    assert [i for i, step in enumerate(steps) if step.has_view] == list(range(0, len(steps), 10))
    assert all(step.HasField("view") == step.has_view for step in steps)
    view: dict[str, object] = {}
    for step in steps:
        changes = [
            ViewChange(c.path, None if c.removed else json.loads(c.value_json), c.removed)
            for c in step.changes
        ]
        view = apply_view_changes(view, changes)
        if step.has_view:
            assert view_message(view) == step.view
    served = seeded.negotiation(NEGOTIATION, as_of="2025-06-11").view
    assert view_message(view) == served
    full = audit_pb2.ReplayNegotiationRequest(negotiation_id=NEGOTIATION, as_of="2025-06-11")
    full_bytes = sum(r.ByteSize() for r in audit_stub.ReplayNegotiation(full))
    assert sum(step.ByteSize() for step in steps) < full_bytes / 3


def test_replaying_an_unknown_negotiation_is_not_found(
    audit_stub: audit_pb2_grpc.AuditServiceStub,
) -> None:
    request = audit_pb2.ReplayNegotiationRequest(negotiation_id="no-such-talks")
    with pytest.raises(grpc.RpcError) as failed:
        list(audit_stub.ReplayNegotiation(request))
    assert failed.value.code() == grpc.StatusCode.NOT_FOUND


def test_export_then_verify_the_file_and_the_server_from_the_command_line(
    seeded: LedgerClient,
    target: str,
    audit_stub: audit_pb2_grpc.AuditServiceStub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vkey = latest(audit_stub).verifier_key
    exported, state = tmp_path / "log.ndjson", tmp_path / "state.json"
    common = ["--vkey", vkey, "--as-of", "2025-06-11", "--state", str(state)]

    assert main(["export", "--server", target, "--output", str(exported), *common]) == 0
    assert main(["verify", "--file", str(exported), *common]) == 0
    assert main(["verify", "--server", target, *common]) == 0
    assert json.loads(state.read_text())["size"] == len(exported.read_text().splitlines()) - 3
    captured = capsys.readouterr()
    assert "verify: 47/47 entries" in captured.err
    assert "verified: 47 entries, 1 views checked" in captured.out


def test_an_export_edited_after_the_fact_fails_at_the_edited_entry(
    seeded: LedgerClient,
    target: str,
    audit_stub: audit_pb2_grpc.AuditServiceStub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vkey = latest(audit_stub).verifier_key
    exported, state = tmp_path / "log.ndjson", tmp_path / "state.json"
    pinned = ["--vkey", vkey, "--state", str(state)]
    assert main(["export", "--server", target, "--output", str(exported), *pinned]) == 0
    lines = exported.read_text().splitlines()
    line = json.loads(lines[2 + 20])
    line["event"]["payload_json"] = line["event"]["payload_json"].replace("a", "e", 1)
    lines[2 + 20] = json.dumps(line)
    exported.write_text("\n".join(lines) + "\n")

    assert main(["verify", "--file", str(exported), *pinned]) == ExitCode.VERIFICATION_FAILED
    assert not state.exists()
    assert "verification FAILED at sequence 20" in capsys.readouterr().out


def test_an_export_whose_metadata_was_rewritten_fails_at_that_entry(
    seeded: LedgerClient,
    target: str,
    audit_stub: audit_pb2_grpc.AuditServiceStub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vkey = latest(audit_stub).verifier_key
    exported, state = tmp_path / "log.ndjson", tmp_path / "state.json"
    pinned = ["--vkey", vkey, "--state", str(state)]
    assert main(["export", "--server", target, "--output", str(exported), *pinned]) == 0
    lines = exported.read_text().splitlines()
    line = json.loads(lines[2 + 20])
    metadata = json.loads(line["event"]["metadata_json"])
    assert metadata["development_id"]
    line["event"]["metadata_json"] = json.dumps({**metadata, "development_id": "forged"})
    lines[2 + 20] = json.dumps(line)
    exported.write_text("\n".join(lines) + "\n")

    assert main(["verify", "--file", str(exported), *pinned]) == ExitCode.VERIFICATION_FAILED
    assert not state.exists()
    output = capsys.readouterr().out
    assert "verification FAILED at sequence 20" in output
    assert "FAIL sequence 20: metadata: the served metadata does not match" in output


def test_the_server_prints_and_serves_its_verifier_key(server: RunningServer, target: str) -> None:
    with grpc.insecure_channel(target) as channel:
        response = AuditClient(channel).checkpoint()
    assert parse_vkey(response.verifier_key).name == response.origin
    assert negotiations_pb2.DESCRIPTOR.package == "newsledger.v1"
