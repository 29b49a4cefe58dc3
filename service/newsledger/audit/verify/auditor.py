"""The auditor's core: check every entry of a log against a signed checkpoint, streaming.

It keeps O(log n) subtree hashes and one folded state per negotiation, never the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from newsledger.audit import merkle
from newsledger.audit.entry import AuditEntry
from newsledger.audit.envelope import EnvelopeError, LeafEnvelope, envelope_of
from newsledger.audit.jcs import CanonicalError
from newsledger.audit.leaf import leaf_bytes
from newsledger.audit.replay import ViewReplayer
from newsledger.audit.verify.views import served_last_position, view_difference
from newsledger.audit.verify.wire import served_event
from newsledger.domain.events import StoredEvent
from newsledger.v1.negotiation_view_pb2 import NegotiationView

MAX_FINDINGS = 100
_DOCUMENT_HASHES = {"payload_sha256": "payload", "metadata_sha256": "metadata"}
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed check, at the sequence number where it fails (None: the log as a whole)."""

    sequence_number: int | None
    check: str
    message: str

    def __str__(self) -> str:
        """Say where and what failed."""
        where = "log" if self.sequence_number is None else f"sequence {self.sequence_number}"
        return f"{where}: {self.check}: {self.message}"


@dataclass
class AuditReport:
    """What an audit checked and what it found."""

    size: int
    entries_checked: int = 0
    views_checked: int = 0
    views_skipped: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether every check passed."""
        return not self.findings

    @property
    def first_failure(self) -> int | None:
        """Return the lowest sequence number at which a check failed."""
        numbers = [f.sequence_number for f in self.findings if f.sequence_number is not None]
        return min(numbers) if numbers else None


def _reject_float(text: str) -> Any:
    raise ValueError(f"the number {text} is not an integer")


def _parse_leaf(leaf: bytes) -> LeafEnvelope:
    """Parse leaf bytes strictly into an envelope; ValueError says why they are not one."""
    document = json.loads(leaf.decode("utf-8"), parse_float=_reject_float)
    if not isinstance(document, dict):
        raise ValueError("the leaf is not a JSON object")
    names = set(LeafEnvelope.__dataclass_fields__)
    if set(document) != names:
        raise ValueError(f"the leaf's members are not exactly {sorted(names)}")
    document["corrects"] = tuple(document["corrects"])
    envelope = LeafEnvelope(**document)
    if leaf_bytes(envelope) != leaf:
        raise ValueError("the leaf bytes are not the canonical (RFC 8785) encoding")
    return envelope


class LogAuditor:
    """Checks entries 0, 1, 2… of a log against a checkpoint's size and root."""

    def __init__(
        self,
        origin: str,
        size: int,
        root: bytes,
        *,
        roots_to_check: Mapping[int, bytes] | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Audit the log ``origin`` up to the checkpoint (``size``, ``root``)."""
        self.origin = origin
        self.root = root
        self.report = AuditReport(size=size)
        self.roots_to_check = dict(roots_to_check or {})
        self.progress = progress
        self.replayer = ViewReplayer()
        self.leaf_hashes: dict[int, bytes] = {}  # only for the positions asked to keep
        self.keep_leaf_hashes: set[int] = set()
        self._peaks: dict[tuple[int, int], bytes] = {}
        self._differing: set[tuple[int, int]] = set()  # peaks whose stored hash differs
        self._next = 0
        self._last_record_time = ""
        self._agreed_size = 0  # the largest signed size whose root the entries reproduced

    def fail(self, sequence_number: int | None, check: str, message: str) -> None:
        """Record a failed check (the first MAX_FINDINGS of them)."""
        if len(self.report.findings) < MAX_FINDINGS:
            self.report.findings.append(Finding(sequence_number, check, message))

    def add(self, entry: AuditEntry) -> None:
        """Check the next entry and fold it into the tree and the views."""
        index = self._next
        if entry.event.position != index:
            self.fail(index, "sequence", f"expected entry {index}, got {entry.event.position}")
        self._check_leaf(index, entry)
        self._check_served(index, entry)
        leaf_hash = merkle.hash_leaf(entry.leaf)
        self._check_subtrees(index, leaf_hash, entry)
        if index in self.keep_leaf_hashes:
            self.leaf_hashes[index] = leaf_hash
        self._next += 1
        if self._next in self.roots_to_check:
            self._check_root(self._next, self.roots_to_check[self._next], "signed checkpoint")
        self._replay(index, entry)
        self.report.entries_checked = self._next
        if self.progress is not None:
            self.progress(self._next, self.report.size)

    def _replay(self, index: int, entry: AuditEntry) -> None:
        try:
            event = entry.event.to_domain()
        except ValueError as error:
            self.fail(index, "event", f"payload or metadata is not JSON: {error}")
            return
        self.replayer.add(event)

    def _check_served(self, index: int, entry: AuditEntry) -> None:
        """Check that the event ReadLog and ReadStream send is the event the entry holds."""
        if entry.response_item is None:
            return
        served = served_event(entry.response_item)
        if isinstance(served, str):
            self.fail(
                index, "served event", f"the response item ReadLog sends is unreadable: {served}"
            )
        elif served != entry.event:
            fields = [
                name
                for name in StoredEvent.__dataclass_fields__
                if getattr(served, name) != getattr(entry.event, name)
            ]
            self.fail(
                index,
                "served event",
                f"the event ReadLog and ReadStream send differs from the recorded one in "
                f"{', '.join(fields)}",
            )

    def _check_leaf(self, index: int, entry: AuditEntry) -> None:
        try:
            found = _parse_leaf(entry.leaf)
        except (ValueError, TypeError, CanonicalError) as error:
            self.fail(index, "leaf", str(error))
            return
        if found.sequence_number != index:
            self.fail(index, "leaf", f"the leaf says sequence number {found.sequence_number}")
        if found.log_origin != self.origin:
            self.fail(index, "leaf", f"the leaf names log {found.log_origin!r}")
        if found.record_time < self._last_record_time:
            self.fail(
                index, "record time", f"{found.record_time} is before {self._last_record_time}"
            )
        self._last_record_time = max(self._last_record_time, found.record_time)
        try:
            expected = envelope_of(entry.event, self.origin).to_json_object()
        except EnvelopeError as error:
            what = error.document if error.document in _DOCUMENT_HASHES.values() else "event"
            self.fail(index, what, f"the served {what} has no canonical form: {error}")
            return
        for name, value in found.to_json_object().items():
            if name != "sequence_number" and expected[name] != value:
                what = _DOCUMENT_HASHES.get(name, "event")
                self.fail(index, what, f"the served {what} does not match the leaf's {name}")

    def _check_subtrees(self, index: int, leaf_hash: bytes, entry: AuditEntry) -> None:
        """Compare the stored hashes this leaf completed with the ones recomputed from leaves.

        Only the deepest differing node is reported: its ancestors differ because it does.
        """
        created = merkle.nodes_to_store_on_append(index, leaf_hash, self._peak)
        served = {(level, idx): node for level, idx, node in entry.subtrees}
        for level, idx, node in created:
            stored = served.pop((level, idx), None)
            if stored == node:
                continue
            self._differing.add((level, idx))
            children = {(level - 1, 2 * idx), (level - 1, 2 * idx + 1)} if level else set()
            if not children & self._differing:
                first, last = idx << level, ((idx + 1) << level) - 1
                state = "is missing" if stored is None else "differs from the recomputed one"
                self.fail(
                    first, "subtree", f"stored hash ({level}, {idx}) over {first}..{last} {state}"
                )
        for level, idx in served:
            self.fail(index, "subtree", f"unexpected stored hash ({level}, {idx})")
        # Each node but the last was combined with its left sibling, a peak until now.
        for level, idx, _ in created[:-1]:
            del self._peaks[(level, idx - 1)]
            self._differing.discard((level, idx - 1))
            self._differing.discard((level, idx))
        top_level, top_index, top = created[-1]
        self._peaks[(top_level, top_index)] = top

    def _peak(self, level: int, index: int) -> bytes:
        return self._peaks[(level, index)]

    def _check_root(self, size: int, root: bytes, what: str) -> None:
        """Compare the root of the first ``size`` entries with a signed one.

        A mismatch is reported at the first entry the previous agreeing checkpoint does not
        cover: with a checkpoint history the rewritten entry lies between the two sizes.
        """
        computed = merkle.root(size, self._peak)
        if computed == root:
            self._agreed_size = max(self._agreed_size, size)
            return
        first, last = self._agreed_size, size - 1
        where = f"entry {first}" if first == last else f"one of the entries {first}..{last}"
        # A finding inside the range already names the entry; otherwise the range is all
        # that can be said, and its start is where the log first differs.
        explained = any(
            f.sequence_number is not None and first <= f.sequence_number <= last
            for f in self.report.findings
        )
        self.fail(
            None if explained else first,
            "root",
            f"the root recomputed for size {size} differs from the {what}: the entries were "
            f"rewritten from {where} on",
        )

    def check_view(self, negotiation_id: str, as_of: date, served: NegotiationView) -> None:
        """Compare the service's view of a negotiation with the replay of the audited entries."""
        last = served_last_position(served)
        if last is not None and last >= self.report.size:
            self.report.views_skipped += 1  # the service has folded events past the checkpoint
            return
        replayed = self.replayer.view(negotiation_id, as_of)
        if replayed is None:
            self.fail(last, "view", f"negotiation {negotiation_id} has no events in the log")
            return
        difference = view_difference(replayed, served)
        if difference is not None:
            self.fail(last, "view", f"negotiation {negotiation_id}: the service's {difference}")
        self.report.views_checked += 1

    def finish(self) -> AuditReport:
        """Check the entry count and the root against the checkpoint; return the report."""
        size = self.report.size
        if self._next < size:
            self.fail(
                self._next,
                "missing",
                f"the checkpoint commits to {size} entries; only {self._next} were served",
            )
        elif self._next > size:
            self.fail(size, "extra", f"{self._next - size} entries past the checkpoint")
        else:
            self._check_root(size, self.root, "signed checkpoint")
        return self.report
