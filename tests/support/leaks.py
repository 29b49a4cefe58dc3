"""What an answer must never carry: SQL, bound parameters, driver names or stack details."""

from __future__ import annotations

import re

INTERNALS = re.compile(
    r"\b(?:SELECT|INSERT INTO|UPDATE|DELETE FROM)\b|\[SQL|\[parameters|psycopg|sqlite3|"
    r"[Ss]ql[Aa]lchemy|Traceback|File \"|Exception calling application|QueuePool"
)


def leaked_internals(text: str) -> list[str]:
    """Return the pieces of text that reveal the server's internals (empty when none)."""
    return INTERNALS.findall(text)
