"""A minimal newsledger verifier written from docs/audit.md alone.

It deliberately shares no code with the service: standard library plus `cryptography`.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import json
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class VerifyError(Exception):
    """Any failed check."""


# --- section 2: canonical JSON for the float-free subset -------------------------------

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
                  "\r": "\\r"}  # fmt: skip


def jcs(value: Any) -> bytes:
    """RFC 8785 for null, booleans, safe integers, strings, arrays and objects."""
    return _jcs(value).encode("utf-8")


def _jcs(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise VerifyError("integer outside I-JSON range")
        return str(value)
    if isinstance(value, float):
        raise VerifyError("float in canonical data")
    if isinstance(value, str):
        out = []
        for char in value:
            if char in _SHORT_ESCAPES:
                out.append(_SHORT_ESCAPES[char])
            elif ord(char) < 0x20:
                out.append(f"\\u{ord(char):04x}")
            else:
                out.append(char)
        return '"' + "".join(out) + '"'
    if isinstance(value, list):
        return "[" + ",".join(_jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(_jcs(k) + ":" + _jcs(value[k]) for k in keys) + "}"
    raise VerifyError(f"not JSON: {type(value).__name__}")


def envelope_leaf(envelope: dict[str, Any]) -> bytes:
    """Return the leaf bytes of an envelope object (section 2.1)."""
    return jcs(envelope)


def payload_sha256(payload: dict[str, Any]) -> str:
    """Return the hex SHA-256 of the canonical payload (section 2.2)."""
    return hashlib.sha256(jcs(payload)).hexdigest()


def metadata_sha256(metadata: dict[str, Any]) -> str:
    """Return the hex SHA-256 of the canonical metadata object (section 2.2)."""
    return hashlib.sha256(jcs(metadata)).hexdigest()


ENVELOPE_MEMBERS = frozenset(
    {"log_origin", "sequence_number", "record_time", "event_id", "stream", "stream_version",
     "event_type", "schema_version", "valid_time", "corrects", "payload_sha256",
     "metadata_sha256"}
)  # fmt: skip


# --- section 3: the tree --------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    """HASH(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """HASH(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(hashes: list[bytes]) -> bytes:
    """MTH over already-hashed leaves, by the recursive definition."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


# --- section 4 and 5: checkpoints and signed notes -------------------------------------


def b64(text: str) -> bytes:
    """Strict standard base64."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VerifyError("bad base64") from None
    if base64.b64encode(raw).decode() != text:
        raise VerifyError("non-canonical base64")
    return raw


def parse_vkey(vkey: str) -> tuple[str, bytes, bytes]:
    """Return (name, key_id, public key) of a verifier key string."""
    name, key_id_hex, material = vkey.split("+", 2)
    raw = b64(material)
    if len(raw) != 33 or raw[0] != 1:
        raise VerifyError("not an Ed25519 vkey")
    key_id = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if key_id.hex() != key_id_hex:
        raise VerifyError("vkey id mismatch")
    return name, key_id, raw[1:]


def open_note(note: str, vkey: str) -> str:
    """Return the text of a note signed by the pinned key."""
    name, key_id, public_key = parse_vkey(vkey)
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise VerifyError("control character")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise VerifyError("malformed note")
    text, lines = note[: cut + 1], note[cut + 2 : -1].split("\n")
    verified = False
    for line in lines:
        match = re.fullmatch("\u2014 ([^ +]+) (\\S+)", line)
        if not match:
            raise VerifyError("malformed signature line")
        blob = b64(match.group(2))
        if match.group(1) == name and blob[:4] == key_id:
            try:
                Ed25519PublicKey.from_public_bytes(public_key).verify(blob[4:], text.encode())
            except InvalidSignature:
                raise VerifyError("bad signature") from None
            verified = True
    if not verified:
        raise VerifyError("not signed by the pinned key")
    return text


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    """Return (origin, size, root) of a checkpoint text."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not lines[0]:
        raise VerifyError("malformed checkpoint")
    if not re.fullmatch("0|[1-9][0-9]*", lines[1], re.ASCII) or int(lines[1]) > 2**63 - 1:
        raise VerifyError("bad size")
    root = b64(lines[2])
    if len(root) != 32:
        raise VerifyError("root is not 32 bytes")
    return lines[0], int(lines[1]), root


# --- section 6: proofs ----------------------------------------------------------------


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """Section 6.1 verification."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = node_hash(r, p)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and r == root


def verify_consistency(
    m: int, n: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    """Section 6.2 verification."""
    if m == n:
        return not proof and old_root == new_root
    if m == 0:
        return not proof and old_root == hashlib.sha256(b"").digest()
    if m > n or not proof:
        return False
    path = ([old_root] if m & (m - 1) == 0 else []) + list(proof)
    fn, sn = m - 1, n - 1
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            sr = node_hash(sr, c)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and fr == old_root and sr == new_root


# --- section 7: auditing a whole log --------------------------------------------------


def audit_log(
    origin: str, vkey: str, entries: list[dict[str, Any]], checkpoint_notes: list[str]
) -> list[bytes]:
    """Check every entry ({"leaf", "payload", "metadata"}) and checkpoint; return leaf hashes.

    Raises VerifyError naming the first sequence number that fails.
    """
    hashes: list[bytes] = []
    last_time = ""
    for seq, entry in enumerate(entries):
        envelope = json.loads(entry["leaf"], parse_float=_no_float)
        if not isinstance(envelope, dict) or set(envelope) != ENVELOPE_MEMBERS:
            raise VerifyError(f"sequence {seq}: the envelope's members are wrong")
        if envelope_leaf(envelope) != entry["leaf"]:
            raise VerifyError(f"sequence {seq}: leaf bytes are not canonical")
        if envelope["sequence_number"] != seq or envelope["log_origin"] != origin:
            raise VerifyError(f"sequence {seq}: wrong sequence number or origin")
        if envelope["record_time"] < last_time:
            raise VerifyError(f"sequence {seq}: record time goes backwards")
        last_time = envelope["record_time"]
        if payload_sha256(entry["payload"]) != envelope["payload_sha256"]:
            raise VerifyError(f"sequence {seq}: payload hash mismatch")
        if metadata_sha256(entry["metadata"]) != envelope["metadata_sha256"]:
            raise VerifyError(f"sequence {seq}: metadata hash mismatch")
        hashes.append(leaf_hash(entry["leaf"]))
    for note in checkpoint_notes:
        cp_origin, size, root = parse_checkpoint(open_note(note, vkey))
        if cp_origin != origin or size > len(hashes) or mth(hashes[:size]) != root:
            raise VerifyError(f"checkpoint at size {size} does not match the entries")
    return hashes


def _no_float(text: str) -> Any:
    raise VerifyError(f"float {text} in leaf")


# --- section 8.2: the phase of a view, from the text --------------------------------------

PHASE_BY_OUTCOME = {
    "OUTCOME_STATUS_AGREED_IN_PRINCIPLE": "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE",
    "OUTCOME_STATUS_PRELIMINARY_CONSENSUS": "NEGOTIATION_PHASE_PRELIMINARY_CONSENSUS",
    "OUTCOME_STATUS_SIGNED": "NEGOTIATION_PHASE_AGREEMENT_SIGNED",
    "OUTCOME_STATUS_APPROVED": "NEGOTIATION_PHASE_AGREEMENT_APPROVED",
    "OUTCOME_STATUS_NO_OUTCOME": "NEGOTIATION_PHASE_STALLED",
}
PHASE_BY_TYPE = {
    "NegotiationOpened": "NEGOTIATION_PHASE_OPENED",
    "TalksHeld": "NEGOTIATION_PHASE_TALKS",
    "TruceAgreed": "NEGOTIATION_PHASE_TRUCE",
    "AgreementSigned": "NEGOTIATION_PHASE_AGREEMENT_SIGNED",
}
CORRECTION_TYPES = {
    "SourceAttached", "FactCorrected", "DatePrecisionRefined", "DuplicatesMerged",
    "ReportRetracted", "AccountDisputed", "AccountConfirmed",
}  # fmt: skip


def _day(text: str, reported: dict[str, Any]) -> date:
    """The local day of a reported instant or date (section 8.1)."""
    if "T" not in text:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(reported.get("time_zone") or "UTC")).date()


def last_day(reported: Any) -> date | None:
    """The last day a reported time covers (section 8.1), or None."""
    if not isinstance(reported, dict):
        return None
    for key in ("end_time", "end_date"):
        if reported.get(key):
            return _day(reported[key], reported)
    start = next((reported[k] for k in ("start_time", "start_date") if reported.get(k)), None)
    if start is None:
        return None
    first = _day(start, reported)
    precision = reported.get("precision", "")
    if precision in ("DATE_PRECISION_INSTANT", "DATE_PRECISION_DAY"):
        return first
    if precision == "DATE_PRECISION_WEEK":
        return first + timedelta(days=6)
    if precision == "DATE_PRECISION_MONTH":
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if precision == "DATE_PRECISION_QUARTER":
        month = (first.month - 1) // 3 * 3 + 3
        return date(first.year, month, calendar.monthrange(first.year, month)[1])
    if precision == "DATE_PRECISION_YEAR":
        return date(first.year, 12, 31)
    return None


def counts_from(payload: dict[str, Any]) -> date | None:
    """The day a development counts from (section 8.1); None: it always counts."""
    report = payload.get("report") or {}
    days = [last_day(report.get("occurred")), last_day(report.get("first_reported"))]
    for source in report.get("sources", []):
        if source.get("published_time"):
            days.append(
                datetime.fromisoformat(source["published_time"].replace("Z", "+00:00")).date()
            )
        elif source.get("published_date"):
            days.append(date.fromisoformat(source["published_date"]))
    known = [day for day in days if day is not None]
    return min(known) if known else None


def first_day(payload: dict[str, Any]) -> date | None:
    """The first day of a development's `occurred` span (section 8.2), or None when undated."""
    reported = (payload.get("report") or {}).get("occurred") or {}
    start = next((reported[k] for k in ("start_time", "start_date") if reported.get(k)), None)
    return None if start is None else _day(start, reported)


def view_phase(events: list[tuple[str, dict[str, Any]]], as_of: date) -> tuple[str, list[str]]:
    """Return (phase, phases of phase_history) of a stream of (event type, payload) as of a day.

    Section 8.2, for a stream without corrections whose events all apply.
    """
    if any(event_type in CORRECTION_TYPES for event_type, _ in events):
        raise VerifyError("the stream has corrections: its phase is not checked here")
    parties = {
        p["party_id"] for t, body in events if t == "NegotiationOpened" for p in body["parties"]
    }
    for _, payload in events:
        claimed = set((payload.get("report") or {}).get("claimed_by", []))
        if claimed and not claimed >= parties:
            raise VerifyError("the stream has one-sided claims: its phase is not checked here")
    counting = [
        (event_type, payload)
        for event_type, payload in events
        if event_type == "NegotiationOpened"
        or (day := counts_from(payload)) is None
        or day <= as_of
    ]
    entries: list[tuple[date, int, str]] = []
    current, parties, approvals = "NEGOTIATION_PHASE_UNSPECIFIED", set(), set()
    for index, (event_type, payload) in enumerate(counting):
        phase = PHASE_BY_TYPE.get(event_type)
        if event_type == "NegotiationOpened":
            parties = {party["party_id"] for party in payload.get("parties", [])}
        if event_type == "OutcomeReached":
            phase = PHASE_BY_OUTCOME.get(payload.get("status", ""), current)
        if event_type == "AgreementApproved":
            approvals.add(payload.get("party_id"))
            phase = "NEGOTIATION_PHASE_AGREEMENT_APPROVED" if approvals >= parties else None
        if phase is not None:
            current = phase
            entries.append((first_day(payload) or date.min, index, phase))
    ordered = [phase for _, _, phase in sorted(entries)]
    history = [p for i, p in enumerate(ordered) if i == 0 or ordered[i - 1] != p]
    return (history[-1] if history else "NEGOTIATION_PHASE_UNSPECIFIED"), history
