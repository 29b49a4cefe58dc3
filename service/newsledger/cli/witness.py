"""`newsledger witness`: run a C2SP witness with its own key and state (init, add-log, serve…).

The witness is a separate trust domain: its key file and SQLite file are its own, never the
log's. `init` creates both and prints the witness's key to give to logs and verifiers.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from newsledger.audit.cosignature import Cosigner, generate_cosigner, parse_cosigner_skey
from newsledger.audit.note import parse_vkey
from newsledger.witness.state import WitnessState

DEFAULT_LISTEN = "127.0.0.1:7380"


class WitnessSetupError(ValueError):
    """A witness command was given a missing or unusable file or option."""


def add_witness_command(commands: Any) -> None:
    """Register `newsledger witness init|add-log|serve|status|evidence`."""
    witness = commands.add_parser("witness", help="run a witness that cosigns log checkpoints")
    actions = witness.add_subparsers(dest="witness_action", required=True, metavar="ACTION")

    def files(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--db", type=Path, required=True, metavar="FILE",
                            help="the witness's own SQLite file")  # fmt: skip
        parser.add_argument("--key", type=Path, required=True, metavar="FILE",
                            help="the witness's private key file")  # fmt: skip

    init = actions.add_parser("init", help="create the witness's key and database")
    files(init)
    init.add_argument(
        "--name", required=True, help="the witness's name, e.g. witness.example.org/w1"
    )
    init.set_defaults(run=_init)
    add_log = actions.add_parser("add-log", help="trust a log's key (its name is the origin)")
    files(add_log)
    add_log.add_argument("--vkey", required=True, metavar="LOGVKEY")
    add_log.set_defaults(run=_add_log)
    serve = actions.add_parser("serve", help="answer add-checkpoint requests over HTTP")
    files(serve)
    serve.add_argument("--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT")
    serve.add_argument("--prefix", default="", help="URL path prefix of the endpoints")
    serve.set_defaults(run=_serve)
    status = actions.add_parser("status", help="the last checkpoint cosigned per log")
    files(status)
    status.set_defaults(run=_status)
    evidence = actions.add_parser("evidence", help="print the contradictions kept, as JSON")
    files(evidence)
    evidence.add_argument("--origin", default=None)
    evidence.set_defaults(run=_evidence)


def _cosigner(path: Path) -> Cosigner:
    try:
        return parse_cosigner_skey(path.read_text(encoding="ascii").strip("\n"))
    except OSError as error:
        raise WitnessSetupError(f"cannot read the witness key {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise WitnessSetupError(f"the witness key {path} is not text") from None


def _open(args: argparse.Namespace) -> tuple[Cosigner, WitnessState]:
    cosigner = _cosigner(args.key)
    return cosigner, WitnessState.open(args.db, cosigner.vkey)


def _init(args: argparse.Namespace) -> int:
    if args.key.exists():
        raise WitnessSetupError(f"{args.key} already exists; nothing was written")
    cosigner = generate_cosigner(args.name)
    WitnessState.create(args.db, cosigner.vkey).close()
    args.key.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(args.key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(cosigner.skey + "\n")
    print(f"witness key: {cosigner.vkey}")
    return 0


def _add_log(args: argparse.Namespace) -> int:
    _, state = _open(args)
    key = parse_vkey(args.vkey)
    state.add_log(key.name, key.vkey)
    print(f"trusting {key.vkey} for log {key.name}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import logging

    from newsledger.witness.http import WitnessServer
    from newsledger.witness.service import Witness

    logging.getLogger().setLevel(logging.INFO)
    cosigner, state = _open(args)
    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        raise WitnessSetupError(f"--listen must be HOST:PORT, not {args.listen!r}")
    server = WitnessServer(Witness(state, cosigner), host, int(port), args.prefix)
    print(f"witness {cosigner.vkey} listening on http://{host}:{server.port}{args.prefix}",
          flush=True)  # fmt: skip
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()
    return 0


def _status(args: argparse.Namespace) -> int:
    _, state = _open(args)
    for origin in state.origins():
        current = state.log_state(origin)
        print(f"{origin}: size {current.size}, root {current.root.hex()}, "
              f"cosigned at {current.cosigned_at}")  # fmt: skip
    return 0


def _evidence(args: argparse.Namespace) -> int:
    _, state = _open(args)
    for item in state.evidence(args.origin):
        print(json.dumps(item.to_json(), ensure_ascii=False))
    return 0
