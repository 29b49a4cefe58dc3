"""Bring a database to the schema the code needs, and say clearly when it is not there."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from newsledger.store.errors import SchemaNotReady


def migrations_dir() -> Path:
    """Return the Alembic script directory shipped in the package.

    The migrations are the package's `newsledger.migrations` (the source tree's top-level
    `migrations/`, mapped into the package when it is built or installed in editable mode);
    NEWSLEDGER_MIGRATIONS_DIR overrides it.
    """
    configured = os.environ.get("NEWSLEDGER_MIGRATIONS_DIR")
    if configured:
        return Path(configured)
    return Path(str(resources.files("newsledger.migrations")))


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str:
    """Return the revision the code expects the database to be at."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise SchemaNotReady(f"no migrations found in {migrations_dir()}")
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the database's revision, or None when it has no newsledger schema."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> tuple[str | None, str]:
    """Migrate engine's database to head; return (revision before, revision after)."""
    before = current_revision(engine)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, head_revision()


def check_schema(engine: Engine) -> None:
    """Raise SchemaNotReady unless the database is exactly at the code's head revision."""
    current = current_revision(engine)
    head = head_revision()
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaNotReady(
            f"the database {where} has no newsledger schema; run `newsledger migrate`"
        )
    if current != head:
        raise SchemaNotReady(
            f"the database {where} is at schema revision {current}, the code needs {head}; "
            "run `newsledger migrate`"
        )
