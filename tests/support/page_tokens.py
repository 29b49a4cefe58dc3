"""Page tokens forged by hand: the wire form (URL-safe base64 of a JSON array) of any values."""

from __future__ import annotations

import base64
import json
from typing import Any


def forged_token(*values: Any) -> str:
    """Return a page token holding values, as a client could forge one."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")
