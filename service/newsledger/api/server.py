"""Build and run the gRPC server: services, health, reflection, graceful shutdown."""

from __future__ import annotations

import logging
import signal
import threading
from concurrent import futures
from dataclasses import dataclass
from types import FrameType

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from newsledger.api.errors import ErrorInterceptor
from newsledger.api.event_store_service import EventStoreService
from newsledger.api.negotiation_service import NegotiationService
from newsledger.ledger import Ledger
from newsledger.v1 import (
    event_store_pb2,
    event_store_pb2_grpc,
    negotiations_pb2,
    negotiations_pb2_grpc,
)

log = logging.getLogger(__name__)

SERVICE_NAMES = (
    event_store_pb2.DESCRIPTOR.services_by_name["EventStoreService"].full_name,
    negotiations_pb2.DESCRIPTOR.services_by_name["NegotiationService"].full_name,
)
MAX_MESSAGE_BYTES = 8 * 1024 * 1024


@dataclass
class RunningServer:
    """A started server, the port it bound, and its health servicer."""

    server: grpc.Server
    port: int
    health: health.HealthServicer
    ledger: Ledger

    def stop(self, grace_seconds: float = 5.0) -> None:
        """Report NOT_SERVING, end live subscriptions, and let in-flight calls finish."""
        self.health.enter_graceful_shutdown()
        self.ledger.notifier.close()
        self.server.stop(grace_seconds).wait()


def create_server(ledger: Ledger, address: str, max_workers: int = 64) -> RunningServer:
    """Build and start a server for ledger on address (port 0 picks a free port)."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc"),
        interceptors=[ErrorInterceptor()],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
        ],
    )
    event_store_pb2_grpc.add_EventStoreServiceServicer_to_server(EventStoreService(ledger), server)
    negotiations_pb2_grpc.add_NegotiationServiceServicer_to_server(
        NegotiationService(ledger), server
    )
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", *SERVICE_NAMES):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    server.start()
    return RunningServer(server=server, port=port, health=health_servicer, ledger=ledger)


def run_until_signalled(running: RunningServer, grace_seconds: float = 5.0) -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully."""
    stopping = threading.Event()

    def on_signal(number: int, _frame: FrameType | None) -> None:
        log.info("received %s, shutting down", signal.Signals(number).name)
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        stopping.wait()
    finally:
        running.stop(grace_seconds)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
