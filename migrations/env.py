"""Alembic environment: the application's metadata and URL, or a connection passed in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from newsledger.config import Settings
from newsledger.store.engine import create_engine
from newsledger.store.tables import metadata

config = context.config


def run_on(connection: Connection) -> None:
    """Run the pending migrations on connection."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through a passed-in connection, or one made from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = create_engine(url)
    with engine.connect() as connection:
        run_on(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("newsledger migrations run online only: `newsledger migrate`")
run_online()
