"""The `newsledger` command: run the service, migrate, and query it as a gRPC client."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from google.protobuf import json_format

from newsledger import __version__
from newsledger.cli import verify as verify_cli
from newsledger.cli.database import add_database_option, database_settings
from newsledger.cli.diff import add_diff_command
from newsledger.cli.exits import EXIT_CODES_HELP, CommandError, ExitCode, run_command
from newsledger.cli.keys import add_keys_command
from newsledger.cli.negotiations import add_negotiation_commands, event_type, non_negative
from newsledger.cli.options import add_client_options, add_serve_options
from newsledger.cli.progress import Progress, progress
from newsledger.cli.report import add_report_commands
from newsledger.cli.stories import add_story_commands
from newsledger.cli.text.output import format_event
from newsledger.cli.web import add_web_command
from newsledger.cli.witness import add_witness_command
from newsledger.config import DEFAULT_ADDRESS, DEFAULT_MAX_WORKERS, Settings

if TYPE_CHECKING:
    from newsledger.store.event_store import EventStore

Command = Callable[[argparse.Namespace], int]


JSON_HELP = (
    "print JSON instead of text: one object, or one object per line (NDJSON) for lists and "
    "streams; 64-bit integers are decimal strings, as in ProtoJSON"
)


class CommandLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with the usage code."""

    def error(self, message: str) -> NoReturn:
        """Print the problem on one line with where to find help, and exit 2."""
        where = self.prog.removeprefix("newsledger").strip()
        self.exit(
            ExitCode.USAGE,
            f"newsledger: {where + ': ' if where else ''}{message} (see {self.prog} --help)\n",
        )


def default_server() -> str:
    """Return the server address the client commands use unless --server is given."""
    return os.environ.get("NEWSLEDGER_SERVER") or DEFAULT_ADDRESS


def _add_server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        default=default_server(),
        metavar="HOST:PORT",
        help="address of a running newsledger server "
        f"(NEWSLEDGER_SERVER; default {DEFAULT_ADDRESS})",
    )
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    add_client_options(parser)


def _every_command_takes_json(commands: argparse._SubParsersAction[Any]) -> None:
    """Give each command a --json option, so scripts can rely on it everywhere."""
    for command in commands.choices.values():
        command.set_defaults(command_parser=command)
        if not any("--json" in action.option_strings for action in command._actions):
            command.add_argument("--json", action="store_true", help=JSON_HELP)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the whole command line."""
    parser = CommandLineParser(
        prog="newsledger",
        description="An event-sourced, auditable ledger of news about negotiations.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    add_database_option(migrate)
    migrate.set_defaults(run=_migrate)

    rebuild = commands.add_parser("rebuild", help="rebuild the negotiation views from the log")
    rebuild.add_argument(
        "--check",
        action="store_true",
        help="only report views that differ from a rebuild (exit status 0: none differ, "
        f"{ExitCode.VERIFICATION_FAILED:d}: some differ; a check that cannot run exits with "
        "the code of its failure, e.g. 5 when the database is unavailable)",
    )
    add_database_option(rebuild)
    rebuild.set_defaults(run=_rebuild)

    add_story_commands(commands, _add_server_option)
    add_negotiation_commands(commands, _add_server_option)
    for add_picture_command in (add_diff_command, add_report_commands, add_web_command):
        add_picture_command(commands, _add_server_option)

    events = commands.add_parser("events", help="read the log, or one stream")
    events.add_argument("--stream", default="", help="read only this stream")
    events.add_argument(
        "--from", dest="start", type=non_negative, default=None, help="first position (0 or more)"
    )
    events.add_argument("--backward", action="store_true", help="newest first")
    events.add_argument("--limit", type=non_negative, default=50, help="most events to print (50)")
    events.add_argument(
        "--type",
        dest="types",
        type=event_type,
        action="append",
        default=[],
        help="only this event type (repeatable)",
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
    _every_command_takes_json(commands)
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
    from newsledger.cli.database_wait import open_when_reachable
    from newsledger.cli.options import server_security, stream_budgets
    from newsledger.stories.ingest import IngestInterrupted, ingest_story_in_process

    configure_logging(args.log_format)
    signals = ShutdownSignals()
    settings = _settings()
    security = server_security(args, settings)
    check_exposure(args.address or settings.address, security)
    requested_streams = settings.max_streams if args.max_streams is None else args.max_streams
    max_streams = stream_limit(DEFAULT_MAX_WORKERS, requested_streams)
    address = args.address or settings.address
    check_address_free(address)  # before any ingest: a taken port fails at once
    per_caller, anonymous = stream_budgets(args, settings, max_streams)
    app = open_when_reachable(
        lambda: open_application(settings, migrate=args.migrate),
        settings.database_url,
        settings.database_wait_seconds,
        signals.received,
        lambda line: print(line, file=sys.stderr, flush=True),
    )
    if app is None:
        print("newsledger stopped before serving", flush=True)
        return 0
    for path in args.ingest:
        try:
            report = ingest_story_in_process(app.ledger, path, stop=signals.received.is_set)
        except IngestInterrupted as stopped:
            if not signals.received.is_set():
                raise
            print(f"newsledger stopped before serving: {stopped}", flush=True)
            return 0
        _announce(args, str(report), ingested=report.as_dict())
        if signals.received.is_set():
            print("newsledger stopped before serving", flush=True)
            return 0
    metrics = None
    metrics_address = args.metrics_address or settings.metrics_address
    if metrics_address:
        metrics = ServerMetrics(app.store)
        metrics_port = metrics.serve(metrics_address)
        metrics_host = metrics_address.rsplit(":", 1)[0]
        metrics_url = f"http://{metrics_host}:{metrics_port}/metrics"
        _announce(args, f"metrics on {metrics_url}", metrics=metrics_url)
    running = create_server(
        app,
        address,
        security=security,
        metrics=metrics,
        max_streams=max_streams,
        max_streams_per_caller=per_caller,
        max_anonymous_streams=anonymous,
    )
    _announce(
        args,
        f"audit log {app.audit.origin}, verifier key {app.audit.vkey}",
        origin=app.audit.origin,
        verifier_key=app.audit.vkey,
    )
    host = address.rsplit(":", 1)[0]
    database = app.engine.url.render_as_string(hide_password=True)
    _announce(
        args,
        f"newsledger {__version__} serving on {host}:{running.port} "
        f"(database {database}; {_protection(security)}); Ctrl-C or SIGTERM stops it",
        serving=f"{host}:{running.port}",
        version=__version__,
        database=database,
        protection=_protection(security),
    )
    pump = open_witness_pump(settings, app)
    if pump is not None:
        pump.start()
    exempt_startup_objects_from_gc()
    signals.serve_until_received(running)
    if pump is not None:
        pump.stop()
    _announce(args, "newsledger stopped", stopped=True)
    return 0


def _announce(args: argparse.Namespace, text: str, **fields: Any) -> None:
    """Print a line of serve's progress: the text, or with --json one JSON object."""
    print(json.dumps(fields, ensure_ascii=False) if args.json else text, flush=True)


