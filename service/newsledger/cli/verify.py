"""`newsledger verify` and `newsledger export`: audit a server or an export file from the shell."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import grpc

from newsledger.audit.cosignature import WitnessPolicy
from newsledger.audit.note import NoteError, parse_vkey
from newsledger.audit.verify.auditor import AuditReport, Progress
from newsledger.audit.verify.export import export_log, verify_export
from newsledger.audit.verify.live import AuditClient, verify_live
from newsledger.audit.verify.state_store import (
    save_state,
    state_directory,
    state_path,
    states_of_origin,
)
from newsledger.audit.verify.trusted_state import AuditError, ForkDetected, TrustedState
from newsledger.cli.exits import ExitCode
from newsledger.cli.progress import progress
from newsledger.client.connection import open_channel

# Findings in the log and a rejected checkpoint or proof are both "verification failed";
# what failed is printed.
EXIT_FINDINGS = EXIT_REJECTED = ExitCode.VERIFICATION_FAILED
# Failures that say nothing about the log: the server could not be reached, or refused us.
_NOT_A_FINDING = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
    }
)


def add_arguments(parser: argparse.ArgumentParser, *, export: bool) -> None:
    """Add the options `verify` (export=False) or `export` (export=True) take."""
    if export:
        parser.add_argument("--output", type=Path, required=True, metavar="FILE")
    else:
        parser.add_argument("--file", type=Path, metavar="FILE", help="verify an export file")
    parser.add_argument(
        "--server", default=None, metavar="HOST:PORT",
        help="a live server (default $NEWSLEDGER_SERVER, when set and no --file is given)",
    )  # fmt: skip
    parser.set_defaults(settle_options=server_from_environment)
    parser.add_argument(
        "--state", type=Path, default=None, metavar="FILE",
        help="trusted state file: pinned origin and key, size, root (default: one per log and "
        "key in the user's state directory, $NEWSLEDGER_STATE_DIR or ~/.local/state/newsledger)",
    )  # fmt: skip
    parser.add_argument("--vkey", default="", metavar="KEY", help="the log's verifier key to pin")
    parser.add_argument("--as-of", default="", metavar="YYYY-MM-DD", help="date of the views")
    parser.add_argument("--evidence-dir", type=Path, default=None, metavar="DIR")
    parser.add_argument(
        "--witness", action="append", default=[], metavar="VKEY",
        help="a witness's cosignature/v1 key (repeatable): require its cosignature",
    )  # fmt: skip
    parser.add_argument(
        "--quorum", type=int, default=None, metavar="K",
        help="how many of the --witness keys must cosign (default: all of them)",
    )  # fmt: skip


def stderr_progress(what: str) -> Progress:
    """Return a progress callback on stderr: a bar on a terminal, plain lines otherwise."""
    return progress(what, unit="entries")


def _as_of(text: str) -> date:
    return date.fromisoformat(text) if text else datetime.now(UTC).date()


def _client(server: str) -> AuditClient:
    return AuditClient(open_channel(server))


def _load_state(path: Path, args: argparse.Namespace) -> TrustedState:
    state = TrustedState.load(path)
    if args.vkey and args.vkey != state.vkey:
        raise AuditError(f"--vkey differs from the key pinned in {path}")
    return state


def _initial_state(args: argparse.Namespace, client: AuditClient | None) -> TrustedState | None:
    """Load the trusted state, pin --vkey, or (live only) trust the server's key on first use."""
    if args.state is not None and args.state.exists():
        return _load_state(args.state, args)
    directory = state_directory()
    if args.vkey:
        try:
            origin = parse_vkey(args.vkey).name
        except NoteError as error:
            raise AuditError(f"--vkey: {error}") from None
        kept = state_path(directory, origin, args.vkey)
        if args.state is None and kept.exists():
            return _load_state(kept, args)
        return TrustedState.pin(origin, args.vkey)
    if client is None:
        return None
    offered = client.checkpoint()
    if args.state is None:
        kept = state_path(directory, offered.origin, offered.verifier_key)
        if kept.exists():
            return _load_state(kept, args)
        earlier = states_of_origin(directory, offered.origin)
        if earlier:
            return earlier[0]  # pinned to another key: only a signed handover moves it
    print(
        f"warning: trusting the server's key on first use: {offered.verifier_key}\n"
        "  compare it with the key `newsledger serve` printed, or pin it with --vkey",
        file=sys.stderr,
    )
    return TrustedState.pin(offered.origin, offered.verifier_key)


def _witnesses(args: argparse.Namespace) -> WitnessPolicy | None:
    if not args.witness:
        if args.quorum is not None:
            raise ValueError("--quorum needs at least one --witness")
        return None
    return WitnessPolicy.from_vkeys(args.witness, args.quorum)


