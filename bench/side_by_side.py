"""One repetition of the side-by-side cases on one backend, every case on fresh storage.

Contenders by batch size: newsledger through gRPC, the `eventsourcing` library served by
bench.peer_server (its recorder and its Application), the library in-process (recorder and
Application) and the raw database (newsledger's event columns, same lock). At batches of
100 also newsledger in-process (bench.inprocess) and the raw database writing newsledger's
own rows (bench.own_rows). Then the negotiation-heavy appends (bench.negotiation_load).
"""

from __future__ import annotations

from collections.abc import Callable

from bench import grpc_cases, negotiation_load, peer, peer_server
from bench.backends import Backend, PostgresBackend, drop_site
from bench.cases import Config, attempt, log
from bench.inprocess import InProcess
from bench.own_rows import OwnRows, RawOwnRows, read_own_rows
from bench.raw import RawPostgres, open_raw
from bench.results import Results
from bench.server import Server
from bench.stats import percentile
from bench.workload import AppendPlan, plan
from newsledger.client.ledger_client import LedgerClient

INPROCESS_BATCH = 100


class SideBySide:
    """Appends by batch size and the whole-log read, for every contender."""

    def __init__(self, backend: Backend, results: Results, config: Config) -> None:
        self.backend = backend
        self.results = results
        self.config = config
        self.plans = {b: plan(b, n) for b, n in config.batch_events.items()}
        self._own_rows: OwnRows | None = None

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

    def _served(self, level: str, batch: int, append_plan: AppendPlan) -> None:
        site = self.backend.fresh(f"srv{level[:3]}")
        requests = grpc_cases.append_requests(append_plan)
        with peer_server.PeerServer(site, level) as server:
            rate = peer_server.append_rate(server.target, requests)
            self._record(f"append_b{batch}/served-{level}", rate)
        drop_site(self.backend, site)

    def served_recorder(self, batch: int, append_plan: AppendPlan) -> None:
        """Append through the library's recorder behind bench.peer_server."""
        self._served("recorder", batch, append_plan)

    def served_app(self, batch: int, append_plan: AppendPlan) -> None:
        """Append through the library's Application behind bench.peer_server."""
        self._served("app", batch, append_plan)

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

    def inprocess_ledger(self, batch: int, append_plan: AppendPlan) -> None:
        """Append with Ledger.append in this process; keep the rows it wrote for raw_own_rows."""
        if batch != INPROCESS_BATCH:
            return
        site = self.backend.fresh("inl")
        case = InProcess(site)
        try:
            measured = case.ledger_append(append_plan)
        finally:
            case.close()
        self._record(f"append_b{batch}/inprocess-ledger", measured.rate)
        self._record(f"cpu_b{batch}/inprocess-ledger", measured.cpu_us_per_event)
        if self._own_rows is None:
            self._own_rows = read_own_rows(site, [len(b) for b in append_plan.batches])
        drop_site(self.backend, site)

    def _rows_of(self, append_plan: AppendPlan) -> OwnRows:
        """Return the rows newsledger writes for the plan (appending it untimed if need be)."""
        if self._own_rows is None:
            site = self.backend.fresh("rows")
            case = InProcess(site)
            try:
                case.ledger_append(append_plan)
            finally:
                case.close()
            self._own_rows = read_own_rows(site, [len(b) for b in append_plan.batches])
            drop_site(self.backend, site)
        return self._own_rows

    def inprocess_server_path(self, batch: int, append_plan: AppendPlan) -> None:
        """Run the server's AppendEvents work in this process, without gRPC."""
        if batch != INPROCESS_BATCH:
            return
        site = self.backend.fresh("insp")
        case = InProcess(site)
        try:
            measured = case.server_path_append(append_plan)
        finally:
            case.close()
        self._record(f"append_b{batch}/inprocess-server-path", measured.rate)
        self._record(f"cpu_b{batch}/inprocess-server-path", measured.cpu_us_per_event)
        drop_site(self.backend, site)

    def raw_own_rows(self, batch: int, append_plan: AppendPlan) -> None:
        """Write newsledger's own rows of the plan (read after an in-process append) raw."""
        if batch != INPROCESS_BATCH:
            return
        rows = self._rows_of(append_plan)
        site = self.backend.fresh("own")
        writer = RawOwnRows(self.backend, site)
        try:
            self._record(f"append_b{batch}/raw-own-rows", writer.append_rate(rows))
        finally:
            writer.close()
        drop_site(self.backend, site)

    def negotiations(self) -> None:
        """Time appends of 10 statements to negotiations of 400 through gRPC."""
        config = self.config
        site = self.backend.fresh("neg")
        loaded = negotiation_load.load(site, config.negotiations, config.negotiation_statements)
        prepared = negotiation_load.requests(
            loaded, config.negotiation_rounds, config.negotiation_append
        )
        with Server(site) as server, LedgerClient(server.target) as client:
            latencies = negotiation_load.append_latencies(client, prepared)
        drop_site(self.backend, site)
        self._record("negotiation/append_p50", percentile(latencies, 0.5))
        self._record("negotiation/append_p99", percentile(latencies, 0.99))
        log(f"negotiations: append p50 {percentile(latencies, 0.5):.1f} ms")

    def repetition(self, number: int) -> None:
        """Run every case once; the contenders' order rotates between repetitions."""
        contenders: list[Callable[[int, AppendPlan], None]] = [
            self.newsledger,
            self.served_app,
            self.served_recorder,
            self.peer_recorder,
            self.peer_app,
            self.raw,
            self.inprocess_ledger,
            self.raw_own_rows,
            self.inprocess_server_path,
        ]
        shift = number % len(contenders)
        contenders = contenders[shift:] + contenders[:shift]
        for batch, append_plan in self.plans.items():
            for contender in contenders:
                name = f"{self.backend.name} {contender.__name__} batch {batch}"
                attempt(self.results, name, lambda c=contender, b=batch, p=append_plan: c(b, p))
        attempt(self.results, f"{self.backend.name} negotiations", self.negotiations)
