"""The package's shape: which layer may import which, so dependencies point one way.

Each module's imports of `newsledger.*` are read from its source (imports inside functions
and under TYPE_CHECKING included) and checked against the table below. The table is the
architecture: a new arrow needs a line here and a reason.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "service" / "newsledger"

ALLOWED: dict[str, frozenset[str]] = {
    # The pure domain and the generated contract depend on nothing of ours.
    "domain": frozenset({"domain"}),
    "v1": frozenset({"v1"}),
    "config": frozenset(),
    # Storage and read models.
    "store": frozenset({"store", "domain"}),
    "projections": frozenset({"projections", "store", "domain"}),
    # The audit log: a pure core, its SQLAlchemy side, and a verifier that needs no server.
    "audit": frozenset({"audit", "domain"}),
    "audit.storage": frozenset({"audit.storage", "audit", "store", "domain"}),
    "audit.verify": frozenset({"audit.verify", "audit", "domain", "v1"}),
    # A witness (c2sp.org/tlog-witness) is its own trust domain: the pure audit core and
    # its own SQLite file, nothing of the log's storage.
    "witness": frozenset({"witness", "audit"}),
    # The application uses all of the above, and the payload schemas of developments.proto;
    # it asks witnesses to cosign through the witness client.
    "application": frozenset(
        {"application", "audit", "audit.storage", "projections", "store", "domain", "v1"}
        | {"witness"}
    ),
    # The composition root builds the application.
    "bootstrap": frozenset(
        {"application", "audit", "audit.storage", "projections", "store", "config"}
    ),
    # The gRPC boundary translates between the contract and the application.
    "api": frozenset(
        {"api", "application", "audit", "audit.storage", "projections", "store", "domain", "v1"}
        | {"config"}
    ),
    # Clients speak the contract only.
    "client": frozenset({"client", "v1", "config"}),
    # The web page, report, diff and exports are a client: the contract, through the client,
    # and the pure valid-time helpers of the domain so dates read the same on both sides.
    "web": frozenset({"web", "client", "v1", "config", "domain"}),
    # Story files are loaded in-process (through the application) or through a client.
    "stories": frozenset({"stories", "application", "client", "store", "domain", "v1"}),
    # The command line sits on top of everything.
    "cli": frozenset(
        {"cli", "bootstrap", "api", "client", "stories", "config", "v1", "web"}
        | {
            "audit",
            "audit.storage",
            "audit.verify",
            "witness",
            "application",
            "projections",
            "store",
            "domain",
        }
    ),
    "__main__": frozenset({"cli"}),
}
"""For each layer, the layers its modules may import (a layer may always import itself)."""

FORBIDDEN_THIRD_PARTY: dict[str, frozenset[str]] = {
    "domain": frozenset({"sqlalchemy", "grpc", "google", "alembic", "psycopg"}),
    "audit": frozenset({"sqlalchemy", "grpc", "alembic", "psycopg"}),
    "audit.verify": frozenset({"sqlalchemy", "alembic", "psycopg"}),
    "witness": frozenset({"sqlalchemy", "grpc", "alembic", "psycopg"}),
    "client": frozenset({"sqlalchemy", "alembic", "psycopg"}),
    "web": frozenset({"sqlalchemy", "alembic", "psycopg"}),
}
"""Libraries a layer must not import: the domain is pure, the verifier needs no database."""


def layer_of(module: str) -> str:
    """Return the layer of a module path such as `audit.storage.tree` (without `newsledger.`)."""
    parts = module.split(".")
    if parts[0] == "audit" and len(parts) > 1 and parts[1] in ("storage", "verify"):
        return f"audit.{parts[1]}"
    return parts[0]


def is_module(dotted: str) -> bool:
    """Tell whether `newsledger.<dotted>` is a module or package of ours."""
    path = PACKAGE / dotted.removeprefix("newsledger.").replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(source: str, module: str) -> Iterator[tuple[int, str]]:
    """Yield (line, imported module) for every import in source, relative ones resolved.

    `from newsledger.audit import merkle` imports the module `newsledger.audit.merkle`;
    `from newsledger.store.tables import events` imports `newsledger.store.tables`.
    """
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(["newsledger", *package[: len(package) - node.level + 1]])
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            for alias in node.names:
                full = f"{name}.{alias.name}"
                yield (
                    node.lineno,
                    full if name.startswith("newsledger") and is_module(full) else name,
                )


def violations_in(source: str, module: str) -> list[str]:
    """Return the imports of a module (given by its source) that break the table."""
    layer = layer_of(module)
    allowed = ALLOWED[layer] | {layer}
    forbidden = FORBIDDEN_THIRD_PARTY.get(layer, frozenset())
    found: dict[tuple[int, str], str] = {}
    for line, imported in imports_of(source, module):
        top = imported.split(".")[0]
        if top in forbidden:
            found[line, top] = f"{module}:{line} imports {imported} ({layer} must not use {top})"
        if top != "newsledger" or imported == "newsledger":
            continue
        target = layer_of(imported.removeprefix("newsledger."))
        if target not in allowed:
            found[line, target] = f"{module}:{line} imports {imported} ({layer} → {target})"
    return list(found.values())


def modules() -> Iterator[tuple[str, Path]]:
    """Yield (module path without `newsledger.`, file) for every hand-written module."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        parts = list(relative.parts)
        if parts[0] == "v1" or parts == ["__init__"]:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def test_every_module_belongs_to_a_layer() -> None:
    unknown = {layer_of(module) for module, _ in modules()} - set(ALLOWED)
    assert unknown == set()


