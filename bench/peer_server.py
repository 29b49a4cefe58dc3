"""The reference library served over gRPC: a minimal server in front of `eventsourcing`.

    python -m bench.peer_server --level recorder|app   (the library's settings in the environment)

Compares a served store with a served store. The server takes newsledger's own
``AppendEventsRequest`` (so both carry the same bytes on the same transport, sent by the same
client code) on one generic method, ``/bench.peer.PeerStore/AppendEvents``, one RPC per batch,
with newsledger's gRPC server options and worker pool, and no interceptors:

- ``recorder``: ``ApplicationRecorder.insert_events`` of the batch, the payload JSON text as
  the stored state (as the in-process recorder case stores it);
- ``app``: the library's ``Application``: the stream's aggregate is created (no stream
  expected) or taken from the repository (the library's aggregate cache, fast-forwarded),
  one ``record`` per event from the parsed payload, and one ``save``.

It answers with each event's position (notification id) and the stream version, as
newsledger does. ``PeerServer`` runs it as a subprocess on a free loopback port, as
``bench.server.Server`` runs ``newsledger serve``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc

from bench.backends import Site
from bench.stats import rate
from bench.workload import NAMESPACE
from newsledger.client.connection import open_channel
from newsledger.v1 import event_store_pb2 as es

SERVICE = "bench.peer.PeerStore"
METHOD = f"/{SERVICE}/AppendEvents"
TIMEOUT = 120.0
LEVELS = ("recorder", "app")
ROOT = Path(__file__).resolve().parents[1]


def server_options() -> tuple[int, list[tuple[str, int]]]:
    """Return newsledger's worker count and gRPC server options (see newsledger.api.server)."""
    from newsledger.api.limits import RequestLimits
    from newsledger.api.server import TRANSPORT_HEADROOM_BYTES
    from newsledger.config import DEFAULT_MAX_WORKERS, MAX_MESSAGE_BYTES
    from newsledger.store.limits import StoreLimits

    limits = RequestLimits.for_store(StoreLimits())
    return DEFAULT_MAX_WORKERS, [
        ("grpc.max_receive_message_length", limits.max_request_bytes + TRANSPORT_HEADROOM_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ("grpc.so_reuseport", 0),
    ]


def originator(stream: str) -> uuid.UUID:
    """Return the library's originator id of a stream (as bench.peer names them)."""
    return uuid.uuid5(NAMESPACE, stream)


def _expected_version(request: es.AppendEventsRequest) -> int | None:
    """Return the library's version the stream must be at (0: no stream), None for any."""
    expected = request.expected_version
    kind = expected.WhichOneof("expectation")
    if kind == "no_stream":
        return 0
    if kind == "exact":
        return int(expected.exact) + 1  # the library counts versions from 1
    return None


def _response(first_id: int, stream_version: int, request: es.AppendEventsRequest) -> Any:
    """Return the AppendEventsResponse of a batch whose first notification id is first_id."""
    first_version = stream_version - len(request.events) + 1
    response = es.AppendEventsResponse(
        positions=[
            es.EventPosition(
                event_id=e.event_id, position=first_id + n, stream_version=first_version + n
            )
            for n, e in enumerate(request.events)
        ],
        stream_version=stream_version,
    )
    response.record_time.GetCurrentTime()
    return response


def recorder_handler(env: dict[str, str]) -> Callable[[Any, grpc.ServicerContext], Any]:
    """Return the AppendEvents behaviour over the library's ApplicationRecorder."""
    from eventsourcing.persistence import InfrastructureFactory, StoredEvent
    from eventsourcing.utils import Environment

    factory: Any = InfrastructureFactory.construct(
        Environment("peer", {**env, "CREATE_TABLE": "y"})
    )
    recorder = factory.application_recorder()
    recorder.max_notification_id()

    def append(request: es.AppendEventsRequest, context: grpc.ServicerContext) -> Any:
        first = _expected_version(request) or 0
        owner = originator(request.stream)
        events = [
            StoredEvent(
                originator_id=owner,
                originator_version=first + 1 + n,
                topic=f"bench.events:{e.event_type}",
                state=e.payload_json.encode(),
            )
            for n, e in enumerate(request.events)
        ]
        try:
            ids = recorder.insert_events(events)
        except Exception as error:  # the library's IntegrityError: a version already taken
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(error)[:200])
        return _response(ids[0], first + len(events) - 1, request)

    return append