def _save(args: argparse.Namespace, state: TrustedState) -> None:
    if args.state is not None:
        state.save(args.state)
    else:
        save_state(state_directory(), state)


def _evidence_dir(args: argparse.Namespace, state: TrustedState | None) -> Path:
    if args.evidence_dir is not None:
        return Path(args.evidence_dir)
    if args.state is not None:
        return Path(args.state).parent
    if state is not None:
        return state_path(state_directory(), state.origin, state.vkey).parent
    return Path.cwd()


def save_evidence(fork: ForkDetected, directory: Path) -> list[Path]:
    """Write both signed notes and the failing proof of a fork; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    files = {
        directory / f"fork-{stamp}-trusted.note": fork.trusted_note,
        directory / f"fork-{stamp}-presented.note": fork.new_note,
        directory / f"fork-{stamp}-evidence.json": json.dumps(fork.evidence(), indent=2) + "\n",
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)


def _print_report(report: AuditReport, state: TrustedState) -> int:
    for finding in report.findings:
        print(f"FAIL {finding}")
    summary = (
        f"{report.entries_checked} entries, {report.views_checked} views checked "
        f"({report.views_skipped} newer than the checkpoint skipped), tree size {report.size}"
    )
    if not report.ok:
        print(f"verification FAILED at sequence {report.first_failure}: {summary}")
        return EXIT_FINDINGS
    print(f"verified: {summary}; root {state.root.hex()}")
    return 0


def server_from_environment(args: argparse.Namespace) -> None:
    """Take the server from NEWSLEDGER_SERVER when neither --server nor --file is given."""
    if not args.server and not getattr(args, "file", None):
        args.server = os.environ.get("NEWSLEDGER_SERVER") or None


def run_verify(args: argparse.Namespace, client: AuditClient | None = None) -> int:
    """Verify a live server or an export file; keep the advanced state only if all passed."""
    if bool(args.file) == bool(args.server):
        print("newsledger: verify: give exactly one of --server or --file", file=sys.stderr)
        return ExitCode.USAGE
    try:
        witnesses = _witnesses(args)
    except (ValueError, NoteError) as error:
        print(f"newsledger: verify: {error}", file=sys.stderr)
        return ExitCode.USAGE
    if args.server and client is None:
        client = _client(args.server)
    state: TrustedState | None = None
    refused = ""
    try:
        state = _initial_state(args, client)
        if client is not None and state is not None:
            progress = stderr_progress("verify")
            outcome = verify_live(client, state, _as_of(args.as_of), progress, witnesses)
            report, new_state, refused = outcome.report, outcome.new_state, outcome.server_refused
            if outcome.fork is not None:
                _print_report(report, new_state)
                raise outcome.fork
        else:
            report, new_state = verify_export(
                args.file, state, stderr_progress("verify"), witnesses
            )
            if state is None:
                print("warning: no pinned key; the file's own key was used", file=sys.stderr)
    except ForkDetected as fork:
        where = _evidence_dir(args, state)
        print(f"newsledger verify: {fork}", file=sys.stderr)
        for path in save_evidence(fork, where):
            print(f"  evidence saved: {path}", file=sys.stderr)
        return EXIT_REJECTED
    except AuditError as error:
        print(f"newsledger verify: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except grpc.RpcError as error:
        if error.code() in _NOT_A_FINDING:
            raise  # no answer, or no access: classified as every command's (5 or 7)
        print(f"newsledger verify: the server failed: {error.code().name}", file=sys.stderr)
        return EXIT_REJECTED
    if refused:
        print(
            f"newsledger verify: the server refuses to serve a checkpoint ({refused}); its "
            f"entries were checked against the trusted checkpoint of size {new_state.size}",
            file=sys.stderr,
        )
    status = _print_report(report, new_state)
    if refused:
        return status or EXIT_REJECTED
    if witnesses is not None:
        for found in witnesses.cosignatures(new_state.note):
            when = datetime.fromtimestamp(found.timestamp, UTC).isoformat()
            print(f"cosigned by {found.vkey} at {when}")
    if status == 0 and (args.server or args.vkey or args.state is not None):
        _save(args, new_state)
    return status


def run_export(args: argparse.Namespace) -> int:
    """Export the log of a live server to an NDJSON file."""
    if not args.server:
        print("newsledger: export: --server is required", file=sys.stderr)
        return ExitCode.USAGE
    client = _client(args.server)
    try:
        state = _initial_state(args, client)
        assert state is not None
        with args.output.open("w", encoding="utf-8") as out:
            exported = export_log(client, state, out, _as_of(args.as_of), stderr_progress("export"))
    except AuditError as error:
        print(f"newsledger export: {error}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"exported {exported.size} entries to {args.output}")
    return 0
