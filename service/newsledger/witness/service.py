"""The witness's answer to `add-checkpoint` (c2sp.org/tlog-witness), transport-free.

`Witness.add_checkpoint(body)` applies the spec's checks in its order and returns the HTTP
status, headers and body; the HTTP layer only moves bytes. A checkpoint is cosigned only if
its log signature verifies with a trusted key, the client's old size equals the size last
cosigned, and a consistency proof links the two; the new state is committed before the
cosignature leaves. A validly signed checkpoint that contradicts the stored one is kept as
evidence.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from dataclasses import dataclass, field

from newsledger.audit.checkpoint import format_checkpoint, parse_checkpoint
from newsledger.audit.cosignature import Cosigner
from newsledger.audit.merkle import EMPTY_ROOT, ProofError, verify_consistency
from newsledger.audit.note import EM_DASH, NoteError, open_note, parse_vkey, strict_b64decode
from newsledger.witness.state import Evidence, LogState, WitnessState

MAX_BODY_BYTES = 64 * 1024
MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
_OLD_LINE = re.compile(r"old (0|[1-9][0-9]{0,18})", re.ASCII)


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer: status, headers and body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _text(status: int, message: str) -> Response:
    return Response(status, (message + "\n").encode(), {"Content-Type": TEXT_CONTENT_TYPE})


class BadRequest(ValueError):
    """The request head (old size, proof lines) is malformed."""


def parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    """Split an add-checkpoint body into old size, proof hashes and the note (BadRequest)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None
    head, blank, note = text.partition("\n\n")
    if not blank:
        raise BadRequest("no empty line between the request head and the checkpoint")
    lines = head.split("\n")
    found = _OLD_LINE.fullmatch(lines[0])
    if found is None or int(found[1]) > 2**63 - 1:
        raise BadRequest("the first line must be `old <size>` in canonical decimal")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise BadRequest(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            hashed = strict_b64decode(line, "a proof line")
        except NoteError as error:
            raise BadRequest(str(error)) from None
        if len(hashed) != 32:
            raise BadRequest("a proof line must encode a 32-byte hash")
        proof.append(hashed)
    return int(found[1]), proof, note


class Witness:
    """Cosigns checkpoints of the logs it trusts, never two histories of one log."""

    def __init__(self, state: WitnessState, cosigner: Cosigner) -> None:
        """Witness with ``cosigner``'s key, keeping what it cosigned in ``state``."""
        self.state = state
        self.cosigner = cosigner
        self._lock = threading.Lock()  # one request at a time per process; BEGIN IMMEDIATE across

    def add_checkpoint(self, body: bytes) -> Response:
        """Answer one add-checkpoint request body."""
        if len(body) > MAX_BODY_BYTES:
            return _text(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            old_size, proof, note = parse_request(body)
        except BadRequest as error:
            return _text(400, str(error))
        origin = note.split("\n", 1)[0]
        keys = self.state.log_keys(origin)
        if not keys:
            return _text(404, f"unknown log {origin!r}")
        framing = note.rfind("\n\n")
        if framing < 0 or not note.endswith("\n") or not note[framing + 2 :]:
            return _text(400, "the checkpoint is not a signed note")
        try:
            text, signatures = open_note(note, [parse_vkey(key) for key in keys])
        except NoteError as error:
            return _text(403, f"invalid signature: {error}")
        try:
            checkpoint = parse_checkpoint(text)
        except NoteError as error:
            return _text(400, f"invalid checkpoint: {error}")
        if checkpoint.extensions:
            return _text(400, "checkpoints with extension lines are not cosigned")
        if checkpoint.origin != origin:
            return _text(400, "the checkpoint's origin differs from its first line")
        if old_size > checkpoint.size:
            return _text(400, f"old size {old_size} is larger than the checkpoint's")
        # Keep only the log signatures that verified: an unverified line might be crafted to
        # collide with the witness's own.
        signed_lines = [
            f"{EM_DASH} {s.name} "
            + base64.b64encode(s.key_id.to_bytes(4, "big") + s.signature).decode("ascii")
            for s in signatures
        ]
        presented = _Presented(note, text, signed_lines, old_size, proof, checkpoint.size)
        if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
            self._keep_evidence(self.state.log_state(origin), presented, "empty tree root")
            return _text(422, "a checkpoint of size 0 must have the empty tree's root")
        with self._lock:
            return self._check_and_cosign(origin, checkpoint.root, presented)

    def _check_and_cosign(self, origin: str, root: bytes, presented: _Presented) -> Response:
        try:
            connection = self.state.begin()
        except Exception:
            return _text(503, "the witness database is busy")
        committed = False
        try:
            stored = self.state._read(connection, origin)
            if presented.old_size != stored.size:
                connection.execute("ROLLBACK")
                committed = True
                if presented.size == stored.size and root != stored.root:
                    self._keep_evidence(stored, presented, "different root at the same size")
                return Response(
                    409, f"{stored.size}\n".encode(), {"Content-Type": SIZE_CONTENT_TYPE}
                )
            problem = self._inconsistency(stored, root, presented)
            if problem is not None:
                connection.execute("ROLLBACK")
                committed = True
                self._keep_evidence(stored, presented, problem)
                return _text(422, problem)
            canonical = format_checkpoint(origin, presented.size, root)
            timestamp = max(int(time.time()), stored.cosigned_at, 1)
            line = self.cosigner.cosign(canonical, timestamp)
            stored_note = canonical + "\n" + "".join(s + "\n" for s in presented.log_lines)
            new = LogState(origin, presented.size, root, stored_note + line + "\n", timestamp)
            self.state.replace_state(connection, stored, new)
            connection.execute("COMMIT")
            committed = True
        except Exception as error:  # storage failed: answer 500, leak no cosignature
            if not committed:
                connection.execute("ROLLBACK")
            return _text(500, f"the witness could not record the checkpoint: {error}")
        return Response(200, (line + "\n").encode(), {"Content-Type": TEXT_CONTENT_TYPE})

    @staticmethod
    def _inconsistency(stored: LogState, root: bytes, presented: _Presented) -> str | None:
        if presented.old_size == 0:
            return "a proof from size 0 must be empty" if presented.proof else None
        try:
            verify_consistency(stored.size, presented.size, stored.root, root, presented.proof)
        except ProofError as error:
            if stored.size == presented.size:
                return "different root at the same size"
            return f"consistency proof failed: {error}"
        return None

    def _keep_evidence(self, stored: LogState, presented: _Presented, reason: str) -> None:
        self.state.record_evidence(
            Evidence(
                origin=stored.origin,
                received_at=int(time.time()),
                reason=reason,
                old_size=presented.old_size,
                stored_size=stored.size,
                stored_root=stored.root,
                stored_note=stored.note,
                presented_note=presented.note,
                proof=tuple(p.hex() for p in presented.proof),
            )
        )

    def latest_note(self, origin_hash: str) -> Response:
        """Answer the monitoring GET: the note last cosigned for the log of this origin hash."""
        for origin in self.state.origins():
            if hashlib.sha256(origin.encode()).hexdigest() == origin_hash:
                note = self.state.log_state(origin).note
                if note is not None:
                    return Response(200, note.encode(), {"Content-Type": TEXT_CONTENT_TYPE})
        return _text(404, "this witness has cosigned no checkpoint of that log")


@dataclass(frozen=True, slots=True)
class _Presented:
    """What the client presented: the note, its text, verified log lines, old size, proof."""

    note: str
    text: str
    log_lines: list[str]
    old_size: int
    proof: list[bytes]
    size: int
