"""`newsledger report` and `newsledger measures`: a negotiation at one point, to keep or share.

`report NEG --html FILE` writes the web page at one point as one self-contained HTML file.
`measures NEG` prints each measure's status and rate over time up to the date: text, CSV
(--csv) for spreadsheets, NDJSON (--ndjson) or JSON (--json) for programs.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsledger.cli.diff import option_name
from newsledger.cli.exits import CommandError, ExitCode

AS_OF_HELP = "the date: what counts by then, days remaining (default today)"
KNOWN_AT_HELP = (
    "answer as the ledger knew it then: an RFC 3339 instant or a date (the end of that day, "
    "UTC); default now"
)


def add_report_commands(
    commands: Any, add_server_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add `report` and `measures` to the command line's subparsers."""
    report = commands.add_parser(
        "report", help="write a negotiation's page at one point as one self-contained HTML file"
    )
    report.add_argument("negotiation", metavar="NEGOTIATION", help="the negotiation's id")
    report.add_argument(
        "--html", required=True, type=Path, metavar="FILE", help="the HTML file to write"
    )
    _add_point(report)
    add_server_option(report)
    report.set_defaults(run=run_report)

    measures = commands.add_parser(
        "measures", help="list each measure's status and rate over time up to a date"
    )
    measures.add_argument("negotiation", metavar="NEGOTIATION", help="the negotiation's id")
    _add_point(measures)
    formats = measures.add_mutually_exclusive_group()
    formats.add_argument("--csv", action="store_true", help="print CSV for spreadsheets")
    formats.add_argument("--ndjson", action="store_true", help="print one JSON object a line")
    add_server_option(measures)
    measures.set_defaults(run=run_measures)


def _add_point(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", default="", metavar="YYYY-MM-DD", help=AS_OF_HELP)
    parser.add_argument("--known-at", default="", metavar="WHEN", help=KNOWN_AT_HELP)


def _point(args: argparse.Namespace) -> Any:
    """Return the point the options name, or raise a usage error saying why not."""
    from newsledger.web.points import BadPoint, Point

    try:
        return Point(args.as_of, args.known_at)
    except BadPoint as error:
        raise CommandError(f"{option_name(error.name)}: {error.detail}", ExitCode.USAGE) from None


def write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then renamed. The file
    gets the mode a plain write would give it: the old file's, else 0666 less the umask."""
    directory = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        os.fchmod(descriptor, _mode_for(path))
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def run_report(args: argparse.Namespace) -> int:
    """Write the report file."""
    point = _point(args)
    try:
        from newsledger.web.rendering import render_report
    except ModuleNotFoundError:
        from newsledger.cli.web import MISSING_EXTRA

        missing = MISSING_EXTRA.replace("the web page", "the report")
        raise CommandError(missing, ExitCode.UNAVAILABLE) from None
    from newsledger.client.ledger_client import LedgerClient
    from newsledger.web.reader import PageReader

    with LedgerClient(args.server) as client:
        html = render_report(PageReader(client), args.negotiation, point)
    write_atomically(args.html, html)
    message = {"report": str(args.html), "bytes": len(html.encode())}
    print(json.dumps(message) if args.json else f"wrote {args.html} ({message['bytes']} bytes)")
    return 0


def run_measures(args: argparse.Namespace) -> int:
    """Print the measures over time."""
    point = _point(args)
    from newsledger.client.ledger_client import LedgerClient
    from newsledger.web.exports import MEASURE_COLUMNS, measure_rows, to_csv, to_ndjson
    from newsledger.web.reader import PageReader

    with LedgerClient(args.server) as client:
        picture = PageReader(client).picture(args.negotiation, point)
    rows = measure_rows(picture.series)
    if args.csv:
        sys.stdout.write(to_csv(rows, MEASURE_COLUMNS))
    elif args.ndjson:
        sys.stdout.write(to_ndjson(rows))
    elif args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print(format_measures(rows, picture.as_of.isoformat()))
    return 0


def format_measures(rows: list[dict[str, str]], as_of: str) -> str:
    """Return one line per measure per stretch of days: dates, status, rate, measure."""
    if not rows:
        return f"no measures reported as of {as_of}"
    lines = []
    for row in rows:
        rate = f"{row['rate_percent']}%" if row["rate_percent"] else row["rate_phrase"] or "-"
        force = "in force" if row["in_force"] == "true" else ""
        lines.append(
            f"{row['from']} to {row['until']}  {row['status']:<10} {force:<8} {rate:<24} "
            f"{row['measure_id']} ({row['imposed_by'] or 'side not reported'})"
        )
    return "\n".join(lines)
