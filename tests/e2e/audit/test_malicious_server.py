"""A server whose answers are altered in flight is caught, and the client's trust is unchanged.

The client verifies an honest server once and keeps its trusted state. More events are
recorded; then an interceptor on the client's channel alters one kind of answer, and the
next verification must fail without touching the trusted state file.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from newsledger.audit.verify.live import AuditClient
from newsledger.cli.exits import ExitCode
from newsledger.client.ledger_client import LedgerClient, proposed
from newsledger.stories.ingest import ingest_story_over_grpc
from newsledger.v1 import audit_pb2
from tests.support.audit import verify
from tests.support.paths import SEED_STORY
from tests.support.payloads import statement

Alter = Callable[[Any], None]


class _Answered:
    """A finished unary call holding an altered response."""

    def __init__(self, response: Any) -> None:
        self._response = response

    def result(self, timeout: float | None = None) -> Any:
        return self._response


class AlteringInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):  # type: ignore[misc]
    """Alters the responses of one method before the client sees them."""

    def __init__(self, method: str, alter: Alter) -> None:
        self.method = f"/newsledger.v1.AuditService/{method}"
        self.alter = alter

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        outcome = continuation(details, request)
        if details.method != self.method:
            return outcome
        response = outcome.result()
        self.alter(response)
        return _Answered(response)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        responses = continuation(details, request)
        if details.method != self.method:
            return responses
        return self._altered(responses)

    def _altered(self, responses: Iterator[Any]) -> Iterator[Any]:
        for response in responses:
            self.alter(response)
            yield response


def flip(data: bytes, offset: int = 0) -> bytes:
    """Return data with one bit flipped."""
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def flip_leaf_of_entry_5(response: audit_pb2.StreamEntriesResponse) -> None:
    for entry in [response.entry, *response.entries]:
        if entry.sequence_number == 5:
            entry.leaf = flip(entry.leaf, 40)


def flip_consistency_hash(response: audit_pb2.GetConsistencyProofResponse) -> None:
    response.hashes[0] = flip(response.hashes[0])


def flip_inclusion_hash(response: audit_pb2.GetInclusionProofResponse) -> None:
    response.proof.hashes[-1] = flip(response.proof.hashes[-1])


def grow_the_size_field(response: audit_pb2.GetCheckpointResponse) -> None:
    response.checkpoint.size += 1


def grow_the_size_in_the_note(response: audit_pb2.GetCheckpointResponse) -> None:
    origin, size, rest = response.checkpoint.note.split("\n", 2)
    response.checkpoint.note = f"{origin}\n{int(size) + 1}\n{rest}"
    response.checkpoint.size += 1


def flip_the_signature(response: audit_pb2.GetCheckpointResponse) -> None:
    note = response.checkpoint.note
    last = note.rstrip("\n")[-3]
    swapped = "A" if last != "A" else "B"
    response.checkpoint.note = (
        note[: len(note.rstrip("\n")) - 3] + swapped + note.rstrip("\n")[-2:] + "\n"
    )


FAILED = ExitCode.VERIFICATION_FAILED
ATTACKS = {
    "a leaf bit": ("StreamEntries", flip_leaf_of_entry_5, FAILED),
    "a consistency proof hash": (
        "GetConsistencyProof",
        flip_consistency_hash,
        ExitCode.VERIFICATION_FAILED,
    ),
    "an inclusion proof hash": (
        "GetInclusionProof",
        flip_inclusion_hash,
        ExitCode.VERIFICATION_FAILED,
    ),
    "the tree size": ("GetCheckpoint", grow_the_size_field, FAILED),
    "the tree size inside the signed note": (
        "GetCheckpoint",
        grow_the_size_in_the_note,
        ExitCode.VERIFICATION_FAILED,
    ),
    "the checkpoint signature": ("GetCheckpoint", flip_the_signature, FAILED),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_altered_answer_is_caught_and_the_trusted_state_is_unchanged(
    attack: str, client: LedgerClient, target: str, tmp_path: Path
) -> None:
    method, alter, expected_status = ATTACKS[attack]
    state = tmp_path / "trusted-state.json"
    ingest_story_over_grpc(client, SEED_STORY)
    with grpc.insecure_channel(target) as honest:
        assert verify(AuditClient(honest), state) == 0
    trusted = state.read_bytes()
    client.append(
        "talks", [proposed(str(uuid.uuid4()), "StatementMade", statement(n)) for n in range(5)]
    )

    with grpc.insecure_channel(target) as channel:
        altered = grpc.intercept_channel(channel, AlteringInterceptor(method, alter))
        status = verify(AuditClient(altered), state)

    assert status == expected_status
    assert state.read_bytes() == trusted
    if method == "GetConsistencyProof":
        evidence = sorted(p.name for p in tmp_path.glob("fork-*"))
        assert [name.rsplit("-", 1)[1] for name in evidence] == [
            "evidence.json",
            "presented.note",
            "trusted.note",
        ]


def test_the_honest_server_still_verifies_after_the_growth(
    client: LedgerClient, target: str, tmp_path: Path
) -> None:
    state = tmp_path / "trusted-state.json"
    ingest_story_over_grpc(client, SEED_STORY)
    with grpc.insecure_channel(target) as honest:
        assert verify(AuditClient(honest), state) == 0
        client.append("talks", [proposed(str(uuid.uuid4()), "StatementMade", statement(1))])
        assert verify(AuditClient(honest), state) == 0
