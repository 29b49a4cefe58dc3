"""Prometheus metrics on an opt-in port: RPCs, appends and their latency, subscribers, lag."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from newsledger.api.interceptors.auth import service_of
from newsledger.projections.lag import projection_lag
from newsledger.store.event_store import EventStore

log = logging.getLogger(__name__)

APPEND_METHODS = frozenset(
    {"/newsledger.v1.EventStoreService/AppendEvents", "/newsledger.v1.AuditService/AppendAndProve"}
)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def is_subscription(method: str) -> bool:
    """Tell whether method is a live subscription (Subscribe, or a Watch… stream)."""
    name = method.rsplit("/", 1)[-1]
    return service_of(method).startswith("newsledger.") and (
        name == "Subscribe" or name.startswith("Watch")
    )


class _LedgerCollector(Collector):
    """Reads the log head and the projection lag from the database at scrape time."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        try:
            head = self.store.head_position()
            lag = projection_lag(self.store.engine)
        except Exception:  # a scrape must not fail because the database is away
            log.warning("metrics: cannot read the log head", exc_info=True)
            return
        yield GaugeMetricFamily(
            "newsledger_log_head_position",
            "Position of the last event in the log (-1: empty)",
            value=-1 if head is None else head,
        )
        yield GaugeMetricFamily(
            "newsledger_projection_lag_events",
            "Events of negotiation streams not yet folded into their view",
            value=lag,
        )


class ServerMetrics:
    """The server's metrics; observes every RPC (see request_log.RpcObserver)."""

    def __init__(self, store: EventStore) -> None:
        self.registry = CollectorRegistry()
        self.rpcs = Counter(
            "newsledger_rpcs",
            "RPCs served, by method and status code",
            ["method", "code"],
            registry=self.registry,
        )
        self.rpc_seconds = Histogram(
            "newsledger_rpc_duration_seconds",
            "Time to serve an RPC (streams: until they end)",
            ["method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.appends = Counter(
            "newsledger_appends", "Append RPCs, by status code", ["code"], registry=self.registry
        )
        self.append_seconds = Histogram(
            "newsledger_append_duration_seconds",
            "Time to serve an append RPC",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.subscribers = Gauge(
            "newsledger_subscribers", "Open live subscriptions", registry=self.registry
        )
        self.registry.register(_LedgerCollector(store))
        self._endpoint: tuple[WSGIServer, threading.Thread] | None = None

    def rpc_started(self, method: str) -> None:
        """Count an opened subscription."""
        if is_subscription(method):
            self.subscribers.inc()

    def rpc_finished(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        """Record the RPC's outcome and latency."""
        self.rpcs.labels(method, code.name).inc()
        if is_subscription(method):
            self.subscribers.dec()
        else:
            self.rpc_seconds.labels(method).observe(seconds)
        if method in APPEND_METHODS:
            self.appends.labels(code.name).inc()
            self.append_seconds.observe(seconds)

    def serve(self, address: str) -> int:
        """Serve /metrics over HTTP on HOST:PORT (port 0 picks one); return the port."""
        host, _, port = address.rpartition(":")
        server, thread = start_http_server(int(port), host.strip("[]"), registry=self.registry)
        self._endpoint = (server, thread)
        return int(server.server_port)

    def close(self) -> None:
        """Stop the HTTP endpoint, if one is served."""
        if self._endpoint is not None:
            server, thread = self._endpoint
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
            self._endpoint = None