def test_no_import_points_the_wrong_way() -> None:
    found = [v for module, path in modules() for v in violations_in(path.read_text(), module)]
    assert found == []


def test_the_top_of_the_package_holds_only_the_entry_points() -> None:
    loose = {path.name for path in PACKAGE.glob("*.py")}
    assert loose == {"__init__.py", "__main__.py", "config.py", "bootstrap.py"}


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("domain.view", "from newsledger.store.tables import events", "domain → store"),
        ("domain.view", "import sqlalchemy", "domain must not use sqlalchemy"),
        ("store.event_store", "from newsledger.application import ledger", "store → application"),
        ("audit.verify.live", "from newsledger.store.records import ANY", "audit.verify → store"),
        ("audit.verify.live", "from sqlalchemy import select", "must not use sqlalchemy"),
        ("audit.merkle", "from newsledger.audit.storage import tree", "audit → audit.storage"),
        ("client.connection", "from newsledger.api.tls import ServerTls", "client → api"),
        ("api.server", "from newsledger.cli.main import main", "api → cli"),
        ("web.reader", "from newsledger.store.engine import create_engine", "web → store"),
        ("web.app", "from newsledger.api.tokens import Role", "web → api"),
        ("web.app", "import sqlalchemy", "web must not use sqlalchemy"),
        ("application.ledger", "from newsledger.api import errors", "application → api"),
        ("application.ledger", "from ..api import errors", "application → api"),
    ],
)
def test_a_wrong_way_import_is_caught(module: str, source: str, expected: str) -> None:
    (found,) = violations_in(source, module)
    assert expected in found


def test_a_right_way_import_passes() -> None:
    source = "from newsledger.domain.events import StoredEvent\nfrom newsledger.store import bulk"
    assert violations_in(source, "projections.known_at") == []


def test_the_verifier_the_client_and_the_web_page_load_without_the_database_libraries() -> None:
    """Importing them, with everything they import in turn, loads no storage code at all."""
    probe = (
        "import sys\n"
        "import newsledger.audit.verify.live, newsledger.audit.verify.export\n"
        "import newsledger.client\n"
        "import newsledger.web.app, newsledger.web.diff_view\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic', 'psycopg') or m.startswith(('newsledger.store', "
        "'newsledger.application', 'newsledger.api', 'newsledger.projections')))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
