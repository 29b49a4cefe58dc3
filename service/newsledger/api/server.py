"""Build and run the gRPC server: services, health, reflection, graceful shutdown."""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import threading
from concurrent import futures
from dataclasses import dataclass
from types import FrameType

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from newsledger.api.database_health import (
    PROBE_INTERVAL_SECONDS,
    PROBE_TIMEOUT_SECONDS,
    DatabaseHealth,
)
from newsledger.api.interceptors.auth import AuthInterceptor
from newsledger.api.interceptors.chain import MethodChain
from newsledger.api.interceptors.errors import ErrorInterceptor
from newsledger.api.interceptors.request_guard import RequestGuardInterceptor
from newsledger.api.interceptors.request_log import RequestLogInterceptor
from newsledger.api.interceptors.stream_slots import (
    StreamSlotInterceptor,
    StreamSlots,
    StreamSlotsCollector,
    stream_limit,
)
from newsledger.api.limits import RequestLimits
from newsledger.api.metrics import ServerMetrics
from newsledger.api.reflection import enable_reflection
from newsledger.api.security import ServerSecurity, check_exposure, warn_about_exposure
from newsledger.api.services.audit import AuditService
from newsledger.api.services.event_store import EventStoreService
from newsledger.api.services.negotiations import NegotiationService
from newsledger.application.app import Application
from newsledger.audit.storage.checkpoints import CheckpointRefused
from newsledger.config import DEFAULT_MAX_WORKERS, MAX_MESSAGE_BYTES
from newsledger.store.probe import DatabaseProbe
from newsledger.v1 import (
    audit_pb2,
    audit_pb2_grpc,
    event_store_pb2,
    event_store_pb2_grpc,
    negotiations_pb2,
    negotiations_pb2_grpc,
)

log = logging.getLogger(__name__)

SERVICE_NAMES = (
    event_store_pb2.DESCRIPTOR.services_by_name["EventStoreService"].full_name,
    negotiations_pb2.DESCRIPTOR.services_by_name["NegotiationService"].full_name,
    audit_pb2.DESCRIPTOR.services_by_name["AuditService"].full_name,
)
# Requests a little over the limit still reach the guard, which names the limit.
TRANSPORT_HEADROOM_BYTES = 1024 * 1024


@dataclass
class RunningServer:
    """A started server, the port it bound, and its health servicer."""

    server: grpc.Server
    port: int
    health: health.HealthServicer
    app: Application
    metrics: ServerMetrics | None = None
    stream_slots: StreamSlots | None = None
    database_health: DatabaseHealth | None = None
    probe: DatabaseProbe | None = None

    def stop(self, grace_seconds: float = 5.0) -> None:
        """Report NOT_SERVING, end live subscriptions, and let in-flight calls finish."""
        if self.database_health is not None:
            self.database_health.stop()
        self.health.enter_graceful_shutdown()
        self.app.notifier.close()
        self.server.stop(grace_seconds).wait()
        if self.probe is not None:
            self.probe.close()
        if self.metrics is not None:
            self.metrics.close()


def interceptors(
    security: ServerSecurity,
    limits: RequestLimits,
    metrics: ServerMetrics | None,
    stream_slots: StreamSlots,
) -> list[grpc.ServerInterceptor]:
    """Return the interceptors, outermost first: request log, errors, auth, guard, stream cap."""
    chain: list[grpc.ServerInterceptor] = [
        RequestLogInterceptor([metrics] if metrics else []),
        ErrorInterceptor(),
    ]
    if security.tokens.enabled:
        chain.append(AuthInterceptor(security.tokens))
    chain.append(RequestGuardInterceptor(limits))
    chain.append(StreamSlotInterceptor(stream_slots, security.tokens))
    return chain


def exempt_startup_objects_from_gc() -> None:
    """Leave what starting the server allocated out of the garbage collector's full passes.

    Modules, protobuf descriptors, SQLAlchemy metadata and the like live as long as the
    process; a full collection walked all of them again and again, which showed as pauses of
    30 to 40 ms in calls that allocate a lot (building a large view). Frozen objects are still
    freed by reference counting; only the cycle search skips them.
    """
    gc.collect()
    gc.freeze()


