"""`newsledger keys`: show the log's signing keys, create the first one, rotate to a new one.

Every replica of a log signs with one key. `create` makes it before the first server starts
(for PostgreSQL, where no default location exists); `rotate` hands the log over to a new key
with a note signed by both keys, which verifiers follow, and every replica is then restarted
with the new key file.
"""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsledger.config import Settings, signing_key_location

log = logging.getLogger(__name__)


def add_keys_command(commands: Any) -> None:
    """Register `newsledger keys show|create|rotate`."""
    keys = commands.add_parser("keys", help="show, create or rotate the log's signing key")
    actions = keys.add_subparsers(dest="keys_action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="the log's origin, its keys, and the key file's key")
    show.set_defaults(run=_show)
    create = actions.add_parser("create", help="create the log's signing key file")
    create.add_argument("--key", type=Path, default=None, metavar="FILE",
                        help="where to write it (default: NEWSLEDGER_SIGNING_KEY or beside "
                        "the SQLite file)")  # fmt: skip
    create.set_defaults(run=_create)
    rotate = actions.add_parser("rotate", help="hand the log over to a new key, signed by both")
    rotate.add_argument("--new-key", type=Path, required=True, metavar="FILE",
                        help="where to write the new key (must not exist)")  # fmt: skip
    rotate.set_defaults(run=_rotate)


def _time(micros: int | None) -> str:
    if micros is None:
        return ""
    return datetime.fromtimestamp(micros / 1e6, UTC).isoformat(timespec="seconds")


def _show(args: argparse.Namespace) -> int:
    from newsledger.audit.storage.identity import recorded_keys, recorded_origin
    from newsledger.audit.storage.signing_key import load_signer
    from newsledger.bootstrap import open_engine

    settings = Settings.from_env()
    engine = open_engine(settings)
    with engine.connect() as connection:
        origin = recorded_origin(connection)
        keys = recorded_keys(connection)
    print(f"log origin: {origin or '(not recorded yet: fixed when the first server starts)'}")
    for key in keys:
        status = f"retired {_time(key.retired_at_us)}" if key.retired_at_us else "signing"
        print(f"key {key.vkey} ({status}; since {_time(key.activated_at_us)})")
    path = signing_key_location(settings)
    if path is None:
        print("key file: none (an in-memory database signs with a throwaway key)")
    elif not path.exists():
        print(f"key file: {path} (missing)")
    else:
        signer = load_signer(path, origin or "")
        active = [key.vkey for key in keys if key.retired_at_us is None]
        match = "the log's signing key" if signer.vkey in active else "NOT the log's signing key"
        print(f"key file: {path}: {signer.vkey} ({match})")
        print(f"verifier key to pin: {signer.vkey}")
    return 0


def _create(args: argparse.Namespace) -> int:
    from newsledger.audit.note import generate_signer
    from newsledger.audit.storage.identity import adopt_signer, establish_origin, key_expected
    from newsledger.audit.storage.signing_key import KeyFileError, write_new_key_file
    from newsledger.bootstrap import open_engine

    settings = Settings.from_env()
    engine = open_engine(settings)
    path = args.key or signing_key_location(settings)
    if path is None:
        raise KeyFileError("an in-memory database needs no key file")
    expected = key_expected(engine)
    if expected is not None:
        raise KeyFileError(f"this log already has its signing key, {expected}: share its file")
    origin = establish_origin(engine, settings.log_origin)
    signer = generate_signer(origin)
    try:
        write_new_key_file(path, signer)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists; nothing was written") from None
    adopt_signer(engine, signer, path)
    print(f"created {path} for log {origin}")
    print(f"verifier key to pin: {signer.vkey}")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from newsledger.audit.note import generate_signer
    from newsledger.audit.storage.identity import rotate_key
    from newsledger.audit.storage.signing_key import KeyFileError, write_new_key_file
    from newsledger.bootstrap import open_engine, open_signer

    settings = Settings.from_env()
    engine = open_engine(settings)
    old = open_signer(settings, engine)  # refuses unless it is the log's signing key
    new = generate_signer(old.name)
    try:
        write_new_key_file(args.new_key, new)
    except FileExistsError:
        raise KeyFileError(f"{args.new_key} already exists; nothing was rotated") from None
    handover = rotate_key(engine, old, new)
    log.warning("signing key of log %s handed over from %s to %s", old.name, old.vkey, new.vkey)
    print(f"the log {old.name} is now signed by {new.vkey} (key file {args.new_key})")
    print("restart every replica with NEWSLEDGER_SIGNING_KEY pointing at the new key file;")
    print("verifiers follow this handover, signed by both keys:")
    print(handover.note, end="")
    return 0
