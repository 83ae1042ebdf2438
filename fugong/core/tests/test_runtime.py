"""fugong.core.runtime: process-level switches for bulk work are always switched back."""

from __future__ import annotations

import sys
import threading

import pytest

from fugong.core import runtime


def test_frequent_switches_shortens_the_interval_and_restores_it_even_on_error():
    before = sys.getswitchinterval()
    with runtime.frequent_switches():
        assert sys.getswitchinterval() == pytest.approx(runtime.BULK_SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), runtime.frequent_switches():
        raise RuntimeError("disk full")
    assert sys.getswitchinterval() == before
    with runtime.frequent_switches(False):  # a small run leaves it alone
        assert sys.getswitchinterval() == before


def test_overlapping_runs_restore_the_interval_when_the_last_one_ends():
    before = sys.getswitchinterval()
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[float] = []

    def other_run():
        with runtime.frequent_switches():
            first_in.set()
            second_done.wait(5)
            seen.append(sys.getswitchinterval())

    thread = threading.Thread(target=other_run)
    thread.start()
    first_in.wait(5)
    with runtime.frequent_switches():
        pass  # this run ends first: the other is still running
    second_done.set()
    thread.join(5)
    assert seen == [pytest.approx(runtime.BULK_SWITCH_INTERVAL)]
    assert sys.getswitchinterval() == before


def test_read_ahead_yields_in_order_raises_the_helpers_error_and_stops_when_closed():
    assert list(runtime.read_ahead(iter(range(5)), depth=2, name="t-ahead")) == [0, 1, 2, 3, 4]

    def failing():
        yield 1
        raise ValueError("row 2 unreadable")

    got = runtime.read_ahead(failing(), depth=1, name="t-ahead", error=lambda e: RuntimeError(str(e)))
    assert next(got) == 1
    with pytest.raises(RuntimeError, match="row 2 unreadable"):
        next(got)

    produced: list[int] = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    ahead = runtime.read_ahead(endless(), depth=1, name="t-ahead")
    assert next(ahead) == 0
    ahead.close()
    assert not [t for t in threading.enumerate() if t.name == "t-ahead"]
    assert len(produced) <= 4  # stopped, not run on
