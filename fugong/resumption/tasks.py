"""Background work of resumption: refreshing the daily snapshots (run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from fugong.core.context import RequestInfo, current_request

from . import snapshots


@task()
def refresh_snapshots_task(run_id: int) -> None:
    token = current_request.set(RequestInfo(via="task"))
    try:
        snapshots.run(run_id)
    finally:
        current_request.reset(token)
