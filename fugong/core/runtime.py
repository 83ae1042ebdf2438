"""Process-level switches for bulk work (a roster import, a district-wide re-screen)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(pause: bool = True) -> Iterator[None]:
    """Python's cyclic garbage collector off for a bulk run. Such a run builds millions of small objects (rows,
    facts, records) that reference counting frees chunk by chunk; left on, the collector walks every live one
    each few hundred allocations — measured, most of a re-screen's loading time (3.5 µs per employee instead
    of 0.5) and a tenth of a roster import. Process-wide: other threads of a threaded server go without cyclic
    collection meanwhile (reference counting still frees memory). Always switched back on."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
