"""Process-level switches for bulk work (a roster import, a district-wide re-screen)."""

from __future__ import annotations

import gc
import queue
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

# While a bulk run's threads pass the GIL to one another (a roster import: a reader thread validating, the
# writer waiting on the database a dozen times a chunk), the interpreter hands it over every millisecond instead
# of every five: each time the writer's answer arrives it waits for the reader's time slice to end.
# Measured on a 100,000-row .xlsx import (five runs each, alternating): 3.16 s instead of 3.41 s on average.
BULK_SWITCH_INTERVAL = 0.001
_switching = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


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


@contextmanager
def frequent_switches(active: bool = True) -> Iterator[None]:
    """sys.setswitchinterval(BULK_SWITCH_INTERVAL) for a bulk run of cooperating threads, then back to what it
    was (runs that overlap in one process share the setting; the last to finish restores it). Process-wide:
    other threads switch more often meanwhile, at a small cost in throughput."""
    global _switch_users, _switch_saved
    if not active:
        yield
        return
    with _switching:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(BULK_SWITCH_INTERVAL, _switch_saved))
        _switch_users += 1
    try:
        yield
    finally:
        with _switching:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


_DONE = object()


def read_ahead(
    items: Iterator[T],
    *,
    depth: int,
    name: str,
    setup: Callable[[], None] | None = None,
    error: Callable[[BaseException], BaseException] | None = None,
) -> Generator[T, None, None]:
    """`items` produced by a helper thread, up to `depth` ahead of the caller: while the caller works on one,
    the helper makes the next (worth it when one of them waits with the GIL released: on the database, or in a
    native library). An exception in the helper is raised here (passed through `error` if given); closing this
    generator stops the helper. `setup` runs first on the helper thread (e.g. the caller's language)."""
    out: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            if setup is not None:
                setup()
            for item in items:
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(_DONE)
        except BaseException as exc:  # handed to the caller, which raises it
            out.put(error(exc) if error is not None else exc)

    helper = threading.Thread(target=produce, name=name, daemon=True)
    helper.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while helper.is_alive():  # let a blocked put() see the stop flag
            try:
                out.get(timeout=0.1)
            except queue.Empty:
                pass
        helper.join()