def app_handler(env: dict[str, str]) -> Callable[[Any, grpc.ServicerContext], Any]:
    """Return the AppendEvents behaviour over the library's Application and aggregates."""
    from bench.peer import BenchApp, BenchStream

    app: Any = BenchApp(env={**env, "AGGREGATE_CACHE_MAXSIZE": "10000"})
    app.recorder.max_notification_id()
    ids: dict[str, uuid.UUID] = {}

    def append(request: es.AppendEventsRequest, context: grpc.ServicerContext) -> Any:
        expected = _expected_version(request)
        payloads = [json.loads(e.payload_json) for e in request.events]
        if expected == 0:
            aggregate = BenchStream(name=request.stream, payload=payloads[0])
            ids[request.stream] = aggregate.id
            rest = payloads[1:]
            kinds = [e.event_type for e in request.events[1:]]
        else:
            aggregate = app.repository.get(ids[request.stream])
            if expected is not None and aggregate.version != expected:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, "wrong expected version")
            rest = payloads
            kinds = [e.event_type for e in request.events]
        for kind, payload in zip(kinds, rest, strict=True):
            aggregate.record(kind=kind, payload=payload)
        recordings = app.save(aggregate)
        return _response(recordings[0].notification.id, aggregate.version - 1, request)

    return append


def serve(level: str, env: dict[str, str]) -> None:
    """Serve AppendEvents on a free loopback port until SIGTERM; print the port when ready."""
    behaviour = recorder_handler(env) if level == "recorder" else app_handler(env)
    handler = grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "AppendEvents": grpc.unary_unary_rpc_method_handler(
                behaviour,
                request_deserializer=es.AppendEventsRequest.FromString,
                response_serializer=es.AppendEventsResponse.SerializeToString,
            )
        },
    )
    workers, options = server_options()
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rpc"),
        handlers=[handler],
        options=options,
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"serving on 127.0.0.1:{port}", flush=True)
    stop.wait()
    server.stop(2).wait()


class PeerServer:
    """The served library as a subprocess on one site, stopped on exit."""

    def __init__(self, site: Site, level: str, start_timeout: float = 60.0) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="peer-serve-"))
        self.log_path = self.folder / "server.log"
        self._log = self.log_path.open("w")
        env = {**os.environ, **site.eventsourcing_env()}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "bench.peer_server", "--level", level]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        self.target = f"127.0.0.1:{self._wait_ready(start_timeout)}"

    @property
    def pid(self) -> int:
        """Return the server process id."""
        return self.process.pid

    def _wait_ready(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            if "serving on 127.0.0.1:" in text:
                return int(text.split("serving on 127.0.0.1:", 1)[1].split()[0])
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        tail = self.log_path.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"the peer server did not start:\n{tail}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then kill if it lingers) and remove its folder."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        for path in self.folder.iterdir():
            path.unlink()
        self.folder.rmdir()

    def __enter__(self) -> PeerServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def append_rate(target: str, requests: list[es.AppendEventsRequest]) -> float:
    """Send the requests one after another to a PeerServer; return events per second.

    The channel is opened as LedgerClient opens its own, and each call is a unary call
    with the same timeout, so client costs match newsledger's case.
    """
    channel = open_channel(target)
    try:
        call = channel.unary_unary(
            METHOD,
            request_serializer=es.AppendEventsRequest.SerializeToString,
            response_deserializer=es.AppendEventsResponse.FromString,
        )
        count = sum(len(request.events) for request in requests)
        started = time.perf_counter()
        for request in requests:
            call(request, timeout=TIMEOUT)
        return rate(count, time.perf_counter() - started)
    finally:
        channel.close()


def _library_env() -> dict[str, str]:
    """Return the library's settings from this process's environment."""
    prefixes = ("PERSISTENCE_MODULE", "SQLITE_", "POSTGRES_")
    return {k: v for k, v in os.environ.items() if k.startswith(prefixes)}


def main(argv: list[str] | None = None) -> int:
    """Parse the level and serve."""
    parser = argparse.ArgumentParser(prog="python -m bench.peer_server", description=__doc__)
    parser.add_argument("--level", choices=LEVELS, required=True)
    args = parser.parse_args(argv)
    serve(args.level, _library_env())
    return 0


if __name__ == "__main__":
    sys.exit(main())
