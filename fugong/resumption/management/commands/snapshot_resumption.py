"""`manage.py snapshot_resumption [--date D | --from D --to D | --all] [--enqueue]`

Pre-aggregates the resumption figures (enterprise-day rows and per-area totals) that the dashboard, the
daily brief and the overview API read. Without a date: every stale or outdated snapshot day, and today — run
it daily from cron (e.g. 00:10) so each day has its snapshot even when nothing changed; writes queue their own
refreshes. `--enqueue` hands the work to the task worker instead of running it here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fugong.core.context import RequestInfo, current_request
from fugong.resumption import snapshots
from fugong.resumption.models import SnapshotRun

MAX_DAYS = 400


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "汇总复工统计快照（默认：所有待更新的日期和今天）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="只汇总这一天 YYYY-MM-DD")
        parser.add_argument("--from", dest="start", help="起始日期 YYYY-MM-DD（与 --to 一起）")
        parser.add_argument("--to", dest="end", help="截止日期 YYYY-MM-DD")
        parser.add_argument("--all", action="store_true", help="重算已有的每一个快照日和今天")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务进程执行")

    def handle(self, *args: Any, **options: Any) -> None:
        days = self._days(options)
        if options["enqueue"]:
            run = SnapshotRun.objects.create(trigger="command", days=[d.isoformat() for d in days])
            from fugong.resumption.tasks import refresh_snapshots_task

            refresh_snapshots_task.enqueue(run.pk)
            self.stdout.write(f"已排队：快照汇总任务 #{run.pk}")
            return
        if not days:
            days = snapshots.due_days()
        token = current_request.set(RequestInfo(via="command"))
        try:
            result = snapshots.refresh(days)
        finally:
            current_request.reset(token)
        span = f"{days[0]} … {days[-1]}" if len(days) > 1 else str(days[0])
        self.stdout.write(
            f"已汇总 {result['days']} 天（{span}），企业日记录 {result['rows']} 条，用时 {result['seconds']:.2f} 秒"
        )

    def _days(self, options: dict[str, Any]) -> list[dt.date]:
        if options["date"]:
            return [_day(options["date"])]
        if options["start"] or options["end"]:
            if not (options["start"] and options["end"]):
                raise CommandError("--from 和 --to 须同时给出")
            start, end = _day(options["start"]), _day(options["end"])
            if end < start:
                raise CommandError("--to 不能早于 --from")
            if (end - start).days + 1 > MAX_DAYS:
                raise CommandError(f"一次最多汇总 {MAX_DAYS} 天")
            return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        if options["all"]:
            return sorted(set(snapshots.all_days()) | set(snapshots.due_days()))
        return []
