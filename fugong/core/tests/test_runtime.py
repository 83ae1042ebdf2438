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
