"""`newsledger ingest` and `add`: load a story file, or add developments to a negotiation."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newsledger.cli.exits import CommandError, ExitCode, classify
from newsledger.cli.progress import progress
from newsledger.domain.negotiation import NEGOTIATION_ID_PATTERN

MAX_INPUT_BYTES = 8 * 1024 * 1024
"""The most `add` reads, as for a story file (stories.yaml_document.MAX_FILE_BYTES)."""

AddServerOption = Callable[[argparse.ArgumentParser], None]


def add_story_commands(commands: argparse._SubParsersAction[Any], server: AddServerOption) -> None:
    """Add `ingest` and `add` to the command line."""
    ingest = commands.add_parser("ingest", help="append a story file's events through the API")
    ingest.add_argument("file", type=Path, metavar="FILE", help="a story file (YAML)")
    server(ingest)
    ingest.set_defaults(run=run_ingest)

    add = commands.add_parser(
        "add",
        help="add developments to a recorded negotiation",
        description="Add one development (a story file's entry: id, type, payload...) or a "
        "list of them to a negotiation already recorded. Developments recorded before with "
        "the same content are skipped; `corrects:` may name any recorded development.",
    )
    add.add_argument("negotiation_id", metavar="NEGOTIATION", help="the negotiation's id")
    add.add_argument("file", metavar="FILE", help="a YAML file with the entries, or - for stdin")
    server(add)
    add.set_defaults(run=run_add)


def run_ingest(args: argparse.Namespace) -> int:
    """Load a story file through the API and print what it wrote."""
    from newsledger.client.ledger_client import LedgerClient
    from newsledger.stories.ingest import ingest_story_over_grpc

    with LedgerClient(args.server) as client, _partial_load_explained("ingest", args.server):
        report = ingest_story_over_grpc(client, args.file, progress("ingest"))
    print(json.dumps(report.as_dict()) if args.json else report)
    return 0


@contextmanager
def _partial_load_explained(command: str, server: str) -> Iterator[None]:
    """Turn a load stopped part-way into its one line, with the exit code of its cause."""
    from newsledger.stories.ingest import IngestInterrupted

    try:
        yield
    except IngestInterrupted as stopped:
        cause = stopped.__cause__
        code = classify(cause, command, server)[0] if cause is not None else ExitCode.FAILED
        raise CommandError(str(stopped), code) from None


def run_add(args: argparse.Namespace) -> int:
    """Add the developments of a file (or stdin) to a negotiation and print what it wrote."""
    from newsledger.client.ledger_client import LedgerClient
    from newsledger.stories.ingest import add_developments_over_grpc

    if not NEGOTIATION_ID_PATTERN.fullmatch(args.negotiation_id):
        raise CommandError(
            f"{args.negotiation_id!r} is not a negotiation id (a lowercase slug such as "
            "us-china-trade-2025)",
            ExitCode.USAGE,
        )
    text, name = _read_input(args.file)
    with LedgerClient(args.server) as client, _partial_load_explained("add", args.server):
        report = add_developments_over_grpc(
            client, args.negotiation_id, text, name, progress("add")
        )
    print(json.dumps(report.as_dict()) if args.json else report)
    return 0


def _read_input(file: str) -> tuple[str, str]:
    """Return the text of file (`-`: standard input) and the name problems give it.

    A missing file or a directory raises its OSError, which `cli.exits` turns into one line
    and its exit code, as for every command."""
    if file == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        name = "<stdin>"
    else:
        path = Path(file)
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
        name = path.name
    if len(data) > MAX_INPUT_BYTES:
        raise CommandError(
            f"{name}: more than {MAX_INPUT_BYTES} bytes; the limit is {MAX_INPUT_BYTES}",
            ExitCode.INVALID_INPUT,
        )
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{name}: not UTF-8 text ({error.reason} at byte {error.start})",
            ExitCode.INVALID_INPUT,
        ) from None
