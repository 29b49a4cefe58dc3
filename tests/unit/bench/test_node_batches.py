"""Which batch of an append plan wrote each audit subtree (bench.own_rows.batch_of_node)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.own_rows import batch_of_node
from newsledger.audit.merkle import MemoryNodeStore


@settings(max_examples=200, deadline=1000)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=12))
def test_each_subtree_belongs_to_the_batch_that_stored_it(sizes: list[int]) -> None:
    tree = MemoryNodeStore()
    ends = [sum(sizes[: n + 1]) for n in range(len(sizes))]
    for number, size in enumerate(sizes):
        created = tree.append_leaves(bytes([number, k]) for k in range(size))
        for level, index, _ in created:
            assert batch_of_node(level, index, ends) == number
