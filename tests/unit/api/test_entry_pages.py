"""StreamEntries pages: in order, bounded in count and in bytes, never empty."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsledger.api.services.audit import entry_pages
from newsledger.v1 import audit_pb2


def _entries(leaf_sizes: list[int]) -> list[audit_pb2.LogEntry]:
    return [
        audit_pb2.LogEntry(sequence_number=number, leaf=b"x" * size)
        for number, size in enumerate(leaf_sizes)
    ]


@given(
    leaf_sizes=st.lists(st.integers(0, 3000), max_size=60),
    most=st.integers(1, 10),
    budget=st.integers(1, 8000),
)
def test_pages_keep_order_and_bounds(leaf_sizes: list[int], most: int, budget: int) -> None:
    entries = _entries(leaf_sizes)
    pages = list(entry_pages(iter(entries), most, budget))

    assert [entry for page in pages for entry in page] == entries
    for page in pages:
        assert 1 <= len(page) <= most
        if len(page) > 1:  # a page goes over the budget only when one entry alone does
            assert sum(entry.ByteSize() for entry in page) <= budget


def test_an_entry_larger_than_the_budget_travels_alone() -> None:
    entries = _entries([10, 5000, 10])
    pages = list(entry_pages(iter(entries), 100, 1000))
    assert [[entry.sequence_number for entry in page] for page in pages] == [[0], [1], [2]]


def test_a_page_is_as_full_as_its_count_allows() -> None:
    pages = list(entry_pages(iter(_entries([1] * 25)), 10, 1 << 20))
    assert [len(page) for page in pages] == [10, 10, 5]
