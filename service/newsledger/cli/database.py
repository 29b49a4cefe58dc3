"""Which database `migrate` and `rebuild` work on: --database, NEWSLEDGER_DATABASE_URL, or none.

Neither command creates a database by accident: without --database or the variable they
use the default SQLite file only if it already exists (`serve --migrate` creates it, as
`dev.py run` does), and `rebuild` never opens a SQLite file that is not there.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

from newsledger.cli.exits import CommandError, ExitCode
from newsledger.config import Settings


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """Add --database URL to a command that opens the store itself."""
    parser.add_argument(
        "--database",
        default=None,
        metavar="URL",
        help="the store, e.g. sqlite:///var/newsledger.db or postgresql://user@host:5432/db "
        "(NEWSLEDGER_DATABASE_URL; without either, the default SQLite file if it exists)",
    )


def sqlite_file(url: str) -> Path | None:
    """Return the file a SQLite URL names, or None for another backend or in-memory SQLite."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    path = path.split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def database_settings(args: argparse.Namespace, *, may_create: bool) -> Settings:
    """Return the settings with the database the command should use, or refuse clearly.

    may_create: the command may bring an empty database into being (migrate), when the
    database was named explicitly.
    """
    settings = Settings.from_env()
    named = args.database or os.environ.get("NEWSLEDGER_DATABASE_URL")
    if args.database:
        settings = dataclasses.replace(settings, database_url=args.database)
    url = settings.database_url
    file = sqlite_file(url)
    if file is None or file.exists():
        return settings
    if not named:
        raise CommandError(
            f"no database given and the default {file} does not exist here; pass --database URL "
            "or set NEWSLEDGER_DATABASE_URL (`newsledger migrate --database "
            f"sqlite:///{file}` creates it)",
            ExitCode.NOT_FOUND,
        )
    if not may_create:
        raise CommandError(f"no database at {file} (from {url})", ExitCode.NOT_FOUND)
    if not file.parent.exists():
        raise CommandError(
            f"cannot create {file}: the folder {file.parent} does not exist", ExitCode.NOT_FOUND
        )
    return settings
