"""`daily_brief --date YYYY-MM-DD [--format text|json|html]`: the district's daily brief (interfaces.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fugong.core.scoping import DISTRICT_WIDE
from fugong.reports.brief import as_html, as_json, build_brief, parse_day


class Command(BaseCommand):
    help = _("输出全区每日简报：text/html 为中文文字稿，json 为全部统计数字")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help=_("统计截至日期 YYYY-MM-DD，默认今天"))
        parser.add_argument("--format", choices=["text", "json", "html"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = parse_day(options["date"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(as_json(day), ensure_ascii=False, indent=2))
            return
        # The command speaks for the whole district, whoever runs it.
        brief = build_brief(DISTRICT_WIDE, day, exact=True)
        self.stdout.write(as_html(brief) if fmt == "html" else brief.text, ending="" if fmt == "text" else "\n")
