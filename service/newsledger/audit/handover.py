"""Key handovers: a signed statement that a log's checkpoints move from one key to the next.

A handover is a signed note (docs/audit.md, "Key rotation") whose text is

    newsledger key handover/v1
    origin <origin>
    old <old verifier key>
    new <new verifier key>
    size <the log's size when it was made>

signed by both keys. The first line holds spaces, so it can never be taken for a checkpoint
(whose first line is an origin). A verifier that pinned the old key follows the handover
to the new one: the old key's signature says the log chose it, the new key's that it exists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsledger.audit.note import NoteError, Signer, open_note, parse_vkey, sign_note

HANDOVER_HEADER = "newsledger key handover/v1"
_TEXT = re.compile(
    r"newsledger key handover/v1\n"
    r"origin (?P<origin>[^\s+]+)\n"
    r"old (?P<old>\S+)\n"
    r"new (?P<new>\S+)\n"
    r"size (?P<size>0|[1-9][0-9]{0,18})\n",
    re.ASCII,
)


class HandoverError(NoteError):
    """A handover is malformed, not signed by both of its keys, or breaks the chain."""


@dataclass(frozen=True, slots=True)
class KeyHandover:
    """A verified handover of a log's checkpoints from one key to the next."""

    origin: str
    old_vkey: str
    new_vkey: str
    size: int
    note: str


def _signed_by_both(text: str, old: Signer, new: Signer) -> str:
    note = sign_note(text, old)
    new_line = sign_note(text, new)[len(text) + 1 :]
    return note + new_line


def make_handover(old: Signer, new: Signer, size: int) -> str:
    """Return the handover note from ``old`` to ``new`` (same origin), signed by both."""
    if old.name != new.name:
        raise HandoverError(f"the new key is named {new.name!r}, not the log's {old.name!r}")
    if old.vkey == new.vkey:
        raise HandoverError("the new key is the old key")
    text = f"{HANDOVER_HEADER}\norigin {old.name}\nold {old.vkey}\nnew {new.vkey}\nsize {size}\n"
    return _signed_by_both(text, old, new)


def open_handover(note: str) -> KeyHandover:
    """Parse a handover and check both keys signed it; raise HandoverError otherwise."""
    split = note.rfind("\n\n")
    found = _TEXT.fullmatch(note[: split + 1]) if split >= 0 else None
    if found is None:
        raise HandoverError("not a key handover note")
    try:
        old, new = parse_vkey(found["old"]), parse_vkey(found["new"])
        for key in (old, new):
            if key.name != found["origin"]:
                raise HandoverError(f"key {key.vkey} is not named for log {found['origin']}")
            open_note(note, [key])
    except HandoverError:
        raise
    except NoteError as error:
        raise HandoverError(f"key handover rejected: {error}") from None
    if old.vkey == new.vkey:
        raise HandoverError("a handover names the same key twice")
    return KeyHandover(found["origin"], old.vkey, new.vkey, int(found["size"]), note)


def follow_handovers(pinned_vkey: str, notes: Sequence[str]) -> list[KeyHandover]:
    """Return the chain of verified handovers from the pinned key to the newest key.

    Notes that do not start from a key of the chain are ignored; one that does but fails to
    verify, or a key handed over twice, raises HandoverError.
    """
    handovers = [open_handover(note) for note in notes]
    chain: list[KeyHandover] = []
    current, seen = pinned_vkey, {pinned_vkey}
    while True:
        following = [h for h in handovers if h.old_vkey == current]
        if not following:
            return chain
        if len({h.new_vkey for h in following}) > 1:
            raise HandoverError(f"key {current} was handed over to two different keys")
        step = following[0]
        if step.new_vkey in seen:
            raise HandoverError("the key handovers form a cycle")
        chain.append(step)
        current = step.new_vkey
        seen.add(current)
