"""Appending stores exactly the complete subtrees, and proofs cost O(log n) node reads."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.audit.merkle import (
    MemoryNodeStore,
    consistency_proof,
    hash_children,
    hash_leaf,
    inclusion_proof,
    nodes_to_store_on_append,
    nodes_to_store_on_append_batch,
    root,
)
from newsledger.audit.storage.tree import frontier
from tests.support.merkle import numbered_leaves, store_with


def complete_subtrees_from_scratch(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Compute every complete subtree hash level by level, with no incremental logic."""
    nodes: dict[tuple[int, int], bytes] = {}
    level_hashes = [hash_leaf(leaf) for leaf in leaves]
    level = 0
    while level_hashes:
        for index, node in enumerate(level_hashes):
            nodes[(level, index)] = node
        level_hashes = [
            hash_children(level_hashes[i], level_hashes[i + 1])
            for i in range(0, len(level_hashes) - 1, 2)
        ]
        level += 1
    return nodes


class CountingStore:
    """Wraps a node store and counts get_node calls."""

    def __init__(self, store: MemoryNodeStore) -> None:
        self.store = store
        self.reads = 0

    def get_node(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.store.get_node(level, index)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=12))
def test_random_append_batches_store_the_same_nodes_as_building_from_scratch(
    batch_sizes: list[int],
) -> None:
    store = MemoryNodeStore()
    leaves: list[bytes] = []
    for batch_size in batch_sizes:
        batch = [f"leaf-{len(leaves) + i}".encode() for i in range(batch_size)]
        store.append_leaves(batch)
        leaves.extend(batch)
    assert store.nodes == complete_subtrees_from_scratch(leaves)
    assert store.size == len(leaves)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=300), st.integers(min_value=1, max_value=50))
def test_a_batch_reads_only_nodes_stored_before_it(existing: int, batch_size: int) -> None:
    store = store_with(existing)
    counting = CountingStore(store)
    hashes = [hash_leaf(leaf) for leaf in numbered_leaves(existing + batch_size)[existing:]]
    created = nodes_to_store_on_append_batch(existing, hashes, counting.get_node)
    # Each read is a left sibling from before the batch: at most one per level.
    assert counting.reads <= max(1, existing).bit_length()
    assert len({(level, index) for level, index, _ in created}) == len(created)


def test_a_single_append_creates_one_node_per_trailing_one_bit() -> None:
    store = store_with(0)
    for index in range(200):
        counting = CountingStore(store)
        created = nodes_to_store_on_append(index, hash_leaf(b"x%d" % index), counting.get_node)
        trailing_ones = (~index & (index + 1)).bit_length() - 1
        assert len(created) == trailing_ones + 1
        assert counting.reads == trailing_ones
        for level, position, node in created:
            store.nodes[(level, position)] = node
        store.size += 1


def test_appending_n_leaves_reads_fewer_than_n_nodes_in_total() -> None:
    store = MemoryNodeStore()
    counting = CountingStore(store)
    for index in range(1024):
        for level, position, node in nodes_to_store_on_append(
            index, hash_leaf(b"%d" % index), counting.get_node
        ):
            store.nodes[(level, position)] = node
    assert counting.reads < 1024


def test_root_and_proofs_read_o_log_n_nodes() -> None:
    size_limit = 5000
    store = store_with(size_limit)
    for size in (1, 2, 3, 1000, 1023, 1024, 1025, 4097, 4999, 5000):
        bound = 2 * math.ceil(math.log2(size)) + 2
        counting = CountingStore(store)
        root(size, counting.get_node)
        assert counting.reads <= math.ceil(math.log2(size)) + 1
        for index in (0, size // 3, size - 1):
            counting.reads = 0
            inclusion_proof(index, size, counting.get_node)
            assert counting.reads <= bound, (index, size, counting.reads)
        for old in (1, size // 2, size - 1, size):
            counting.reads = 0
            consistency_proof(old, size, counting.get_node)
            assert counting.reads <= bound, (old, size, counting.reads)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=300), st.integers(min_value=1, max_value=50))
def test_a_batch_reads_only_the_frontier_the_audit_log_preloads(
    existing: int, batch_size: int
) -> None:
    store = store_with(existing)
    read: set[tuple[int, int]] = set()

    def get_node(level: int, index: int) -> bytes:
        read.add((level, index))
        return store.get_node(level, index)

    hashes = [hash_leaf(leaf) for leaf in numbered_leaves(existing + batch_size)[existing:]]
    nodes_to_store_on_append_batch(existing, hashes, get_node)
    assert read <= set(frontier(existing))
    assert all((level, index) in store.nodes for level, index in frontier(existing))
