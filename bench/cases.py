"""One repetition of the side-by-side cases, and the scale checks, on one backend."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from bench import grpc_cases, peer
from bench.backends import Backend, PostgresBackend, drop_site
from bench.raw import RawPostgres, open_raw
from bench.results import Results
from bench.scale import ScaleLog, past_dates, statement_payload
from bench.server import PeakRss, Server
from bench.stats import percentile
from bench.workload import EVENT_TYPE, AppendPlan, plan
from newsledger.client.ledger_client import LedgerClient, proposed


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
)


def steps_for(config: Config, backend: str) -> list[int]:
    """Return the scale steps of one backend."""
    return config.postgres_scale_steps if backend == "postgres" else config.scale_steps


def _log(text: str) -> None:
    print(f"#   {text}", flush=True)


def attempt(results: Results, what: str, action: Callable[[], object]) -> None:
    """Run one case; on failure keep a note and go on, so one broken case costs no run."""
    try:
        action()
    except Exception as error:  # the report says what failed; the other cases still count
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        results.note(f"{what} failed: {type(error).__name__}: {message[:300]}")


class SideBySide:
    """Appends by batch size and the whole-log read, for every contender, fresh storage each."""

    def __init__(self, backend: Backend, results: Results, config: Config) -> None:
        self.backend = backend
        self.results = results
        self.plans = {b: plan(b, n) for b, n in config.batch_events.items()}

    def _record(self, key: str, value: float) -> None:
        self.results.add(self.backend.name, key, value)

    def newsledger(self, batch: int, append_plan: AppendPlan) -> None:
        """Append through a real server and client; after the 100-batches, read the log back."""
        site = self.backend.fresh("nl")
        requests = grpc_cases.append_requests(append_plan)
        with Server(site) as server, LedgerClient(server.target) as client:
            self._record(f"append_b{batch}/newsledger", grpc_cases.append_rate(client, requests))
            if batch == 1:
                self._record("round_trip/newsledger", grpc_cases.round_trip_rate(client))
            if batch == 100:
                self._record("read/newsledger", grpc_cases.read_log_rate(client))
        drop_site(self.backend, site)

    def peer_recorder(self, batch: int, append_plan: AppendPlan) -> None:
        """Append with the library's recorder; after the 100-batches, select every notification."""
        site = self.backend.fresh("rec")
        recorder = peer.Recorder(site)
        try:
            self._record(
                f"append_b{batch}/peer-recorder", peer.recorder_append_rate(recorder, append_plan)
            )
            if batch == 100:
                self._record("read/peer-recorder", peer.recorder_read_rate(recorder)[0])
        finally:
            recorder.close()
        drop_site(self.backend, site)

    def peer_app(self, batch: int, append_plan: AppendPlan) -> None:
        """Save aggregates with the library's Application; read its notification log back."""
        site = self.backend.fresh("app")
        app = peer.open_app(site)
        try:
            self._record(f"append_b{batch}/peer-app", peer.app_append_rate(app, append_plan))
            if batch == 100:
                self._record("read/peer-app", peer.app_read_rate(app)[0])
        finally:
            app.close()
        drop_site(self.backend, site)

    def raw(self, batch: int, append_plan: AppendPlan) -> None:
        """Insert the same rows under the same lock; read them back; on PostgreSQL also COPY."""
        site = self.backend.fresh("raw")
        raw = open_raw(self.backend, site)
        try:
            self._record(f"append_b{batch}/raw", raw.append_rate(append_plan))
            if batch == 100:
                self._record("read/raw", raw.read_rate()[0])
        finally:
            raw.close()
        drop_site(self.backend, site)
        if batch == 100 and isinstance(self.backend, PostgresBackend):
            site = self.backend.fresh("copy")
            copier = RawPostgres(self.backend, site)
            self._record("append_b100/raw-copy", copier.append_rate(append_plan, copy=True))
            copier.close()
            drop_site(self.backend, site)

    def repetition(self, number: int) -> None:
        """Run every case once; the contenders' order rotates between repetitions."""
        contenders: list[Callable[[int, AppendPlan], None]] = [
            self.newsledger,
            self.peer_recorder,
            self.peer_app,
            self.raw,
        ]
        shift = number % len(contenders)
        contenders = contenders[shift:] + contenders[:shift]
        for batch, append_plan in self.plans.items():
            for contender in contenders:
                name = f"{self.backend.name} {contender.__name__} batch {batch}"
                attempt(self.results, name, lambda c=contender, b=batch, p=append_plan: c(b, p))


