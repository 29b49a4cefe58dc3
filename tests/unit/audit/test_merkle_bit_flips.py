"""Every single-bit flip of a proof element, the root, the leaf hash, the index or a size fails.

A proof binds the sizes only through the roots: when a flipped size gives exactly the
same RFC 9162 proof shape (for example leaf 0 in trees of 5 and 7 leaves), no proof
verifier can tell the sizes apart, so the size is authenticated by the signed
checkpoint instead. These tests assert that verification fails for every flipped value
whose shape differs, that it passes only where the shapes are identical, and that in
those cases the signed checkpoint carrying the flipped size is rejected.
"""

from __future__ import annotations

import random

import pytest

from newsledger.audit.checkpoint import open_checkpoint, sign_checkpoint
from newsledger.audit.merkle import (
    MemoryNodeStore,
    ProofError,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from newsledger.audit.note import NoteError, Signer

MAX = 64
_rng = random.Random(6962)
INCLUSION_CASES = sorted(
    {(i, n) for n in range(1, 13) for i in range(n)}
    | {(i, n) for n in (31, 32, 33, 63, 64) for i in (0, 1, n // 2, n - 2, n - 1)}
    | {(_rng.randrange(n), n) for n in (_rng.randrange(1, MAX + 1) for _ in range(40))}
)
CONSISTENCY_CASES = sorted(
    {(m, n) for n in range(1, 13) for m in range(1, n + 1)}
    | {(m, n) for n in (31, 32, 33, 63, 64) for m in (1, 2, n // 2, n - 1, n)}
    | {(_rng.randrange(1, n + 1), n) for n in (_rng.randrange(1, MAX + 1) for _ in range(40))}
)


def flip_bit(value: bytes, bit: int) -> bytes:
    """Return ``value`` with one bit inverted."""
    flipped = bytearray(value)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


def flipped_ints(value: int) -> list[int]:
    """Return ``value`` with each single bit flipped: two bits past its length, and bit 63."""
    return sorted({value ^ (1 << bit) for bit in range(value.bit_length() + 2)} | {value ^ 1 << 63})


def inclusion_shape(index: int, size: int) -> tuple[str, ...]:
    """Return the left/right sibling sequence of RFC 9162 PATH, leaf first."""
    if size <= 1:
        return ()
    k = 1 << ((size - 1).bit_length() - 1)
    if index < k:
        return (*inclusion_shape(index, k), "R")
    return (*inclusion_shape(index - k, size - k), "L")


def consistency_shape(old: int, new: int, whole: bool = True) -> tuple[str, ...]:
    """Return the decisions of RFC 9162 SUBPROOF, deepest first."""
    if old == new:
        return ("whole",) if whole else ("node",)
    k = 1 << ((new - 1).bit_length() - 1)
    if old <= k:
        return (*consistency_shape(old, k, whole), "R")
    return (*consistency_shape(old - k, new - k, False), "L")


def inclusion_fails(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """Return whether verification raised ProofError."""
    try:
        verify_inclusion(index, size, leaf, proof, root)
    except ProofError:
        return True
    return False


def consistency_fails(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    """Return whether verification raised ProofError."""
    try:
        verify_consistency(old, new, old_root, new_root, proof)
    except ProofError:
        return True
    return False


def assert_signed_size_is_bound(signer: Signer, size: int, flipped: int, root: bytes) -> None:
    """A checkpoint note whose size was changed after signing does not open."""
    note = sign_checkpoint(signer, size, root)
    forged = note.replace(f"\n{size}\n", f"\n{flipped}\n", 1)
    with pytest.raises(NoteError):
        open_checkpoint(forged, signer.verifier, signer.name)


@pytest.mark.parametrize(("index", "size"), INCLUSION_CASES)
def test_every_bit_flip_breaks_an_inclusion_proof(
    store64: MemoryNodeStore, log_signer: Signer, index: int, size: int
) -> None:
    root, leaf = store64.root(size), store64.get_node(0, index)
    proof = inclusion_proof(index, size, store64.get_node)
    verify_inclusion(index, size, leaf, proof, root)
    for position, element in enumerate(proof):
        for bit in range(256):
            changed = [*proof[:position], flip_bit(element, bit), *proof[position + 1 :]]
            assert inclusion_fails(index, size, leaf, changed, root)
    for bit in range(256):
        assert inclusion_fails(index, size, leaf, proof, flip_bit(root, bit))
        assert inclusion_fails(index, size, flip_bit(leaf, bit), proof, root)
    for other in flipped_ints(index):
        assert inclusion_fails(other, size, leaf, proof, root), f"index {index}->{other}"
    for other in flipped_ints(size):
        same_shape = index < other and inclusion_shape(index, other) == inclusion_shape(index, size)
        assert inclusion_fails(index, other, leaf, proof, root) != same_shape, (
            f"size {size}->{other}"
        )
        if same_shape:
            assert_signed_size_is_bound(log_signer, size, other, root)


@pytest.mark.parametrize(("old", "new"), CONSISTENCY_CASES)
def test_every_bit_flip_breaks_a_consistency_proof(
    store64: MemoryNodeStore, log_signer: Signer, old: int, new: int
) -> None:
    old_root, new_root = store64.root(old), store64.root(new)
    proof = consistency_proof(old, new, store64.get_node)
    verify_consistency(old, new, old_root, new_root, proof)
    for position, element in enumerate(proof):
        for bit in range(256):
            changed = [*proof[:position], flip_bit(element, bit), *proof[position + 1 :]]
            assert consistency_fails(old, new, old_root, new_root, changed)
    for bit in range(256):
        assert consistency_fails(old, new, flip_bit(old_root, bit), new_root, proof)
        assert consistency_fails(old, new, old_root, flip_bit(new_root, bit), proof)
    for other in flipped_ints(old):
        same_shape = 0 < other <= new and consistency_shape(other, new) == consistency_shape(
            old, new
        )
        assert consistency_fails(other, new, old_root, new_root, proof) != same_shape
        if same_shape:
            assert_signed_size_is_bound(log_signer, old, other, old_root)
    for other in flipped_ints(new):
        same_shape = old <= other and consistency_shape(old, other) == consistency_shape(old, new)
        assert consistency_fails(old, other, old_root, new_root, proof) != same_shape
        if same_shape:
            assert_signed_size_is_bound(log_signer, new, other, new_root)


def test_leaf_zero_of_five_verifies_against_size_seven_so_sizes_must_come_signed(
    store64: MemoryNodeStore,
) -> None:
    proof = inclusion_proof(0, 5, store64.get_node)
    verify_inclusion(0, 7, store64.get_node(0, 0), proof, store64.root(5))
