"""The log's side of c2sp.org/tlog-witness: submit a checkpoint, interpret the answer.

A request is `old <m>`, the consistency proof from m, an empty line, and the log-signed
note. A 200 answer's lines are kept only if they verify as this witness's cosignature of
the checkpoint text; a 409 with `text/x.tlog.size` tells the size the witness last cosigned.
Redirects are never followed (a redirected POST would turn into a GET).
"""

from __future__ import annotations

import base64
import http.client
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

from newsledger.audit.cosignature import CosignatureVerifier
from newsledger.audit.note import NoteError, open_note

SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_ANSWER_BYTES = 64 * 1024


class WitnessUnavailable(OSError):
    """The witness could not be reached or answered something unusable."""


@dataclass(frozen=True, slots=True)
class WitnessAnswer:
    """What a witness said: cosignature lines that verified, or the size it holds, or a refusal."""

    status: int
    lines: tuple[str, ...] = ()
    witness_size: int | None = None
    message: str = ""


def request_body(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """Return the add-checkpoint body for a note and the proof from ``old_size``."""
    lines = "".join(base64.b64encode(hashed).decode("ascii") + "\n" for hashed in proof)
    return f"old {old_size}\n{lines}\n{note}".encode()


def submit(url: str, body: bytes, timeout: float = 5.0) -> tuple[int, str, bytes]:
    """POST ``body`` to ``url``/add-checkpoint; return status, content type and answer."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.username:
        raise WitnessUnavailable(f"{url} is not an http(s) URL without credentials")
    connection_type = (
        http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_type(parsed.hostname, parsed.port, timeout=timeout)
    try:
        connection.request(
            "POST",
            parsed.path.rstrip("/") + "/add-checkpoint",
            body=body,
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        response = connection.getresponse()
        answer = response.read(MAX_ANSWER_BYTES + 1)
        content_type = response.getheader("Content-Type", "") or ""
        return response.status, content_type, answer
    except (OSError, http.client.HTTPException) as error:
        raise WitnessUnavailable(f"witness {url}: {error}") from None
    finally:
        connection.close()


def interpret(
    witness: CosignatureVerifier, text: str, status: int, content_type: str, answer: bytes
) -> WitnessAnswer:
    """Return the verified cosignature lines of a 200, or what another status means."""
    message = answer[:300].decode("utf-8", "replace").strip()
    if len(answer) > MAX_ANSWER_BYTES:
        return WitnessAnswer(status, message="the answer is too large")
    if status == 409 and content_type.split(";")[0].strip() == SIZE_CONTENT_TYPE:
        digits = answer.decode("ascii", "replace")
        if digits.endswith("\n") and digits[:-1].isdigit():
            return WitnessAnswer(409, witness_size=int(digits[:-1]))
        return WitnessAnswer(status, message="a 409 whose body is not a size")
    if status != 200:
        # A 409 without the size type is a v1.0.0 witness's "different root": like 422.
        return WitnessAnswer(422 if status == 409 else status, message=message)
    try:
        lines = answer.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return WitnessAnswer(status, message="the answer is not UTF-8")
    kept = []
    for line in lines:
        try:
            open_note(text + "\n" + line + "\n", [witness])
        except NoteError:
            continue  # another key's line, or a bad one: ignored
        kept.append(line)
    return WitnessAnswer(200, tuple(kept), message="" if kept else "no valid cosignature")
