"""Asking witnesses to cosign the log's checkpoints, in the background of a server.

Each round signs the current tree if it grew, then sends the log-signed note to every
configured witness that has not cosigned it, with a consistency proof from the size that
witness last cosigned. Verified cosignatures are stored with the checkpoint and served with
it. Witnessing never blocks an append or a read: a client that needs a quorum asks for the
largest witnessed checkpoint. A witness that holds a larger tree than ours, or refuses our
proof (422), raises an alarm in the log: that is what a fork or a rollback looks like.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from newsledger.application.audit import AuditLog
from newsledger.audit.cosignature import CosignatureError, CosignatureVerifier, parse_cosigner_vkey
from newsledger.audit.storage.cosignatures import (
    cosignature_lines,
    known_size,
    record_witness,
    store_cosignature,
)
from newsledger.witness.client import WitnessUnavailable, interpret, request_body, submit

log = logging.getLogger(__name__)
MAX_TRIES = 3


@dataclass(frozen=True, slots=True)
class WitnessEndpoint:
    """A witness the log asks to cosign: where it listens, and its cosigning key."""

    url: str
    verifier: CosignatureVerifier

    @classmethod
    def parse(cls, text: str) -> WitnessEndpoint:
        """Parse `URL=VKEY`; CosignatureError names what is wrong."""
        url, equals, vkey = text.strip().rpartition("=")
        if not equals or not url.startswith(("http://", "https://")):
            raise CosignatureError(f"a witness is URL=VKEY (http or https), not {text!r}")
        return cls(url, parse_cosigner_vkey(vkey))


def parse_endpoints(text: str) -> list[WitnessEndpoint]:
    """Parse witnesses separated by newlines, spaces or ';'; refuse one key given twice."""
    endpoints = [WitnessEndpoint.parse(item) for item in text.replace(";", " ").split()]
    publics = [e.verifier.public_key for e in endpoints]
    if len(set(publics)) != len(publics):
        raise CosignatureError("two witnesses hold the same public key")
    return endpoints


class WitnessPump:
    """Sends new checkpoints to the witnesses and keeps the cosignatures they return."""

    def __init__(
        self,
        audit: AuditLog,
        endpoints: Sequence[WitnessEndpoint],
        interval_seconds: float = 5.0,
        timeout_seconds: float = 5.0,
    ) -> None:
        """Witness ``audit``'s checkpoints with ``endpoints`` every ``interval_seconds``."""
        self.audit = audit
        self.endpoints = list(endpoints)
        self.interval = interval_seconds
        self.timeout = timeout_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> None:
        """Sign the tree if it grew and ask each witness that has not cosigned it yet."""
        checkpoint = self.audit.checkpoints.latest()
        with self.audit.engine.connect() as connection:
            present = set(cosignature_lines(connection, checkpoint.size))
        for endpoint in self.endpoints:
            if any(line.split(" ")[1:2] == [endpoint.verifier.name] for line in present):
                continue
            try:
                self._ask(endpoint, checkpoint.size, checkpoint.root, checkpoint.note)
            except Exception:  # one witness's failure must not stop the others
                log.exception("asking witness %s failed", endpoint.url)

    def _ask(self, endpoint: WitnessEndpoint, size: int, root: bytes, note: str) -> None:
        vkey = endpoint.verifier.vkey
        old = known_size(self.audit.engine, vkey)
        text = note[: note.rfind("\n\n") + 1]
        for _ in range(MAX_TRIES):
            if old > size:
                self._alarm(vkey, old, f"the witness cosigned size {old}, larger than ours {size}")
                return
            proof = self.audit.consistency_proof(old, size) if 0 < old < size else []
            try:
                status, content_type, answer = submit(
                    endpoint.url, request_body(old, proof, note), self.timeout
                )
            except WitnessUnavailable as error:
                record_witness(self.audit.engine, vkey, old, str(error))
                return
            result = interpret(endpoint.verifier, text, status, content_type, answer)
            if result.status == 200 and result.lines:
                for line in result.lines:
                    store_cosignature(self.audit.engine, size, endpoint.verifier, line)
                record_witness(self.audit.engine, vkey, size, None)
                return
            if result.status == 409 and result.witness_size is not None:
                old = result.witness_size
                continue
            refusal = f"witness answered {result.status}: {result.message}"
            if result.status == 422:
                self._alarm(vkey, old, refusal)
            else:
                record_witness(self.audit.engine, vkey, old, refusal)
            return

    def _alarm(self, vkey: str, old: int, problem: str) -> None:
        log.error("witness %s contradicts this log: %s (a fork or a rollback?)", vkey, problem)
        record_witness(self.audit.engine, vkey, old, f"ALARM: {problem}")

    def start(self) -> None:
        """Run rounds in a background thread until ``stop``."""
        self._thread = threading.Thread(target=self._loop, name="witness-pump", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("a witnessing round failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout * 2 + 1)
