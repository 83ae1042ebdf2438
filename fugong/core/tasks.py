"""Background work of core: recounting figure snapshots (run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from . import figure_store
from .context import RequestInfo, current_request


@task()
def refresh_figures_task(snapshot_ids: list[int]) -> None:
    token = current_request.set(RequestInfo(via="task"))
    try:
        figure_store.refresh(snapshot_ids)
    finally:
        current_request.reset(token)
