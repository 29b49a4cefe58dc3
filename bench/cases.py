"""The size of a run (full or quick), and how one case's failure is kept without stopping it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.results import Results


@dataclass(frozen=True, slots=True)
class Config:
    """The size of a run."""

    reps: int
    batch_events: dict[int, int]  # batch size -> events appended at that size
    scale_steps: list[int]
    postgres_scale_steps: list[int]
    scale_append_batches: int
    scale_read_window: int
    view_calls: int
    subscribers: int
    subscriber_events: int
    appends_per_second: float
    # The negotiation-heavy workload: negotiations of this many statements, each taking
    # negotiation_rounds appends of negotiation_append statements through gRPC.
    negotiations: int = 10
    negotiation_statements: int = 400
    negotiation_rounds: int = 5
    negotiation_append: int = 10
    # `newsledger verify` of the whole log at this scale step, on these backends.
    verify_events: int = 100_000
    verify_backends: tuple[str, ...] = ("sqlite",)


FULL = Config(
    reps=3,
    batch_events={1: 1000, 10: 4000, 100: 20_000, 1000: 10_000},
    scale_steps=[10_000, 100_000, 1_000_000],
    # Bulk-loading 1,000,000 events on PostgreSQL too would take the run past 15 minutes on
    # a 2-core machine; --postgres-scale-steps 10000,100000,1000000 asks for it.
    postgres_scale_steps=[10_000, 100_000],
    scale_append_batches=20,
    scale_read_window=20_000,
    view_calls=200,
    subscribers=50,
    subscriber_events=200,
    appends_per_second=20.0,
)
QUICK = Config(
    reps=1,
    batch_events={1: 200, 10: 1000, 100: 4000, 1000: 4000},
    scale_steps=[2_000, 10_000],
    postgres_scale_steps=[2_000, 10_000],
    scale_append_batches=5,
    scale_read_window=5000,
    view_calls=50,
    subscribers=50,
    subscriber_events=60,
    appends_per_second=20.0,
    negotiations=3,
    negotiation_rounds=3,
    verify_events=2_000,
)


def steps_for(config: Config, backend: str) -> list[int]:
    """Return the scale steps of one backend."""
    return config.postgres_scale_steps if backend == "postgres" else config.scale_steps


def log(text: str) -> None:
    """Print a progress line."""
    print(f"#   {text}", flush=True)


def attempt(results: Results, what: str, action: Callable[[], object]) -> None:
    """Run one case; on failure keep a note and go on, so one broken case costs no run."""
    try:
        action()
    except Exception as error:  # the report says what failed; the other cases still count
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        results.note(f"{what} failed: {type(error).__name__}: {message[:300]}")
