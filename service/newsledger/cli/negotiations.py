"""The `newsledger` commands that read negotiations: state, negotiations, timeline, explain, watch.

Each is a gRPC client of a running server, prints readable text by default and JSON with
`--json`. `--as-of` is a date (valid time); `--known-at` an instant or a date (record time:
a date means the end of that day, UTC); `--reported-by` an instant or a date, read the same
way (only what the press had published by then).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from newsledger.cli.exits import CommandError, ExitCode
from newsledger.cli.text.output import format_negotiations, format_view
from newsledger.cli.text.timeline import format_change, format_explanation, format_timeline

AddServerOption = Callable[[argparse.ArgumentParser], None]
AS_OF_HELP = "the date the view is for: what counts by then, days remaining (default today)"
KNOWN_AT_HELP = (
    "answer as the ledger knew it then: an RFC 3339 instant (2025-06-12T09:00:00Z) or a date "
    "(the end of that day, UTC); default now"
)
REPORTED_BY_HELP = (
    "only what the press had reported by then: an RFC 3339 instant or a date (the end of that "
    "day, UTC); default everything"
)


def non_negative(text: str) -> int:
    """Parse a count or a position: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; give 0 or more")
    return value


def query_date(text: str) -> str:
    """Parse a date option: YYYY-MM-DD (returned as given); empty means unset."""
    if not text:
        return ""
    try:
        date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    if len(text) != 10:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD")
    return text


def known_at(text: str) -> Timestamp | None:
    """Parse --known-at or --reported-by: an RFC 3339 instant, or a date meaning the end of
    that day (UTC)."""
    if not text:
        return None
    stamp = Timestamp()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            stamp.FromDatetime(datetime.combine(day, time.max, tzinfo=UTC))
        else:
            stamp.FromJsonString(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither an RFC 3339 instant nor a date YYYY-MM-DD"
        ) from None
    return stamp


def _as_json(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _print(value: Any, text: str, args: argparse.Namespace) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False) if args.json else text, flush=True)


def add_negotiation_commands(commands: Any, add_server_option: AddServerOption) -> None:
    """Add the negotiation reading commands to the command line's subparsers."""
    state = commands.add_parser("state", help="show a negotiation's view")
    state.add_argument("negotiation", metavar="NEGOTIATION", help="the negotiation's id")
    state.add_argument(
        "--as-of", type=query_date, default="", metavar="YYYY-MM-DD", help=AS_OF_HELP
    )
    state.add_argument(
        "--known-at", type=known_at, default=None, metavar="WHEN", help=KNOWN_AT_HELP
    )
    state.add_argument(
        "--reported-by", type=known_at, default=None, metavar="WHEN", help=REPORTED_BY_HELP
    )
    add_server_option(state)
    state.set_defaults(run=_state)

    listing = commands.add_parser("negotiations", help="list the negotiations")
    listing.add_argument("--party", default="", metavar="PARTY_ID", help="only with this party")
    listing.add_argument(
        "--phase", default="", metavar="PHASE", help="only in this phase, e.g. truce or talks"
    )
    add_server_option(listing)
    listing.set_defaults(run=_negotiations)

    timeline = commands.add_parser(
        "timeline", help="list a negotiation's developments in time order"
    )
    timeline.add_argument("negotiation", metavar="NEGOTIATION", help="the negotiation's id")
    timeline.add_argument(
        "--type",
        dest="types",
        type=event_type,
        action="append",
        default=[],
        help="only this event type (repeatable)",
    )
    timeline.add_argument(
        "--party", default="", metavar="PARTY_ID", help="only involving this party"
    )
    timeline.add_argument(
        "--actor",
        default="",
        metavar="PERSON_ID",
        help="only involving this person or organisation: among the report's actors, the "
        "speaker, a quoted person, or the person it is about",
    )
    timeline.add_argument(
        "--from",
        dest="after",
        type=query_date,
        default="",
        metavar="YYYY-MM-DD",
        help="happened on or after",
    )
    timeline.add_argument(
        "--to",
        dest="before",
        type=query_date,
        default="",
        metavar="YYYY-MM-DD",
        help="happened on or before",
    )
    timeline.add_argument(
        "--known-at", type=known_at, default=None, metavar="WHEN", help=KNOWN_AT_HELP
    )
    timeline.add_argument(
        "--reported-by", type=known_at, default=None, metavar="WHEN", help=REPORTED_BY_HELP
    )
    timeline.add_argument(
        "--limit",
        type=non_negative,
        default=None,
        help="most entries to print (200; exports: all)",
    )
    exports = timeline.add_mutually_exclusive_group()
    exports.add_argument("--csv", action="store_true", help="print CSV for spreadsheets")
    exports.add_argument("--ndjson", action="store_true", help="print one JSON object a line")
    add_server_option(timeline)
    timeline.set_defaults(run=_timeline)

    explain = commands.add_parser("explain", help="say which developments and sources set a field")
    explain.add_argument("negotiation", metavar="NEGOTIATION", help="the negotiation's id")
    explain.add_argument(
        "field", metavar="FIELD", help="a view path: phase, truce.deadline, measures[ID].status…"
    )
    explain.add_argument(
        "--as-of", type=query_date, default="", metavar="YYYY-MM-DD", help=AS_OF_HELP
    )
    explain.add_argument(
        "--known-at", type=known_at, default=None, metavar="WHEN", help=KNOWN_AT_HELP
    )
    explain.add_argument(
        "--reported-by", type=known_at, default=None, metavar="WHEN", help=REPORTED_BY_HELP
    )
    add_server_option(explain)
    explain.set_defaults(run=_explain)

    watch = commands.add_parser("watch", help="print a negotiation's view, then each change to it")
    watch.add_argument("negotiation", metavar="NEGOTIATION", help="the negotiation's id")
    watch.add_argument(
        "--as-of", type=query_date, default="", metavar="YYYY-MM-DD", help=AS_OF_HELP
    )
    watch.add_argument(
        "--reported-by", type=known_at, default=None, metavar="WHEN", help=REPORTED_BY_HELP
    )
    watch.add_argument(
        "--count", type=non_negative, default=0, help="stop after this many messages (0: never)"
    )
    add_server_option(watch)
    watch.set_defaults(run=_watch)


