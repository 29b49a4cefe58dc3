"""The audit export: a checkpoint, every entry and the served views, as NDJSON; and its check.

Line 1 is a header, line 2 the signed checkpoint, then one line per earlier signed checkpoint
(oldest first), then one line per entry in sequence order, then one line per negotiation view
the service served for the header's date.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from newsledger.audit.checkpoint import open_checkpoint
from newsledger.audit.cosignature import WitnessPolicy
from newsledger.audit.entry import AuditEntry
from newsledger.audit.note import NoteError, parse_vkey
from newsledger.audit.verify.auditor import AuditReport, LogAuditor, Progress
from newsledger.audit.verify.live import AuditClient, advance_state, check_witnesses
from newsledger.audit.verify.trusted_state import (
    AuditError,
    CheckpointRejected,
    RollbackError,
    TrustedState,
)
from newsledger.audit.verify.views import view_json, view_message
from newsledger.audit.verify.wire import (
    EntryFormatError,
    entry_from_json,
    entry_from_message,
    entry_to_json,
)

FORMAT = "newsledger-audit-export/1"


class ExportFormatError(AuditError):
    """The export file is not in the format this module writes."""


def _line(out: TextIO, document: dict[str, Any]) -> None:
    out.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")


def export_log(
    client: AuditClient,
    state: TrustedState,
    out: TextIO,
    as_of: date,
    progress: Progress | None = None,
) -> TrustedState:
    """Write the log up to a checkpoint verified against ``state``; return the advanced state."""
    new_state, note = advance_state(client, state)
    _line(out, {"kind": "header", "format": FORMAT, "origin": state.origin,
                "verifier_key": state.vkey, "as_of": as_of.isoformat()})  # fmt: skip
    _line(out, {"kind": "checkpoint", "note": note})
    for item in client.checkpoint_history(new_state.size):
        if item.checkpoint.size < new_state.size:
            _line(out, {"kind": "past_checkpoint", "note": item.checkpoint.note})
    for count, message in enumerate(client.entries(0, new_state.size), start=1):
        _line(out, entry_to_json(entry_from_message(message)))
        if progress is not None:
            progress(count, new_state.size)
    for negotiation_id in client.negotiation_ids():
        view = view_json(client.view(negotiation_id, as_of))
        _line(out, {"kind": "view", "negotiation_id": negotiation_id, "view": view})
    return new_state


@dataclass(frozen=True, slots=True)
class ExportHeader:
    """The export's first two lines: who wrote it, for which date, and the checkpoint."""

    origin: str
    verifier_key: str
    as_of: date
    note: str


def _documents(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        try:
            document = json.loads(line)
        except ValueError:
            raise ExportFormatError(f"line {number} is not JSON") from None
        if not isinstance(document, dict):
            raise ExportFormatError(f"line {number} is not a JSON object")
        yield document


def read_header(documents: Iterator[dict[str, Any]]) -> ExportHeader:
    """Read the header and checkpoint lines of an export."""
    try:
        header, checkpoint = next(documents), next(documents)
        if header.get("format") != FORMAT or checkpoint.get("kind") != "checkpoint":
            raise ExportFormatError(f"not a {FORMAT} file")
        return ExportHeader(
            str(header["origin"]),
            str(header["verifier_key"]),
            date.fromisoformat(str(header["as_of"])),
            str(checkpoint["note"]),
        )
    except (StopIteration, KeyError, ValueError):
        raise ExportFormatError(f"not a {FORMAT} file") from None


def verify_export(
    path: Path,
    state: TrustedState | None,
    progress: Progress | None = None,
    witnesses: WitnessPolicy | None = None,
) -> tuple[AuditReport, TrustedState]:
    """Check an export against ``state`` (or, without one, the key the file names)."""
    with path.open(encoding="utf-8") as lines:
        documents = _documents(lines)
        header = read_header(documents)
        trusted = state or TrustedState.pin(header.origin, header.verifier_key)
        try:
            checkpoint = open_checkpoint(header.note, parse_vkey(trusted.vkey), trusted.origin)
        except NoteError as error:
            raise CheckpointRejected(f"checkpoint rejected: {error}") from None
        check_witnesses(witnesses, header.note)
        if checkpoint.size < trusted.size:
            raise RollbackError(
                f"the export's checkpoint has size {checkpoint.size}, smaller than the "
                f"trusted size {trusted.size}"
            )
        roots = trusted.known_roots()
        document: dict[str, Any] | None = None
        for document in documents:
            if document.get("kind") != "past_checkpoint":
                break
            roots.update(_past_root(document, trusted))
            document = None
        auditor = LogAuditor(
            trusted.origin,
            checkpoint.size,
            checkpoint.root,
            roots_to_check=roots or None,
            progress=progress,
        )
        views: list[dict[str, Any]] = []
        rest = documents if document is None else itertools.chain([document], documents)
        for document in rest:
            if document.get("kind") == "entry":
                _add_entry(auditor, document)
            elif document.get("kind") == "view":
                views.append(document)  # one per negotiation, not per event
        report = auditor.finish()
        for view in views:
            served = view_message(view["view"])
            auditor.check_view(str(view["negotiation_id"]), header.as_of, served)
    history = trusted.history
    if trusted.size and checkpoint.size > trusted.size:
        history = (*history, (trusted.size, trusted.root))
    advanced = replace(
        trusted, size=checkpoint.size, root=checkpoint.root, note=header.note, history=history
    )
    return report, advanced


def _past_root(document: dict[str, Any], trusted: TrustedState) -> dict[int, bytes]:
    """Return {size: root} of a past checkpoint the pinned key signed, else nothing."""
    try:
        past = open_checkpoint(str(document["note"]), parse_vkey(trusted.vkey), trusted.origin)
    except (KeyError, NoteError):
        return {}  # signed by an earlier key, or not signed: it cannot locate anything
    return {past.size: past.root} if past.size else {}


def _add_entry(auditor: LogAuditor, document: dict[str, Any]) -> None:
    expected = auditor.report.entries_checked
    try:
        entry: AuditEntry = entry_from_json(document, expected)
    except EntryFormatError as error:
        auditor.fail(error.sequence_number, "entry", str(error))
        return
    auditor.add(entry)
