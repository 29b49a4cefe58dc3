"""Small statistics and timing helpers: medians, percentiles, rates."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable


def median(values: Iterable[float]) -> float:
    """Return the median, or NaN when there is nothing to summarise."""
    data = [v for v in values if not math.isnan(v)]
    return statistics.median(data) if data else math.nan


def percentile(values: Iterable[float], fraction: float) -> float:
    """Return the nearest-rank percentile (fraction in [0, 1]) of values, NaN if empty."""
    data = sorted(values)
    if not data:
        return math.nan
    rank = max(1, math.ceil(fraction * len(data)))
    return data[rank - 1]


def rate(count: int, seconds: float) -> float:
    """Return count per second."""
    return count / seconds if seconds > 0 else math.inf


def timed(action: Callable[[], object]) -> float:
    """Run action and return how many seconds it took."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def latencies_ms(action: Callable[[], object], count: int, warm_up: int = 5) -> list[float]:
    """Call action warm_up times untimed, then count times; return each call's milliseconds."""
    for _ in range(warm_up):
        action()
    out = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        out.append((time.perf_counter() - started) * 1000)
    return out
