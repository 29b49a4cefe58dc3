"""The `newsledger` command: run the service, migrate, and query it as a gRPC client."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from google.protobuf import json_format

from newsledger import __version__
from newsledger.cli import verify as verify_cli
from newsledger.cli.keys import add_keys_command
from newsledger.cli.negotiations import add_negotiation_commands
from newsledger.cli.options import add_client_options, add_serve_options
from newsledger.cli.text.output import format_event
from newsledger.cli.witness import add_witness_command
from newsledger.config import DEFAULT_ADDRESS, DEFAULT_MAX_WORKERS, Settings

if TYPE_CHECKING:
    from newsledger.store.event_store import EventStore

Command = Callable[[argparse.Namespace], int]


def _add_server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        default=DEFAULT_ADDRESS,
        metavar="HOST:PORT",
        help=f"address of a running newsledger server (default {DEFAULT_ADDRESS})",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_client_options(parser)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the whole command line."""
    parser = argparse.ArgumentParser(
        prog="newsledger",
        description="An event-sourced, auditable ledger of news about negotiations.",
    )
    parser.add_argument("--version", action="version", version=f"newsledger {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the gRPC service")
    serve.add_argument(
        "--address", default=None, metavar="HOST:PORT", help=f"listen address ({DEFAULT_ADDRESS})"
    )
    serve.add_argument(
        "--migrate", action="store_true", help="bring the database schema to head before serving"
    )
    serve.add_argument(
        "--ingest",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="load a story file before serving (repeatable; loading twice changes nothing)",
    )
    serve.add_argument(
        "--max-streams",
        type=int,
        default=None,
        metavar="N",
        help="most streaming calls open at once; one more is refused with RESOURCE_EXHAUSTED "
        f"(NEWSLEDGER_MAX_STREAMS; 1 to {DEFAULT_MAX_WORKERS - 1}, default: three quarters "
        f"of the {DEFAULT_MAX_WORKERS} worker threads, the rest kept for unary calls)",
    )
    add_serve_options(serve)
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema to head")
    migrate.set_defaults(run=_migrate)

    rebuild = commands.add_parser("rebuild", help="rebuild the negotiation views from the log")
    rebuild.add_argument(
        "--check", action="store_true", help="only report views that differ from a rebuild"
    )
    rebuild.set_defaults(run=_rebuild)

    ingest = commands.add_parser("ingest", help="append a story file's events through the API")
    ingest.add_argument("file", type=Path, metavar="FILE", help="a story file (YAML)")
    _add_server_option(ingest)
    ingest.set_defaults(run=_ingest)

    add_negotiation_commands(commands, _add_server_option)

    events = commands.add_parser("events", help="read the log, or one stream")
    events.add_argument("--stream", default="", help="read only this stream")
    events.add_argument("--from", dest="start", type=int, default=None, help="first position")
    events.add_argument("--backward", action="store_true", help="newest first")
    events.add_argument("--limit", type=int, default=50, help="most events to print (50)")
    events.add_argument(
        "--type", dest="types", action="append", default=[], help="only this event type"
    )
    _add_server_option(events)
    events.set_defaults(run=_events)

    verify = commands.add_parser("verify", help="verify the audit log of a server or an export")
    verify_cli.add_arguments(verify, export=False)
    add_client_options(verify)
    verify.set_defaults(run=verify_cli.run_verify)

    export = commands.add_parser("export", help="export the audit log and its checkpoint (NDJSON)")
    verify_cli.add_arguments(export, export=True)
    add_client_options(export)
    export.set_defaults(run=verify_cli.run_export)
    add_keys_command(commands)
    add_witness_command(commands)
    return parser


def _settings() -> Settings:
    return Settings.from_env()


def _open_store(settings: Settings) -> EventStore:
    """Open the configured database, its schema checked, for work that does not append."""
    from newsledger.bootstrap import open_engine
    from newsledger.store.event_store import EventStore

    engine = open_engine(settings)
    return EventStore(engine, lock_timeout_seconds=settings.lock_timeout_seconds)


def _serve(args: argparse.Namespace) -> int:
    from newsledger.api.interceptors.stream_slots import stream_limit
    from newsledger.api.log_format import configure_logging
    from newsledger.api.metrics import ServerMetrics
    from newsledger.api.security import check_exposure
    from newsledger.api.server import (
        ShutdownSignals,
        create_server,
        exempt_startup_objects_from_gc,
    )
    from newsledger.bootstrap import open_application, open_witness_pump
    from newsledger.cli.options import server_security
    from newsledger.stories.ingest import ingest_story_in_process

    configure_logging(args.log_format)
    signals = ShutdownSignals()
    settings = _settings()
    security = server_security(args, settings)
    check_exposure(args.address or settings.address, security)
    requested_streams = settings.max_streams if args.max_streams is None else args.max_streams
    max_streams = stream_limit(DEFAULT_MAX_WORKERS, requested_streams)
    app = open_application(settings, migrate=args.migrate)
    for path in args.ingest:
        print(ingest_story_in_process(app.ledger, path), flush=True)
    address = args.address or settings.address
    metrics = None
    metrics_address = args.metrics_address or settings.metrics_address
    if metrics_address:
        metrics = ServerMetrics(app.store)
        metrics_port = metrics.serve(metrics_address)
        metrics_host = metrics_address.rsplit(":", 1)[0]
        print(f"metrics on http://{metrics_host}:{metrics_port}/metrics", flush=True)
    running = create_server(
        app,
        address,
        security=security,
        metrics=metrics,
        max_streams=max_streams,
    )
    print(f"audit log {app.audit.origin}, verifier key {app.audit.vkey}", flush=True)
    host = address.rsplit(":", 1)[0]
    print(
        f"newsledger {__version__} serving on {host}:{running.port} "
        f"(database {app.engine.url.render_as_string(hide_password=True)}; "
        f"{_protection(security)}); "
        "Ctrl-C or SIGTERM stops it",
        flush=True,
    )
    pump = open_witness_pump(settings, app)
    if pump is not None:
        pump.start()
    exempt_startup_objects_from_gc()
    signals.serve_until_received(running)
    if pump is not None:
        pump.stop()
    print("newsledger stopped", flush=True)
    return 0


