"""Health that follows the database: NOT_SERVING while it does not answer, SERVING once it does.

A background thread probes the database every interval. A probe that fails, or that has
not answered within its timeout (a database that hangs rather than refuses), makes every
service NOT_SERVING; the next probe that answers makes them SERVING again. A probe stuck
on a hung database is not repeated until it returns, so at most one thread waits on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

PROBE_INTERVAL_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 3.0


class DatabaseHealth:
    """Probes the database periodically and reports each change of its reachability."""

    def __init__(
        self,
        check: Callable[[], None],
        report: Callable[[bool], None],
        interval_seconds: float = PROBE_INTERVAL_SECONDS,
        timeout_seconds: float = PROBE_TIMEOUT_SECONDS,
    ) -> None:
        self._check = check
        self._report = report
        self.interval_seconds = interval_seconds
        self.timeout_seconds = timeout_seconds
        self.reachable = True
        self._stopped = threading.Event()
        self._probe: threading.Thread | None = None
        self._thread = threading.Thread(target=self._run, name="database-health", daemon=True)

    def start(self) -> None:
        """Start probing in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop probing; a probe still waiting on the database is left to finish alone."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.timeout_seconds + self.interval_seconds)

    def probe_once(self) -> bool:
        """Probe within the timeout; return whether the database answered, reporting a change."""
        problem = self._problem_within_timeout()
        answered = problem is None
        if answered != self.reachable:
            self.reachable = answered
            if answered:
                log.info("the database answers again; health is SERVING")
            else:
                log.warning("the database does not answer (%s); health is NOT_SERVING", problem)
            self._report(answered)
        return answered

    def _run(self) -> None:
        while not self._stopped.wait(self.interval_seconds):
            self.probe_once()

    def _problem_within_timeout(self) -> str | None:
        """Return None when a probe answers in time, else what went wrong."""
        if self._probe is not None and self._probe.is_alive():
            return "the previous probe is still waiting for an answer"
        outcome: list[BaseException | None] = []

        def probe() -> None:
            try:
                self._check()
            except Exception as error:  # any failure means the same: not reachable
                outcome.append(error)
            else:
                outcome.append(None)

        self._probe = threading.Thread(target=probe, name="database-probe", daemon=True)
        self._probe.start()
        self._probe.join(self.timeout_seconds)
        if not outcome:
            return f"no answer within {self.timeout_seconds:g} s"
        error = outcome[0]
        if error is not None:
            return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return None
