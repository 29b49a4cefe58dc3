"""Where `verify` keeps its trusted states: the user's state directory, one file per log and key.

The directory is `$NEWSLEDGER_STATE_DIR`, else `$XDG_STATE_HOME/newsledger`, else
`~/.local/state/newsledger`; each state is `trusted/<sha256(origin)[:32]>/<sha256(vkey)[:32]>.json`,
so two logs, or one log's successive keys, never share a file, and nothing is written into the
working directory.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from newsledger.audit.verify.trusted_state import AuditError, TrustedState


def state_directory(env: Mapping[str, str] | None = None) -> Path:
    """Return the directory the trusted states live in."""
    env = os.environ if env is None else env
    if env.get("NEWSLEDGER_STATE_DIR"):
        return Path(env["NEWSLEDGER_STATE_DIR"])
    if env.get("XDG_STATE_HOME"):
        return Path(env["XDG_STATE_HOME"]) / "newsledger"
    return Path.home() / ".local" / "state" / "newsledger"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def state_path(directory: Path, origin: str, vkey: str) -> Path:
    """Return the file of the trusted state of ``origin`` pinned to ``vkey``."""
    return directory / "trusted" / _digest(origin) / f"{_digest(vkey)}.json"


def states_of_origin(directory: Path, origin: str) -> list[TrustedState]:
    """Return the states kept for a log under any key, most recently written first."""
    folder = directory / "trusted" / _digest(origin)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
    states = []
    for path in files:
        try:
            state = TrustedState.load(path)
        except (AuditError, OSError):
            continue
        if state.origin == origin:
            states.append(state)
    return states


def save_state(directory: Path, state: TrustedState) -> Path:
    """Write ``state`` to its file (creating private directories); return the path."""
    path = state_path(directory, state.origin, state.vkey)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    state.save(path)
    return path
