"""The client's trusted state moves only forward along one history; forks leave evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsledger.audit.checkpoint import sign_checkpoint
from newsledger.audit.merkle import EMPTY_ROOT, MemoryNodeStore, consistency_proof, hash_leaf
from newsledger.audit.note import Signer, generate_signer
from newsledger.audit.verify.trusted_state import (
    AuditError,
    CheckpointRejected,
    ForkDetected,
    RollbackError,
    RootAccumulator,
    TrustedState,
    update_trusted_state,
)
from tests.support.merkle import numbered_leaves, store_with


def pinned_at(signer: Signer, store: MemoryNodeStore, size: int) -> TrustedState:
    """A client that pinned the log key and verified the checkpoint at ``size``."""
    note = sign_checkpoint(signer, size, store.root(size))
    return TrustedState.pin(signer.name, signer.vkey, note)


def test_the_state_advances_over_a_valid_consistency_proof(log_signer: Signer) -> None:
    store = store_with(20)
    state = pinned_at(log_signer, store, 7)
    new_note = sign_checkpoint(log_signer, 20, store.root(20))
    advanced = update_trusted_state(state, new_note, consistency_proof(7, 20, store.get_node))
    assert (advanced.size, advanced.root, advanced.note) == (20, store.root(20), new_note)
    assert (state.size, state.root) == (7, store.root(7))


def test_a_fresh_pin_without_a_checkpoint_trusts_the_empty_tree(log_signer: Signer) -> None:
    state = TrustedState.pin(log_signer.name, log_signer.vkey)
    assert (state.size, state.root) == (0, EMPTY_ROOT)
    store = store_with(3)
    advanced = update_trusted_state(state, sign_checkpoint(log_signer, 3, store.root(3)), [])
    assert advanced.size == 3


def test_a_smaller_tree_is_refused_as_a_rollback(log_signer: Signer) -> None:
    store = store_with(20)
    state = pinned_at(log_signer, store, 20)
    with pytest.raises(RollbackError, match="smaller than the trusted size 20"):
        update_trusted_state(state, sign_checkpoint(log_signer, 19, store.root(19)), [])
    assert state == pinned_at(log_signer, store, 20)


def test_a_rewritten_history_raises_fork_detected_with_both_notes(log_signer: Signer) -> None:
    honest = store_with(20)
    state = pinned_at(log_signer, honest, 7)
    before = state
    rewritten = MemoryNodeStore()
    rewritten.append_leaves([b"forged", *numbered_leaves(20)[1:]])
    fork_note = sign_checkpoint(log_signer, 20, rewritten.root(20))
    proof = consistency_proof(7, 20, rewritten.get_node)
    with pytest.raises(ForkDetected) as caught:
        update_trusted_state(state, fork_note, proof)
    assert caught.value.trusted_note == state.note
    assert caught.value.new_note == fork_note
    evidence = caught.value.evidence()
    assert json.loads(json.dumps(evidence))["new_note"] == fork_note
    assert state == before


def test_two_roots_for_the_same_size_are_a_fork(log_signer: Signer) -> None:
    state = pinned_at(log_signer, store_with(5), 5)
    other = MemoryNodeStore()
    other.append_leaves([b"x"] * 5)
    with pytest.raises(ForkDetected, match="two different roots"):
        update_trusted_state(state, sign_checkpoint(log_signer, 5, other.root(5)), [])


def test_a_checkpoint_signed_by_another_key_is_rejected(log_signer: Signer) -> None:
    store = store_with(9)
    state = pinned_at(log_signer, store, 4)
    impostor = generate_signer(log_signer.name)
    with pytest.raises(CheckpointRejected):
        update_trusted_state(
            state,
            sign_checkpoint(impostor, 9, store.root(9)),
            consistency_proof(4, 9, store.get_node),
        )


def test_a_tampered_note_is_rejected(log_signer: Signer) -> None:
    store = store_with(9)
    state = pinned_at(log_signer, store, 4)
    note = sign_checkpoint(log_signer, 9, store.root(9)).replace("\n9\n", "\n8\n")
    with pytest.raises(CheckpointRejected):
        update_trusted_state(state, note, consistency_proof(4, 8, store.get_node))


def test_the_state_survives_a_save_and_load(tmp_path: Path, log_signer: Signer) -> None:
    state = pinned_at(log_signer, store_with(11), 11)
    path = tmp_path / "trusted.json"
    state.save(path)
    assert TrustedState.load(path) == state


def test_a_saved_state_whose_fields_disagree_with_its_note_is_refused(
    tmp_path: Path, log_signer: Signer
) -> None:
    state = pinned_at(log_signer, store_with(11), 11)
    document = json.loads(state.to_json())
    document["size"] = 12
    with pytest.raises(AuditError, match="does not match"):
        TrustedState.from_json(json.dumps(document))


def test_recomputing_the_root_from_streamed_leaves_matches_the_store() -> None:
    for size in (0, 1, 2, 3, 7, 8, 9, 100, 1000):
        accumulator = RootAccumulator()
        for leaf in numbered_leaves(size):
            accumulator.add_leaf_hash(hash_leaf(leaf))
        assert (accumulator.size, accumulator.root()) == (size, store_with(size).root())
