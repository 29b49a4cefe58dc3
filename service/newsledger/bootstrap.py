"""The one place that builds the service: engine → store → observers → application.

Everything that must commit with an append (the negotiation views, the audit tree) is
attached to the store here, and everything told after a commit (the audit frontier, live
subscribers) is registered here, in that order. The command line, the server and the tests
all get their application from these functions.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.application.audit import AuditLog
from newsledger.application.ledger import Ledger
from newsledger.application.queries import NegotiationQueries
from newsledger.application.subscriptions import LogNotifier
from newsledger.application.witnessing import WitnessPump, parse_endpoints
from newsledger.audit.cosignature import WitnessPolicy
from newsledger.audit.note import Signer, generate_signer
from newsledger.audit.storage.identity import (
    LogIdentityError,
    adopt_signer,
    establish_origin,
    key_expected,
    missing_key_message,
)
from newsledger.audit.storage.signing_key import load_or_create_signer
from newsledger.audit.storage.tree import AuditObserver
from newsledger.config import DEFAULT_LOG_ORIGIN, Settings, signing_key_location
from newsledger.projections.negotiation_views import NegotiationProjector
from newsledger.projections.state_cache import StateCache
from newsledger.store.engine import create_engine, is_sqlite
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import check_schema, upgrade_to_head


def build_application(
    store: EventStore,
    *,
    log_origin: str = DEFAULT_LOG_ORIGIN,
    signer: Signer | None = None,
    witnesses: WitnessPolicy | None = None,
) -> Application:
    """Wire an application over a store; checkpoints are signed by signer (else a throwaway key).

    The store is wired once: build one application per store.
    """
    notifier = LogNotifier()
    states = StateCache()
    store.add_observer(NegotiationProjector(states))
    audit_tree = AuditObserver(log_origin)
    store.add_observer(audit_tree)
    store.add_commit_listener(states.committed)
    store.add_commit_listener(audit_tree.committed)
    store.add_commit_listener(notifier.publish)
    ledger = Ledger(store, notifier)
    return Application(
        store=store,
        notifier=notifier,
        ledger=ledger,
        queries=NegotiationQueries(store, notifier, states=states),
        audit=AuditLog(ledger, signer or generate_signer(log_origin), witnesses),
    )


def open_engine(settings: Settings, *, migrate: bool = False, serving: bool = False) -> Engine:
    """Return an engine on the configured database, migrated first if asked, schema checked.

    Every engine gives up connecting after the connect timeout; a serving engine also
    bounds each statement (a migration, run first, is not bounded).
    """
    engine = create_engine(
        settings.database_url,
        lock_timeout_seconds=settings.lock_timeout_seconds,
        connect_timeout_seconds=settings.connect_timeout_seconds,
    )
    if migrate:
        upgrade_to_head(engine)
    if serving and not is_sqlite(engine):
        engine.dispose()
        engine = create_engine(
            settings.database_url,
            lock_timeout_seconds=settings.lock_timeout_seconds,
            connect_timeout_seconds=settings.connect_timeout_seconds,
            statement_timeout_seconds=settings.statement_timeout_seconds,
        )
    check_schema(engine)
    return engine


def open_signer(settings: Settings, engine: Engine) -> Signer:
    """Return the log's signing key, creating it only for a log that has none yet.

    Raises LogIdentityError (what to do) when the key found is not the log's.
    """
    origin = establish_origin(engine, settings.log_origin)
    key_path = signing_key_location(settings)
    expected = key_expected(engine)
    if key_path is None:
        signer = generate_signer(origin)
    elif expected is not None and not key_path.exists():
        raise LogIdentityError(missing_key_message(expected, key_path))
    else:
        signer = load_or_create_signer(key_path, origin)
    adopt_signer(engine, signer, key_path)
    return signer


def open_application(settings: Settings, *, migrate: bool = False) -> Application:
    """Open the configured database behind an application signing with the log's key."""
    engine = open_engine(settings, migrate=migrate, serving=True)
    store = EventStore(engine, lock_timeout_seconds=settings.lock_timeout_seconds)
    signer = open_signer(settings, engine)
    endpoints = parse_endpoints(settings.witnesses)
    policy = WitnessPolicy.from_vkeys(
        [endpoint.verifier.vkey for endpoint in endpoints], settings.witness_quorum
    )
    return build_application(store, log_origin=signer.name, signer=signer, witnesses=policy)


def open_witness_pump(settings: Settings, app: Application) -> WitnessPump | None:
    """Return the pump that asks the configured witnesses to cosign, or None without any."""
    endpoints = parse_endpoints(settings.witnesses)
    return WitnessPump(app.audit, endpoints) if endpoints else None