def _protection(security: object) -> str:
    from newsledger.api.security import ServerSecurity

    assert isinstance(security, ServerSecurity)
    tls = "mutual TLS" if security.tls and security.tls.mutual else "TLS" if security.tls else ""
    tokens = f"{len(security.tokens.entries)} token(s)" if security.tokens.enabled else ""
    return " and ".join(part for part in (tls, tokens) if part) or "no authentication"


def _migrate(args: argparse.Namespace) -> int:
    from newsledger.store.engine import create_engine
    from newsledger.store.migrate import upgrade_to_head

    settings = _settings()
    engine = create_engine(settings.database_url)
    before, after = upgrade_to_head(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"{where} is already at schema revision {after}")
    else:
        print(f"{where} migrated from {before or 'an empty database'} to revision {after}")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from newsledger.projections.rebuild import rebuild_views, views_differing_from_rebuild

    store = _open_store(_settings())
    if args.check:
        differing = views_differing_from_rebuild(store)
        for negotiation_id in differing:
            print(f"differs from a rebuild: {negotiation_id}")
        print(f"{len(differing)} view(s) differ from a rebuild")
        return 1 if differing else 0
    count = rebuild_views(store, progress=lambda line: print(line, file=sys.stderr))
    print(f"rebuilt {count} negotiation view(s)")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from newsledger.client.ledger_client import LedgerClient
    from newsledger.stories.ingest import ingest_story_over_grpc

    with LedgerClient(args.server) as client:
        report = ingest_story_over_grpc(client, args.file)
    print(json.dumps(report.as_dict()) if args.json else report)
    return 0


def _events(args: argparse.Namespace) -> int:
    from newsledger.client.ledger_client import LedgerClient
    from newsledger.v1 import event_store_pb2 as es

    direction = es.READ_DIRECTION_BACKWARD if args.backward else es.READ_DIRECTION_FORWARD
    # ReadStream has no type filter, so a stream read with --type filters here.
    filter_here = bool(args.stream and args.types)
    printed = 0
    with LedgerClient(args.server) as client:
        token = ""
        while printed < args.limit:
            size = 1000 if filter_here else min(1000, args.limit - printed)
            page: es.ReadStreamResponse | es.ReadLogResponse
            if args.stream:
                fields = {"from_version": args.start} if args.start is not None else {}
                page = client.read_stream(
                    args.stream, direction=direction, page_size=size, page_token=token, **fields
                )
            else:
                fields = {"from_position": args.start} if args.start is not None else {}
                page = client.read_log(
                    direction=direction,
                    page_size=size,
                    page_token=token,
                    event_types=args.types,
                    **fields,
                )
            for event in page.events:
                if printed >= args.limit:
                    break
                if filter_here and event.event_type not in args.types:
                    continue
                record = json_format.MessageToDict(
                    event,
                    preserving_proto_field_name=True,
                    always_print_fields_with_no_presence=True,
                )
                print(json.dumps(record, ensure_ascii=False) if args.json else format_event(record))
                printed += 1
            token = page.next_page_token
            if not token:
                break
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    from newsledger.api.interceptors.stream_slots import InvalidStreamLimit
    from newsledger.api.security import ExposureRefused
    from newsledger.api.tokens import TokenFileError
    from newsledger.audit.cosignature import CosignatureError
    from newsledger.audit.note import NoteError
    from newsledger.audit.storage.identity import LogIdentityError
    from newsledger.audit.storage.signing_key import KeyFileError
    from newsledger.cli.options import client_security
    from newsledger.cli.witness import WitnessSetupError
    from newsledger.client.connection import use_by_default
    from newsledger.client.ledger_client import ApiError
    from newsledger.config import SigningKeyRequired
    from newsledger.store.errors import SchemaNotReady
    from newsledger.stories.story_file import StoryFileError
    from newsledger.witness.state import WitnessStateError

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    run: Command = args.run
    if hasattr(args, "tls_client_key"):
        use_by_default(client_security(args))
    try:
        return run(args)
    except ApiError as error:
        if error.code.name == "UNAVAILABLE" and not error.reason:
            print(
                f"newsledger: cannot reach a newsledger server at {args.server}; "
                "is `newsledger serve` running there?",
                file=sys.stderr,
            )
        print(f"newsledger: {error}", file=sys.stderr)
        return 1
    except (
        SchemaNotReady,
        StoryFileError,
        KeyFileError,
        LogIdentityError,
        SigningKeyRequired,
        CosignatureError,
        NoteError,
        WitnessSetupError,
        WitnessStateError,
        TokenFileError,
        ExposureRefused,
        InvalidStreamLimit,
    ) as error:
        print(f"newsledger: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as error:  # e.g. a story file that cannot be read, an address in use
        print(f"newsledger: {error}", file=sys.stderr)
        return 2
    finally:
        use_by_default(None)


if __name__ == "__main__":
    sys.exit(main())
