"""The append-only event store: tables, engine, append and read (SQLAlchemy Core)."""
