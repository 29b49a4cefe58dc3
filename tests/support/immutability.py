"""Every SQL way to change or remove a recorded row, for each immutable table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class ImmutableTable:
    """A table the database keeps append-only: its columns, one to forge, and its keys."""

    name: str
    columns: tuple[str, ...]
    forged_column: str
    forged_value: Any
    keys: tuple[tuple[str, ...], ...]

    def forged_copy(self, shift: int = 0) -> str:
        """Return a SELECT of every row with the forged column replaced (the first key
        column shifted by shift, so only the other keys collide)."""
        first = self.keys[0][0]
        chosen = [
            ":forged"
            if column == self.forged_column
            else f"{column} + {shift}"
            if shift and column == first
            else column
            for column in self.columns
        ]
        return f"SELECT {', '.join(chosen)} FROM {self.name}"

    def statements(self, dialect: str) -> list[str]:
        """Return every statement that would change or remove rows, in the dialect."""
        table, column, columns = self.name, self.forged_column, ", ".join(self.columns)
        insert = f"INSERT INTO {table} ({columns}) {self.forged_copy()}"
        upserts = [
            # SQLite needs a WHERE to tell the upsert's ON from a join's.
            f"{insert} WHERE true ON CONFLICT ({', '.join(key)}) "
            f"DO UPDATE SET {column} = excluded.{column}"
            for key in self.keys
        ]
        changes = [f"UPDATE {table} SET {column} = :forged", f"DELETE FROM {table}", *upserts]
        if dialect == "sqlite":
            replaced = [f"{verb} {table} ({columns}) {self.forged_copy()}" for verb in _REPLACES]
            if len(self.keys) > 1:  # a new primary key whose other keys collide
                shifted = self.forged_copy(shift=1_000_000)
                replaced.append(f"INSERT OR REPLACE INTO {table} ({columns}) {shifted}")
            return [
                *changes,
                f"UPDATE OR REPLACE {table} SET {column} = :forged",
                *replaced,
            ]
        on = " AND ".join(f"t.{key} = s.{key}" for key in self.keys[0])
        merge = f"MERGE INTO {table} AS t USING {table} AS s ON {on} WHEN MATCHED THEN"
        return [
            *changes,
            f"TRUNCATE {table}",
            f"{merge} UPDATE SET {column} = :forged",
            f"{merge} DELETE",
        ]


_REPLACES = ("INSERT OR REPLACE INTO", "REPLACE INTO")

EVENTS = ImmutableTable(
    "events",
    (
        "position",
        "event_id",
        "stream",
        "stream_version",
        "event_type",
        "schema_version",
        "payload",
        "metadata",
        "recorded_at_us",
    ),
    "payload",
    '{"forged":true}',
    (("position",), ("event_id",), ("stream", "stream_version")),
)
AUDIT_TABLES = (
    ImmutableTable("audit_leaves", ("position", "leaf"), "leaf", b"forged", (("position",),)),
    ImmutableTable("audit_nodes", ("level", "idx", "hash"), "hash", bytes(32), (("level", "idx"),)),
    ImmutableTable(
        "audit_checkpoints",
        ("size", "root", "note", "signed_at_us"),
        "note",
        "forged",
        (("size",),),
    ),
)


def rows(engine: Engine, table: ImmutableTable) -> list[tuple[Any, ...]]:
    """Return every row of the table, in key order, as the database holds it."""
    order = ", ".join(table.keys[0])
    with engine.connect() as connection:
        query = sa.text(f"SELECT * FROM {table.name} ORDER BY {order}")
        return [tuple(row) for row in connection.execute(query)]


def unrefused_changes(engine: Engine, table: ImmutableTable) -> list[str]:
    """Run every way to change the table's rows; return those not refused as immutable,
    or after which the table differs, each with what happened."""
    before = rows(engine, table)
    assert before, f"{table.name} has no rows to change"
    problems = []
    for statement in table.statements(engine.dialect.name):
        parameters = {"forged": table.forged_value} if ":forged" in statement else {}
        try:
            with engine.begin() as connection:
                connection.execute(sa.text(statement), parameters)
            problems.append(f"{statement}: accepted")
        except sa.exc.DBAPIError as error:
            if "are immutable" not in str(error.orig):
                problems.append(f"{statement}: refused for another reason: {error.orig}")
        if rows(engine, table) != before:
            problems.append(f"{statement}: changed the table")
    return problems