def _client(args: argparse.Namespace) -> Any:
    from newsledger.client.ledger_client import LedgerClient

    return LedgerClient(args.server)


def _state(args: argparse.Namespace) -> int:
    with _client(args) as client:
        response = client.negotiation(
            args.negotiation,
            as_of=args.as_of,
            known_at=args.known_at,
            reported_by=args.reported_by,
        )
    view = _as_json(response.view)
    _print(view, format_view(view), args)
    return 0


def _phase(text: str) -> int:
    from newsledger.v1 import negotiation_view_pb2 as nv

    if not text:
        return 0
    name = text.upper().replace(" ", "_").replace("-", "_")
    name = name if name.startswith("NEGOTIATION_PHASE_") else f"NEGOTIATION_PHASE_{name}"
    names = list(nv.NegotiationPhase.keys())
    if name not in names:
        words = ", ".join(p.removeprefix("NEGOTIATION_PHASE_").lower() for p in names[1:])
        raise CommandError(f"unknown phase {text!r}; one of {words}", ExitCode.USAGE)
    return int(nv.NegotiationPhase.Value(name))


def _negotiations(args: argparse.Namespace) -> int:
    with _client(args) as client:
        found = [_as_json(n) for n in client.list_negotiations(args.party, _phase(args.phase))]
    filters = [
        f"party {args.party}" if args.party else "",
        f"phase {args.phase}" if args.phase else "",
    ]
    wanted = " and ".join(f for f in filters if f)
    if args.json:
        for summary in found:
            print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(f"no negotiations match {wanted}" if wanted and not found else format_negotiations(found))
    return 0


def _timeline(args: argparse.Namespace) -> int:
    if args.after and args.before and args.after > args.before:
        raise CommandError(
            f"--from {args.after} is after --to {args.before}; nothing could match",
            ExitCode.USAGE,
        )
    filters = {
        "event_types": args.types,
        "party_id": args.party,
        "actor_id": args.actor,
        "occurred_after": args.after,
        "occurred_before": args.before,
        "known_at": args.known_at,
        "reported_by": args.reported_by,
    }
    exporting = args.csv or args.ndjson
    limit = args.limit if args.limit is not None else None if exporting else 200
    with _client(args) as client:
        entries: list[dict[str, Any]] = []
        for entry in client.timeline(args.negotiation, **filters):
            if limit is not None and len(entries) >= limit:
                break
            entries.append(_as_json(entry))
    if exporting:
        from newsledger.web.exports import TIMELINE_COLUMNS, timeline_row, to_csv, to_ndjson

        rows = (timeline_row(entry) for entry in entries)
        sys.stdout.write(to_csv(rows, TIMELINE_COLUMNS) if args.csv else to_ndjson(entries))
        return 0
    if args.json:
        for entry in entries:
            print(json.dumps(entry, ensure_ascii=False))
        return 0
    print(format_timeline(entries) or "no developments match")
    return 0


def _explain(args: argparse.Namespace) -> int:
    with _client(args) as client:
        response = client.explain(
            args.negotiation, args.field, args.as_of, args.known_at, args.reported_by
        )
    explanation = _as_json(response)
    _print(explanation, format_explanation(explanation), args)
    return 0


def _watch(args: argparse.Namespace) -> int:
    import grpc

    received = 0
    with _client(args) as client:
        stream = client.watch(args.negotiation, args.as_of, args.reported_by)
        try:
            for received, message in enumerate(_interruptible(stream), start=1):
                change = _as_json(message)
                if args.json:
                    print(json.dumps(change, ensure_ascii=False), flush=True)
                else:
                    print(format_change(change), flush=True)
                if args.count and received >= args.count:
                    break
        except grpc.RpcError as error:
            if received and error.code() == grpc.StatusCode.UNAVAILABLE:
                raise CommandError(
                    f"the server at {args.server} ended the watch after {received} message(s) "
                    f"({error.details() or 'unavailable'})",
                    ExitCode.UNAVAILABLE,
                ) from None
            raise
        finally:
            stream.cancel()
    return 0


def _interruptible(stream: Iterator[Any]) -> Iterator[Any]:
    """Yield the stream's messages, read by a helper thread, so that Ctrl-C always reaches the
    command: the main thread waits only on a queue, never inside the gRPC library."""
    import queue
    import threading

    arrived: queue.Queue[tuple[str, Any]] = queue.Queue()

    def read() -> None:
        try:
            for message in stream:
                arrived.put(("message", message))
        except BaseException as error:  # handed to the main thread, which raises it
            arrived.put(("error", error))
        else:
            arrived.put(("end", None))

    threading.Thread(target=read, name="watch", daemon=True).start()
    while True:
        try:
            kind, value = arrived.get(timeout=0.2)
        except queue.Empty:
            continue
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value


def event_type(name: str) -> str:
    """Parse an event type option: a type the contract declares (developments.proto)."""
    from newsledger.v1 import developments_pb2

    messages = developments_pb2.DESCRIPTOR.message_types_by_name
    known = sorted(n for n, m in messages.items() if "report" in m.fields_by_name)
    if name not in known:
        raise argparse.ArgumentTypeError(f"unknown event type {name!r}; one of {', '.join(known)}")
    return name
