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
from grpc_reflection.v1alpha import reflection

from newsledger.api.interceptors.auth import AuthInterceptor
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
from newsledger.api.security import ServerSecurity, check_exposure, warn_about_exposure
from newsledger.api.services.audit import AuditService
from newsledger.api.services.event_store import EventStoreService
from newsledger.api.services.negotiations import NegotiationService
from newsledger.application.app import Application
from newsledger.audit.storage.checkpoints import CheckpointRefused
from newsledger.config import DEFAULT_MAX_WORKERS, MAX_MESSAGE_BYTES
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

    def stop(self, grace_seconds: float = 5.0) -> None:
        """Report NOT_SERVING, end live subscriptions, and let in-flight calls finish."""
        self.health.enter_graceful_shutdown()
        self.app.notifier.close()
        self.server.stop(grace_seconds).wait()
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
    chain.append(StreamSlotInterceptor(stream_slots))
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
) -> RunningServer:
    """Build and start a server for the application on address (port 0 picks a free port).

    Without security the server is open and plaintext, so only loopback is allowed.
    At most max_streams server-streaming calls are open at once (default: see
    stream_slots.default_stream_limit), so unary calls always find a worker thread.
    """
    security = security or ServerSecurity()
    check_exposure(address, security)
    warn_about_exposure(address, security)
    limits = RequestLimits.for_store(app.store.limits)
    stream_slots = StreamSlots(stream_limit(max_workers, max_streams))
    if metrics is not None:
        metrics.registry.register(StreamSlotsCollector(stream_slots))
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc"),
        interceptors=interceptors(security, limits, metrics, stream_slots),
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
    for name in ("", *SERVICE_NAMES):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    watch_audit_tree(app, health_servicer)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    if security.tls is not None:
        port = server.add_secure_port(address, security.tls.credentials())
    else:
        port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    server.start()
    return RunningServer(
        server=server,
        port=port,
        health=health_servicer,
        app=app,
        metrics=metrics,
        stream_slots=stream_slots,
    )


def watch_audit_tree(app: Application, health_servicer: health.HealthServicer) -> None:
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
        for name in ("", *SERVICE_NAMES):
            health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)

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