class ScaleChecks:
    """Costs at growing log sizes, through one server over one bulk-loaded database."""

    def __init__(self, backend: Backend, results: Results, config: Config) -> None:
        self.backend = backend
        self.results = results
        self.config = config
        self.steps = steps_for(config, backend.name)

    def _record(self, key: str, value: float) -> None:
        self.results.add(self.backend.name, key, value)

    def run(self) -> None:
        """Grow the log step by step and measure at each size."""
        site = self.backend.fresh("scale")
        log = ScaleLog(site)
        server: Server | None = None
        try:
            for index, step in enumerate(self.steps):
                started = time.perf_counter()
                log.grow_to(step)
                _log(f"scale: loaded {log.size:,} events in {time.perf_counter() - started:.0f}s")
                if server is not None:
                    server.stop()
                server = Server(site)  # fresh at each size: nothing cached from the last one
                with LedgerClient(server.target, timeout_seconds=600) as client:
                    measure = f"{self.backend.name} scale checks at {log.size:,} events"
                    attempt(self.results, measure, partial(self._measure, step, log, client))
                if index == 0:
                    subscribers = f"{self.backend.name} live subscribers"
                    attempt(self.results, subscribers, partial(self._subscribers, server))
                if step == max(self.steps):
                    whole = f"{self.backend.name} whole-log read and replay"
                    attempt(self.results, whole, partial(self._whole_log, step, log, server))
        finally:
            if server is not None:
                server.stop()
            log.close()
            drop_site(self.backend, site)

    def _measure(self, step: int, log: ScaleLog, client: LedgerClient) -> None:
        key = f"scale/{step}"
        self._record(f"{key}/size", float(log.size))
        # Reads first, on the loaded log; then appends (which grow it a little).
        start = max(0, log.size // 2 - self.config.scale_read_window // 2)
        window = min(self.config.scale_read_window, log.size)
        self._record(f"{key}/read", grpc_cases.read_log_rate(client, start, window))
        probe = grpc_cases.ViewProbe(client, log.negotiation_id)
        calls = self.config.view_calls
        append = partial(self._append_statement, client, log, step)
        # The repeated current view is what a polling client sees (answered from the cache);
        # the others are each at a new point, so they measure building the view.
        for name, latencies in (
            ("view_current", probe.current(calls)),
            ("view_fresh", probe.current_after_appends(append, calls // 2)),
            ("view_as_of", probe.each_as_of(past_dates(calls))),
            ("view_known_at", probe.each_known_at(log.past_instants(calls))),
        ):
            self._record(f"{key}/{name}_p50", percentile(latencies, 0.5))
            self._record(f"{key}/{name}_p99", percentile(latencies, 0.99))
        streams = plan(100, 100 * self.config.scale_append_batches, seed=step)
        renamed = [
            [replace(e, stream=f"scale{step}-{e.stream}") for e in b] for b in streams.batches
        ]
        requests = grpc_cases.append_requests(AppendPlan(100, renamed))
        self._record(f"{key}/append_b100", grpc_cases.append_rate(client, requests))
        _log(f"scale: measured at {log.size:,} events")

    @staticmethod
    def _append_statement(client: LedgerClient, log: ScaleLog, step: int, number: int) -> None:
        """Append one statement to the negotiation through the API."""
        payload = statement_payload(step + number)
        payload["statement_id"] = f"fresh-{step}-{number}"
        client.append(log.stream, [proposed(str(uuid.uuid4()), EVENT_TYPE, payload)])

    def _subscribers(self, server: Server) -> None:
        config = self.config
        events = list(plan(1, config.subscriber_events, n_streams=10, seed=99).events())
        live = [replace(e, stream=f"live-{e.stream}") for e in events]
        result = grpc_cases.subscriber_latency(
            server.target, live, config.subscribers, config.appends_per_second
        )
        self._record("subscribers/p50", result.p50)
        self._record("subscribers/p99", result.p99)
        self._record("subscribers/missing", float(result.missing))
        _log(f"subscribers: p99 {result.p99:.1f} ms over {len(result.latencies_ms):,} deliveries")

    def _whole_log(self, step: int, log: ScaleLog, server: Server) -> None:
        """Read the whole log with ReadLog while a Subscribe replays it, sampling the RSS.

        Both at once keep the largest step within the run's budget, and make the memory
        check stricter: the peak covers a full read and a full replay in flight together.
        """
        key = f"scale/{step}"
        self._record(f"{key}/rss_start", float(server.rss_bytes()))
        head = log.app.store.head_position() or 0
        rates: dict[str, float] = {}

        def read() -> None:
            with LedgerClient(server.target, timeout_seconds=3600) as client:
                rates["read_all"] = grpc_cases.read_log_rate(client)

        def replay() -> None:
            with LedgerClient(server.target, timeout_seconds=3600) as client:
                started = time.perf_counter()
                count = grpc_cases.replay(client, head)
                rates["replay"] = count / (time.perf_counter() - started)

        with PeakRss(server) as peak:
            threads = [threading.Thread(target=work) for work in (read, replay)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        for name, value in rates.items():
            self._record(f"{key}/{name}", value)
        self._record(f"{key}/rss_peak", float(peak.peak))
        _log(f"scale: whole log read and replayed together at {head + 1:,} events")
