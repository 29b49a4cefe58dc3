"""Costs at growing log sizes, through one server over one bulk-loaded database.

At each size a fresh server measures the log read window, the views and 100-batch appends.
The figures the targets read are repeated: the measurements at the largest size, the live
subscribers (at the first size) and the whole-log read and replay (at the largest) run once
per repetition of the run, and the report takes their medians. At the size the
configuration names, `newsledger verify` audits the whole log.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace
from functools import partial

from bench import grpc_cases
from bench.backends import Backend, drop_site
from bench.cases import Config, attempt, log, steps_for
from bench.results import Results
from bench.scale import ScaleLog, past_dates, statement_payload
from bench.server import PeakRss, Server
from bench.stats import percentile
from bench.verify_rate import verify_rate
from bench.workload import EVENT_TYPE, AppendPlan, plan
from newsledger.client.ledger_client import LedgerClient, proposed


class ScaleChecks:
    """Grows one log step by step and measures at each size."""

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
        scale_log = ScaleLog(site)
        server: Server | None = None
        name = self.backend.name
        reps = self.config.reps
        try:
            for index, step in enumerate(self.steps):
                started = time.perf_counter()
                scale_log.grow_to(step)
                took = time.perf_counter() - started
                log(f"scale: loaded {scale_log.size:,} events in {took:.0f}s")
                if server is not None:
                    server.stop()
                server = Server(site)  # fresh at each size: nothing cached from the last one
                largest = step == max(self.steps)
                for rep in range(reps if largest else 1):
                    with LedgerClient(server.target, timeout_seconds=600) as client:
                        what = f"{name} scale checks at {scale_log.size:,} events"
                        measure = partial(self._measure, step, rep, scale_log, client)
                        attempt(self.results, what, measure)
                if index == 0:
                    for _ in range(reps):
                        subscribers = partial(self._subscribers, server)
                        attempt(self.results, f"{name} live subscribers", subscribers)
                if step == self.config.verify_events and name in self.config.verify_backends:
                    attempt(self.results, f"{name} verify", partial(self._verify, server))
                if largest:
                    for _ in range(reps):
                        whole = partial(self._whole_log, step, scale_log, server)
                        attempt(self.results, f"{name} whole-log read and replay", whole)
        finally:
            if server is not None:
                server.stop()
            scale_log.close()
            drop_site(self.backend, site)

    def _measure(self, step: int, rep: int, scale_log: ScaleLog, client: LedgerClient) -> None:
        key = f"scale/{step}"
        self._record(f"{key}/size", float(scale_log.size))
        # Reads first, on the loaded log; then appends (which grow it a little).
        start = max(0, scale_log.size // 2 - self.config.scale_read_window // 2)
        window = min(self.config.scale_read_window, scale_log.size)
        self._record(f"{key}/read", grpc_cases.read_log_rate(client, start, window))
        probe = grpc_cases.ViewProbe(client, scale_log.negotiation_id)
        calls = self.config.view_calls
        append = partial(self._append_statement, client, scale_log, f"{step}-{rep}")
        # The repeated current view is what a polling client sees (answered from the cache);
        # the others are each at a new point, so they measure building the view.
        probes = [
            ("view_current", probe.current(calls)),
            ("view_fresh", probe.current_after_appends(append, calls // 2)),
            ("view_as_of", probe.each_as_of(past_dates(calls))),
            ("view_known_at", probe.each_known_at(scale_log.past_instants(calls))),
        ]
        if grpc_cases.has_reported_by():
            probes.append(("view_reported_by", probe.each_reported_by(past_dates(calls))))
        for name, latencies in probes:
            self._record(f"{key}/{name}_p50", percentile(latencies, 0.5))
            self._record(f"{key}/{name}_p99", percentile(latencies, 0.99))
        seed = step * 10 + rep
        streams = plan(100, 100 * self.config.scale_append_batches, seed=seed)
        renamed = [
            [replace(e, stream=f"scale{step}-{rep}-{e.stream}") for e in b] for b in streams.batches
        ]
        requests = grpc_cases.append_requests(AppendPlan(100, renamed))
        self._record(f"{key}/append_b100", grpc_cases.append_rate(client, requests))
        log(f"scale: measured at {scale_log.size:,} events")

    @staticmethod
    def _append_statement(client: LedgerClient, scale_log: ScaleLog, tag: str, number: int) -> None:
        """Append one statement to the negotiation through the API."""
        payload = statement_payload(number)
        payload["statement_id"] = f"fresh-{tag}-{number}"
        client.append(scale_log.stream, [proposed(str(uuid.uuid4()), EVENT_TYPE, payload)])

    def _subscribers(self, server: Server) -> None:
        config = self.config
        events = list(plan(1, config.subscriber_events, n_streams=10, seed=99).events())
        tag = uuid.uuid4().hex[:8]  # each repetition appends to streams of its own
        live = [replace(e, stream=f"live-{tag}-{e.stream}", event_id=uuid.uuid4()) for e in events]
        result = grpc_cases.subscriber_latency(
            server.target, live, config.subscribers, config.appends_per_second
        )
        self._record("subscribers/p50", result.p50)
        self._record("subscribers/p99", result.p99)
        self._record("subscribers/missing", float(result.missing))
        log(f"subscribers: p99 {result.p99:.1f} ms over {len(result.latencies_ms):,} deliveries")

    def _verify(self, server: Server) -> None:
        measured = verify_rate(server.target)
        self._record("verify/entries", float(measured.entries))
        self._record("verify/rate", measured.rate)
        log(f"verify: {measured.entries:,} entries in {measured.seconds:.0f}s")

    def _whole_log(self, step: int, scale_log: ScaleLog, server: Server) -> None:
        """Read the whole log with ReadLog while a Subscribe replays it, sampling the RSS.

        Both at once keep the largest step within the run's budget, and make the memory
        check stricter: the peak covers a full read and a full replay in flight together.
        """
        key = f"scale/{step}"
        self._record(f"{key}/rss_start", float(server.rss_bytes()))
        head = scale_log.app.store.head_position() or 0
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
        log(f"scale: whole log read and replayed together at {head + 1:,} events")
