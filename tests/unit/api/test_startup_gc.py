"""Objects alive when the server starts are left out of full garbage collection passes."""

from __future__ import annotations

import gc

from newsledger.api.server import exempt_startup_objects_from_gc


def test_objects_alive_at_startup_leave_the_collected_generations() -> None:
    class Marker:
        pass

    kept = Marker()
    try:
        exempt_startup_objects_from_gc()
        assert gc.get_freeze_count() > 1000
        assert not any(obj is kept for obj in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(obj is kept for obj in gc.get_objects())
