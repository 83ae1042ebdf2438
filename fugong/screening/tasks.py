"""Re-screening as background work: a RescreenJob runs inline (small sets) or in `manage.py db_worker`, writing
its progress to the job row, which the job page polls (htmx)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fugong.core.context import RequestInfo, current_request

from . import facts, rules, runner
from .models import RescreenJob, RiskArea

logger = logging.getLogger(__name__)


def affected_by(areas: Sequence[RiskArea], as_of: dt.date) -> list[int]:
    """Active employees with a stay in one of the areas that ended inside the observation window before the
    rating began (or later) and began by `as_of`: exactly whom the new rating can touch."""
    window = dt.timedelta(days=rules.rules_on(as_of, fresh=True).observation_days)
    ids: set[int] = set()
    for area in areas:
        ids.update(facts.employees_with_stays_in(area.region_hash, area.effective_from - window, as_of))
    return sorted(ids)


def run_rescreen_job(job_id: int) -> RescreenJob:
    job = RescreenJob.objects.get(pk=job_id)
    claimed = RescreenJob.objects.filter(pk=job_id, status=RescreenJob.Status.QUEUED).update(
        status=RescreenJob.Status.RUNNING
    )
    if not claimed:
        return job
    ids = job.employee_ids
    total = runner.total_for(ids)
    RescreenJob.objects.filter(pk=job_id).update(total=total)

    def progress(done: int, of: int) -> None:
        RescreenJob.objects.filter(pk=job_id).update(done=done, total=of)

    try:
        result = runner.rescreen(job.as_of, ids, actor=job.created_by, progress=progress, note=job.trigger)
        if ids is None:
            result.alerts += runner.daily_alerts(job.as_of)
    except Exception:
        logger.exception("rescreen job %s failed", job_id)
        RescreenJob.objects.filter(pk=job_id).update(
            status=RescreenJob.Status.FAILED,
            message=_("重新排查失败：系统错误，请联系管理员"),
            finished_at=timezone.now(),
        )
    else:
        RescreenJob.objects.filter(pk=job_id).update(
            status=RescreenJob.Status.DONE,
            done=result.evaluated,
            total=max(total, result.evaluated),
            changed=result.changed,
            counts={**result.as_dict(), "alerts": result.alerts},
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


@task()
def run_rescreen_job_task(job_id: int) -> None:
    token = current_request.set(RequestInfo(via="task"))
    try:
        run_rescreen_job(job_id)
    finally:
        current_request.reset(token)
