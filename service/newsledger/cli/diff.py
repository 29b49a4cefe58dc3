"""`newsledger diff`: what changed in a negotiation between two points, and why.

`--as-of A --as-of B` compares two dates (valid time), `--known-at K1 --known-at K2` two
record times; one value of an axis serves both points. Each change names the developments
that caused it. Text by default, JSON with --json.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from newsledger.cli.exits import CommandError, ExitCode

MAX_VALUE = 100


def add_diff_command(
    commands: Any, add_server_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add `diff` to the command line's subparsers."""
    diff = commands.add_parser(
        "diff", help="say what changed in a negotiation between two dates or record times"
    )
    diff.add_argument("negotiation", metavar="NEGOTIATION", help="the negotiation's id")
    diff.add_argument(
        "--as-of",
        action="append",
        default=[],
        metavar="YYYY-MM-DD",
        help="a date to compare (twice: from the first to the second; once: both points)",
    )
    diff.add_argument(
        "--known-at",
        action="append",
        default=[],
        metavar="WHEN",
        help="a record time to compare: an RFC 3339 instant or a date (the end of that day, "
        "UTC); twice to compare two, once for both points, none for now",
    )
    add_server_option(diff)
    diff.set_defaults(run=run_diff)


def option_name(control: str) -> str:
    """Return the command-line option of a page control: `as_of` is `--as-of`."""
    return "--" + control.replace("_", "-")


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def format_diff(negotiation_id: str, result: Any) -> str:
    """Return a diff as text: one block per change, its causes indented under it."""
    lines = [
        f"{negotiation_id}: from {result.before.describe()} to {result.after.describe()}: "
        f"{len(result.changes)} change(s)"
    ]
    # With one as_of, a change no development explains is not the calendar's.
    dated = result.before.as_of != result.after.as_of
    uncaused = "no development: the date moved" if dated else "no development found behind it"
    for change in result.changes:
        if change.kind == "changed":
            what = f"{_value(change.before)} → {_value(change.after)}"
        else:
            what = _value(change.after if change.kind == "added" else change.before)
        lines.append(f"  {change.kind:<8} {change.path}: {what}")
        for cause in change.caused_by:
            counts = f", counts from {cause['counts_from']}" if cause.get("counts_from") else ""
            lines.append(
                f"           caused by {cause['development_id']} ({cause['event_type']}{counts}):"
                f" {cause.get('summary', '')}"
            )
        if not change.caused_by:
            lines.append(f"           {uncaused}")
    return "\n".join(lines)


def run_diff(args: argparse.Namespace) -> int:
    """Print what changed between the two points."""
    from newsledger.client.ledger_client import LedgerClient
    from newsledger.web.diff_view import DiffRequest, read_diff
    from newsledger.web.points import BadPoint
    from newsledger.web.reader import PageReader

    try:
        wanted = DiffRequest.from_lists(args.as_of, args.known_at)
    except BadPoint as error:
        raise CommandError(f"{option_name(error.name)}: {error.detail}", ExitCode.USAGE) from None
    with LedgerClient(args.server) as client:
        result = read_diff(PageReader(client), args.negotiation, wanted)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_diff(args.negotiation, result))
    return 0