def check_address_free(address: str) -> None:
    """Raise CommandError (unavailable) when something already listens on address."""
    import errno
    import socket

    host, _, port = address.rpartition(":")
    if not port.isdigit() or int(port) == 0:
        return
    host = host.strip("[]") or "0.0.0.0"
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise CommandError(
            f"cannot listen on {address}: {error.strerror}", ExitCode.USAGE
        ) from None
    family, kind, proto, _, where = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(where)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"cannot listen on {address}: the port is already in use "
                    "(is another server running?)",
                    ExitCode.UNAVAILABLE,
                ) from None
            raise CommandError(
                f"cannot listen on {address}: {error.strerror}", ExitCode.UNAVAILABLE
            ) from None


def _protection(security: object) -> str:
    from newsledger.api.security import ServerSecurity

    assert isinstance(security, ServerSecurity)
    tls = "mutual TLS" if security.tls and security.tls.mutual else "TLS" if security.tls else ""
    tokens = f"{len(security.tokens.entries)} token(s)" if security.tokens.enabled else ""
    return " and ".join(part for part in (tls, tokens) if part) or "no authentication"


def _migrate(args: argparse.Namespace) -> int:
    from newsledger.store.engine import create_engine
    from newsledger.store.migrate import upgrade_to_head

    settings = database_settings(args, may_create=True)
    engine = create_engine(settings.database_url)
    before, after = upgrade_to_head(engine)
    where = engine.url.render_as_string(hide_password=True)
    if args.json:
        print(json.dumps({"database": where, "from_revision": before, "to_revision": after}))
    elif before == after:
        print(f"{where} is already at schema revision {after}")
    else:
        print(f"{where} migrated from {before or 'an empty database'} to revision {after}")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from newsledger.projections.rebuild import rebuild_views, views_differing_from_rebuild

    store = _open_store(database_settings(args, may_create=False))
    if args.check:
        differing = views_differing_from_rebuild(store)
        if args.json:
            print(json.dumps({"differing": differing}))
        for negotiation_id in [] if args.json else differing:
            print(f"differs from a rebuild: {negotiation_id}")
        if not args.json:
            print(f"{len(differing)} view(s) differ from a rebuild")
        return ExitCode.VERIFICATION_FAILED if differing else ExitCode.OK
    report = progress("rebuild", unit="negotiations")
    count = rebuild_views(store, progress=lambda line: _rebuilt(report, line))
    print(json.dumps({"rebuilt": count}) if args.json else f"rebuilt {count} negotiation view(s)")
    return 0


def _rebuilt(report: Progress, line: str) -> None:
    """Turn rebuild's `rebuilt N/M: stream` lines into progress."""
    done, _, total = line.removeprefix("rebuilt ").partition(":")[0].partition("/")
    if done.isdigit() and total.isdigit():
        report(int(done), int(total))


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
    if printed == 0 and not args.json:
        print(_nothing_read(args))
    return 0


def _nothing_read(args: argparse.Namespace) -> str:
    """Say why `events` printed nothing: an empty log or stream, or filters that matched none."""
    where = f"stream {args.stream!r}" if args.stream else "the log"
    what = f"of type {', '.join(args.types)} " if args.types else ""
    start = f" from position {args.start}" if args.start is not None else ""
    return f"no events {what}in {where}{start}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (see `newsledger --help`)."""
    from newsledger.cli.options import client_security
    from newsledger.client.connection import use_by_default

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args, unknown = build_parser().parse_known_args(argv)
    if unknown:  # said by the command's own parser, so the line names the command's help
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    run: Command = args.run
    settle_options = getattr(args, "settle_options", None)
    if settle_options is not None:  # options whose defaults depend on other options
        settle_options(args)

    def run_with_security() -> int:
        if hasattr(args, "tls_client_key"):
            use_by_default(client_security(args))
        try:
            return run(args)
        finally:
            use_by_default(None)

    return run_command(run_with_security, args.command, getattr(args, "server", None))


if __name__ == "__main__":
    sys.exit(main())
