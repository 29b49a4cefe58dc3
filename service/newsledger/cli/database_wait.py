"""Wait for a database that does not answer yet, and say so in one line, never a traceback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

T = TypeVar("T")
RETRY_INTERVAL_SECONDS = 1.0


class DatabaseUnreachable(Exception):
    """The database did not answer within the time allowed; the message is one line."""


def database_problem(error: sa_exc.DBAPIError) -> str:
    """Return the first line of the driver's own message, without the SQL SQLAlchemy adds."""
    text = str(error.orig) if error.orig is not None else str(error)
    return text.strip().splitlines()[0] if text.strip() else type(error.orig).__name__


def shown_url(url: str) -> str:
    """Return url with any password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def open_when_reachable(
    open_database: Callable[[], T],
    url: str,
    wait_seconds: float,
    stopped: threading.Event,
    say: Callable[[str], None],
) -> T | None:
    """Return open_database(), retrying while the database does not answer.

    Says once, in one line, what it waits for; gives up with DatabaseUnreachable after
    wait_seconds (at once for SQLite, whose file does not come back by waiting), and
    returns None when stopped is set while waiting.
    """
    if make_url(url).get_backend_name() == "sqlite":
        wait_seconds = 0
    deadline = time.monotonic() + wait_seconds
    announced = False
    while True:
        try:
            return open_database()
        except sa_exc.OperationalError as error:
            problem = database_problem(error)
        left = deadline - time.monotonic()
        if left <= 0:
            waited = f" after waiting {wait_seconds:g} s" if wait_seconds > 0 else ""
            raise DatabaseUnreachable(
                f"the database at {shown_url(url)} does not answer{waited}: {problem}"
            )
        if not announced:
            say(
                f"newsledger: the database at {shown_url(url)} does not answer ({problem}); "
                f"retrying for up to {wait_seconds:g} s (NEWSLEDGER_DATABASE_WAIT_SECONDS); "
                "Ctrl-C or SIGTERM stops"
            )
            announced = True
        if stopped.wait(min(RETRY_INTERVAL_SECONDS, left)):
            return None
