"""Concurrent postings on the same (enterprise, item) lose nothing and never overdraw the stock.

Real connections: each thread has its own database connection and its own transaction. On PostgreSQL (the CI's
second pass) the balance row's SELECT … FOR UPDATE makes the second posting wait for the first to commit, then
read the stock it left. On SQLite (the first pass) the IMMEDIATE transaction serialises writers the same way;
the in-memory test database is shared-cache, where a waiting writer is told "table is locked" at once instead
of waiting as busy_timeout makes a file database do — the threads wait and retry, which is what busy_timeout
does. Same assertions on both: the test runs, never skips.

Each posting keeps its transaction open a moment after writing (`HOLD`), so that without the lock the other
posting would read the stale stock inside that window and one update would be lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction

from fugong.enterprises.models import Enterprise
from fugong.supplies import services
from fugong.supplies.models import StockBalance, StockMovement, SupplyItem

from .helpers import post, stock

pytestmark = pytest.mark.django_db(transaction=True)
HOLD = 0.3


def _retry_while_locked(fn: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + 60
    while True:
        try:
            return fn()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _run_concurrently(enterprise_id: int, item_id: int, postings: list[tuple[str, int]]) -> list[str]:
    """Each (kind, quantity) in its own thread and connection, released together; returns ok/refused/error."""
    barrier = threading.Barrier(len(postings))
    results: list[str] = []

    def worker(kind: str, quantity: int) -> None:
        try:
            barrier.wait(timeout=30)

            def work() -> None:
                with transaction.atomic():
                    enterprise = Enterprise.objects.get(pk=enterprise_id)
                    item = SupplyItem.objects.get(pk=item_id)
                    post(None, enterprise, item, kind, quantity)
                    time.sleep(HOLD)

            _retry_while_locked(work)
            results.append("ok")
        except services.SupplyValidationError:
            results.append("refused")
        except Exception as exc:  # reported by the assertion below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=p) for p in postings]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_concurrent_consumptions_of_the_same_item_both_count(world, items):
    mask = items["mask"]
    post(world.district_admin, world.x, mask, "opening", 100)
    results = _run_concurrently(world.x.pk, mask.pk, [("consumption", 30), ("consumption", 25)])
    assert sorted(results) == ["ok", "ok"], results
    assert stock(world.x, mask) == 45
    assert StockBalance.objects.get(enterprise=world.x, item=mask).quantity == 45
    assert StockMovement.objects.filter(enterprise=world.x, item=mask, kind="consumption").count() == 2


def test_concurrent_consumptions_never_overdraw_the_stock(world, items):
    alcohol = items["alcohol"]
    post(world.district_admin, world.x, alcohol, "opening", 50)
    results = _run_concurrently(world.x.pk, alcohol.pk, [("consumption", 10)] * 7)
    assert sorted(results) == ["ok"] * 5 + ["refused"] * 2, results
    assert stock(world.x, alcohol) == 0
    assert StockBalance.objects.get(enterprise=world.x, item=alcohol).quantity == Decimal(0)


def test_two_first_postings_at_once_create_one_balance_row_holding_both(world, items):
    gloves = items["gloves"]
    results = _run_concurrently(world.y.pk, gloves.pk, [("purchase", 10), ("purchase", 20)])
    assert sorted(results) == ["ok", "ok"], results
    assert list(StockBalance.objects.filter(enterprise=world.y, item=gloves).values_list("quantity", flat=True)) == [30]
    assert stock(world.y, gloves) == 30
