"""The figure registry: each app contributes its figure keys (interfaces.md, "Figure keys") in
`<app>/figures.py`. `daily_brief --format json` and `GET /api/v1/stats/overview` both read `compute()`, so
they always agree. A figure is a count over records in the viewer's scope, never a typed-in number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Number = int | float | Decimal
FigureFunc = Callable[[Any, dt.date], Number]


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any  # a lazily translated string (gettext_lazy in <app>/figures.py): str() it where shown
    unit: str  # count | yuan | kg | rate | hours
    func: FigureFunc
    order: int


REGISTRY: dict[str, Figure] = {}


def figure(key: str, label: Any, unit: str = "count", order: int = 100) -> Callable[[FigureFunc], FigureFunc]:
    def register(func: FigureFunc) -> FigureFunc:
        if key in REGISTRY and REGISTRY[key].func.__qualname__ != func.__qualname__:
            raise ValueError(f"figure key {key!r} registered twice")
        REGISTRY[key] = Figure(key, label, unit, func, order)
        return func

    return register


_memo: ContextVar[dict[Any, Any] | None] = ContextVar("fugong_figure_memo", default=None)


def memoised(key: Any, fn: Callable[[], Any]) -> Any:
    """Within one compute() call, figures that share an aggregate (e.g. five counts from one query) run it once."""
    memo = _memo.get()
    if memo is None:
        return fn()
    if key not in memo:
        memo[key] = fn()
    return memo[key]


def _json_number(value: Number) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def compute(user: Any, day: dt.date, keys: Iterable[str] | None = None) -> dict[str, int | float]:
    wanted = set(keys) if keys is not None else None
    out: dict[str, int | float] = {}
    token = _memo.set({})
    try:
        for fig in sorted(REGISTRY.values(), key=lambda f: (f.order, f.key)):
            if wanted is None or fig.key in wanted:
                out[fig.key] = _json_number(fig.func(user, day))
    finally:
        _memo.reset(token)
    return out
