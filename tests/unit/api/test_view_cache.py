"""The view cache: bounded by entries and by bytes, least recently used views dropped first."""

from __future__ import annotations

from datetime import date

from newsledger.api.view_cache import ViewCache
from newsledger.application.queries import ViewPoint

JUNE_11 = date(2025, 6, 11)


def point(version: int, as_of: date = JUNE_11, negotiation_id: str = "talks") -> ViewPoint:
    return ViewPoint(negotiation_id, version, as_of)


def test_a_view_is_found_only_at_its_own_point() -> None:
    cache = ViewCache()
    cache.put(point(3), b"three")
    assert cache.get(point(3)) == b"three"
    assert cache.get(point(4)) is None
    assert cache.get(point(3, date(2025, 6, 12))) is None
    assert cache.get(point(3, negotiation_id="other")) is None


def test_past_the_entry_bound_the_least_recently_used_view_goes() -> None:
    cache = ViewCache(max_entries=2)
    cache.put(point(1), b"one")
    cache.put(point(2), b"two")
    assert cache.get(point(1)) == b"one"  # now the most recent
    cache.put(point(3), b"three")
    assert len(cache) == 2
    assert cache.get(point(2)) is None
    assert cache.get(point(1)) == b"one"
    assert cache.get(point(3)) == b"three"


def test_past_the_byte_bound_views_go_until_the_rest_fit() -> None:
    cache = ViewCache(max_bytes=10)
    cache.put(point(1), b"aaaa")
    cache.put(point(2), b"bbbb")
    cache.put(point(3), b"cccccc")
    assert cache.size_bytes == 10
    assert cache.get(point(1)) is None
    assert cache.get(point(2)) == b"bbbb"
    cache.put(point(4), b"dddddddd")
    assert cache.size_bytes == 8
    assert [cache.get(point(v)) for v in (2, 3, 4)] == [None, None, b"dddddddd"]


def test_a_view_larger_than_the_byte_bound_is_not_kept() -> None:
    cache = ViewCache(max_bytes=4)
    cache.put(point(1), b"abc")
    cache.put(point(2), b"too large")
    assert cache.get(point(2)) is None
    assert cache.get(point(1)) == b"abc"


def test_putting_a_point_again_replaces_its_view_and_its_bytes() -> None:
    cache = ViewCache()
    cache.put(point(1), b"first")
    cache.put(point(1), b"again!")
    assert len(cache) == 1
    assert cache.size_bytes == len(b"again!")
    assert cache.get(point(1)) == b"again!"


def test_a_cache_of_no_entries_keeps_nothing() -> None:
    cache = ViewCache(max_entries=0)
    cache.put(point(1), b"one")
    assert len(cache) == 0
    assert cache.get(point(1)) is None