def create_server(
    app: Application,
    address: str,
    max_workers: int = DEFAULT_MAX_WORKERS,
    *,
    security: ServerSecurity | None = None,
    metrics: ServerMetrics | None = None,
    max_streams: int | None = None,
    max_streams_per_caller: int | None = None,
    max_anonymous_streams: int | None = None,
    probe_interval_seconds: float | None = PROBE_INTERVAL_SECONDS,
    probe_timeout_seconds: float = PROBE_TIMEOUT_SECONDS,
) -> RunningServer:
    """Build and start a server for the application on address (port 0 picks a free port).

    Without security the server is open and plaintext, so only loopback is allowed.
    At most max_streams long-lived calls are open at once (default: see
    stream_slots.default_stream_limit), so unary calls always find a worker thread; each
    caller, and anonymous callers together, have smaller budgets within it (StreamSlots).
    Health follows the database, probed every probe_interval_seconds (None: never).
    """
    security = security or ServerSecurity()
    check_exposure(address, security)
    warn_about_exposure(address, security)
    limits = RequestLimits.for_store(app.store.limits)
    stream_slots = StreamSlots(
        stream_limit(max_workers, max_streams), max_streams_per_caller, max_anonymous_streams
    )
    if metrics is not None:
        metrics.registry.register(StreamSlotsCollector(stream_slots))
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc"),
        interceptors=[MethodChain(interceptors(security, limits, metrics, stream_slots))],
        options=[
            (
                "grpc.max_receive_message_length",
                limits.max_request_bytes + TRANSPORT_HEADROOM_BYTES,
            ),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
        ],
    )
    event_store_pb2_grpc.add_EventStoreServiceServicer_to_server(
        EventStoreService(app.ledger), server
    )
    negotiations_pb2_grpc.add_NegotiationServiceServicer_to_server(
        NegotiationService(app.queries), server
    )
    audit_pb2_grpc.add_AuditServiceServicer_to_server(AuditService(app.audit), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    serving = ServingHealth(health_servicer)
    watch_audit_tree(app, serving)
    enable_reflection((*SERVICE_NAMES, health.SERVICE_NAME), server)
    if security.tls is not None:
        port = server.add_secure_port(address, security.tls.credentials())
    else:
        port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    server.start()
    running = RunningServer(
        server=server,
        port=port,
        health=health_servicer,
        app=app,
        metrics=metrics,
        stream_slots=stream_slots,
    )
    if probe_interval_seconds is not None:
        running.probe = DatabaseProbe(app.store.engine, probe_timeout_seconds)
        running.database_health = DatabaseHealth(
            running.probe.check,
            serving.database_answers,
            probe_interval_seconds,
            probe_timeout_seconds,
        )
        running.database_health.start()
    return running


class ServingHealth:
    """The server's health: SERVING while the database answers and the audit tree is sound.

    Two watchers report into it — the database probe, which may flip back and forth, and
    the audit tree check, whose verdict of inconsistency is final until a restart — so one
    cannot report SERVING over the other's NOT_SERVING.
    """

    def __init__(self, servicer: health.HealthServicer) -> None:
        self.servicer = servicer
        self.database_ok = True
        self.tree_ok = True
        self._lock = threading.Lock()
        self._report()

    def database_answers(self, answers: bool) -> None:
        """Record whether the database answers now."""
        with self._lock:
            self.database_ok = answers
            self._report()

    def tree_inconsistent(self) -> None:
        """Record that the audit tree disagrees with its signed checkpoints."""
        with self._lock:
            self.tree_ok = False
            self._report()

    def _report(self) -> None:
        status = health_pb2.HealthCheckResponse.SERVING
        if not (self.database_ok and self.tree_ok):
            status = health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", *SERVICE_NAMES):
            self.servicer.set(name, status)


def watch_audit_tree(app: Application, serving: ServingHealth) -> None:
    """Turn health NOT_SERVING once the stored audit tree is found inconsistent (now or later).

    The check runs at start and whenever a checkpoint is served or signed; from then on the
    audit service refuses checkpoints, and an operator must look before anything is signed.
    """

    def not_serving(problem: str) -> None:
        log.error(
            "the audit tree is inconsistent with its signed checkpoints: %s; refusing to serve "
            "or sign checkpoints, health is NOT_SERVING until the database is repaired and "
            "the server restarted",
            problem,
        )
        serving.tree_inconsistent()

    app.audit.checkpoints.on_inconsistency(not_serving)
    with contextlib.suppress(CheckpointRefused):  # not_serving has logged it
        app.audit.checkpoints.check()


class ShutdownSignals:
    """Turns SIGTERM and SIGINT into a graceful stop; install it before announcing readiness."""

    def __init__(self) -> None:
        self.received = threading.Event()
        self._previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        log.info("received %s, shutting down", signal.Signals(number).name)
        self.received.set()

    def serve_until_received(self, running: RunningServer, grace_seconds: float = 5.0) -> None:
        """Block until a signal arrives, then stop the server and restore the old handlers."""
        try:
            self.received.wait()
        finally:
            running.stop(grace_seconds)
            for sig, handler in self._previous.items():
                signal.signal(sig, handler)
