"""Every inclusion proof for i < n <= 64 and every consistency proof for 1 <= m <= n <= 64."""

from __future__ import annotations

import pytest

from newsledger.audit.merkle import (
    EMPTY_ROOT,
    MemoryNodeStore,
    ProofError,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from tests.support.merkle import numbered_leaves, store_with

MAX = 64


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 9162 section 2.1.1, recursively over the leaves."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return hash_leaf(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    import hashlib

    return hashlib.sha256(
        b"\x01" + reference_root(leaves[:k]) + reference_root(leaves[k:])
    ).digest()


def test_roots_from_stored_subtrees_match_the_recursive_definition(
    store64: MemoryNodeStore,
) -> None:
    leaves = numbered_leaves(MAX)
    for size in range(MAX + 1):
        assert store64.root(size) == reference_root(leaves[:size])


def test_every_inclusion_proof_up_to_64_verifies(store64: MemoryNodeStore) -> None:
    checked = 0
    for size in range(1, MAX + 1):
        root = store64.root(size)
        for index in range(size):
            proof = inclusion_proof(index, size, store64.get_node)
            verify_inclusion(index, size, store64.get_node(0, index), proof, root)
            checked += 1
    assert checked == MAX * (MAX + 1) // 2


def test_every_consistency_proof_up_to_64_verifies(store64: MemoryNodeStore) -> None:
    checked = 0
    for new in range(1, MAX + 1):
        for old in range(1, new + 1):
            proof = consistency_proof(old, new, store64.get_node)
            verify_consistency(old, new, store64.root(old), store64.root(new), proof)
            checked += 1
    assert checked == MAX * (MAX + 1) // 2


def test_proofs_from_a_prefix_store_equal_proofs_from_the_full_store(
    store64: MemoryNodeStore,
) -> None:
    for size in (1, 5, 13, 32, 47):
        small = store_with(size)
        for index in range(size):
            assert inclusion_proof(index, size, small.get_node) == inclusion_proof(
                index, size, store64.get_node
            )


def test_the_empty_tree_is_consistent_with_every_tree(store64: MemoryNodeStore) -> None:
    for new in range(MAX + 1):
        assert consistency_proof(0, new, store64.get_node) == []
        verify_consistency(0, new, EMPTY_ROOT, store64.root(new), [])


@pytest.mark.parametrize(
    ("old", "new", "old_root", "new_root", "proof", "reason"),
    [
        (3, 2, b"a" * 32, b"b" * 32, [], "larger than new size"),
        (2, 2, b"a" * 32, b"b" * 32, [], "two different roots"),
        (2, 2, b"a" * 32, b"a" * 32, [b"c" * 32], "must be empty"),
        (0, 2, b"a" * 32, b"b" * 32, [], "empty string"),
        (0, 2, EMPTY_ROOT, b"b" * 32, [b"c" * 32], "must be empty"),
        (1, 2, b"a" * 32, b"b" * 32, [], "proof is empty"),
        (1, 2, b"a" * 31, b"b" * 32, [b"c" * 32], "32 bytes"),
        (1, 2, b"a" * 32, b"b" * 32, [b"c" * 33], "32 bytes"),
        (-1, 2, b"a" * 32, b"b" * 32, [b"c" * 32], "negative"),
    ],
)
def test_consistency_edge_cases_fail_with_a_reason(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes], reason: str
) -> None:
    with pytest.raises(ProofError, match=reason):
        verify_consistency(old, new, old_root, new_root, proof)


@pytest.mark.parametrize(
    ("index", "size", "leaf", "proof", "reason"),
    [
        (0, 0, b"a" * 32, [], "not below tree size"),
        (1, 1, b"a" * 32, [], "not below tree size"),
        (-1, 1, b"a" * 32, [], "negative"),
        (0, 1, b"a" * 32, [b"c" * 32], "longer"),
        (0, 2, b"a" * 32, [], "shorter"),
        (0, 1, b"a" * 32, [], "does not lead to the root"),
        (0, 1, b"a" * 3, [], "32 bytes"),
    ],
)
def test_inclusion_edge_cases_fail_with_a_reason(
    index: int, size: int, leaf: bytes, proof: list[bytes], reason: str
) -> None:
    with pytest.raises(ProofError, match=reason):
        verify_inclusion(index, size, leaf, proof, b"r" * 32)
