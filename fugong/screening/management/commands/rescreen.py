"""`rescreen [--date YYYY-MM-DD] [--json]`: re-evaluate every active employee's clearance as of the date
(interfaces.md), then raise the day's calendar alerts (quarantines ending, readings missing). Prints the count
per status; with --json one object: {"date", "evaluated", "changed", "alerts", "counts": {status: n}}."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core import figure_store
from fugong.core.context import RequestInfo, current_request
from fugong.reports.brief import parse_day
from fugong.screening import checkin, runner
from fugong.workforce.models import ClearanceStatus


class Command(BaseCommand):
    help = _("按指定日期对全部在职员工重新排查上岗状态，并输出各状态人数")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help=_("评估日期 YYYY-MM-DD，默认今天"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出各状态人数"))
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1, help=_("并行进程数（PostgreSQL），默认为CPU核数")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = parse_day(options["date"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        token = current_request.set(RequestInfo(via="command"))
        started = time.monotonic()
        try:
            workers = max(1, min(options["workers"], 16))
            result = runner.rescreen(day, note="manage.py rescreen", workers=workers)
            figure_store.mark_changed()  # statuses were written in bulk, past the model signals
            result.alerts += runner.daily_alerts(day)
            checkin.purge_counters(timezone.now() - dt.timedelta(days=1))
        finally:
            current_request.reset(token)
        seconds = time.monotonic() - started
        counts = result.as_dict()
        if options["json"]:
            payload = {
                "date": day.isoformat(),
                "evaluated": result.evaluated,
                "changed": result.changed,
                "alerts": result.alerts,
                "counts": counts,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        labels = dict(ClearanceStatus.choices)
        self.stdout.write(
            _("%(d)s 重新排查 %(n)d 人（%(s).1f 秒），状态变化 %(c)d 人，新预警 %(a)d 条：")
            % {"d": day, "n": result.evaluated, "s": seconds, "c": result.changed, "a": result.alerts}
        )
        for status, n in counts.items():
            self.stdout.write(f"  {labels[status]}\t{n}")
