"""Appending with today's store to a database at a revision older than the code's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from newsledger.store.tables import known_at_watermark


@contextmanager
def without_the_watermark(engine: Engine) -> Iterator[None]:
    """Let today's store append to a database migrated to a revision before 0005.

    An append reads the known_at watermark, which an older schema lacks: a zero one stands
    in while the block runs (it changes no record time), and is gone after, so the upgrade
    creates it as on a database that never had it.
    """
    known_at_watermark.create(engine)
    with engine.begin() as connection:
        connection.execute(known_at_watermark.insert().values(id=1, answered_us=0))
    try:
        yield
    finally:
        known_at_watermark.drop(engine)
