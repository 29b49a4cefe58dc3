"""The application's services as one value, which bootstrap builds and transports are given."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from newsledger.application.audit import AuditLog
from newsledger.application.ledger import Ledger
from newsledger.application.queries import NegotiationQueries
from newsledger.application.subscriptions import LogNotifier
from newsledger.store.event_store import EventStore


@dataclass(frozen=True, slots=True)
class Application:
    """The wired application: appends and the log, negotiation queries, and the audit log."""

    store: EventStore
    notifier: LogNotifier
    ledger: Ledger
    queries: NegotiationQueries
    audit: AuditLog

    @property
    def engine(self) -> Engine:
        """Return the engine of the store."""
        return self.store.engine

    def close(self) -> None:
        """End live subscriptions and release the database connections."""
        self.notifier.close()
        self.store.engine.dispose()
