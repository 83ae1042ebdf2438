"""`manage.py load_demo [--reset]` — the 苏仙区 demo data set (interfaces.md). The work is in fugong.demo."""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fugong.demo import report
from fugong.demo.accounts import PASSWORD_ENV, DemoPasswordError
from fugong.demo.loader import LoadResult, PasswordSource, load
from fugong.demo.regions import DISTRICT
from fugong.demo.reset import ResetBlockedError


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a CJK character takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


class Command(BaseCommand):
    help = _("载入苏仙区演示数据（人员均为虚构）；可重复运行，--reset 先清除业务数据（保留审计日志）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("先清除企业、项目、联络员、小分队等业务数据，再重新载入；审计与访问日志保留。"),
        )

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        password = os.environ.get(PASSWORD_ENV) or None
        try:
            result = load(reset=reset, password=password)
        except DemoPasswordError as exc:
            raise CommandError(
                _("环境变量 %(var)s 中的密码不符合要求，未写入任何数据：%(why)s")
                % {"var": PASSWORD_ENV, "why": " ".join(exc.messages)}
            ) from None
        except ResetBlockedError as exc:
            raise CommandError(_("清除失败，数据库未改动：%(why)s") % {"why": exc}) from None
        self._print(result)
        if settings.FUGONG_DISTRICT_CODE != DISTRICT[0]:
            self.stderr.write(
                _("注意：本系统配置的区县代码为 %(code)s，演示数据属于苏仙区，需设置 FUGONG_DISTRICT_CODE=%(demo)s。")
                % {"code": settings.FUGONG_DISTRICT_CODE, "demo": DISTRICT[0]}
            )

    def _print(self, result: LoadResult) -> None:
        out = self.stdout
        if result.wiped is not None:
            deleted = sum(result.wiped.deleted.values())
            out.write(_("已清除业务数据 %(n)d 行（审计与访问日志保留）。") % {"n": deleted})
        if result.changed:
            created = "、".join(f"{label} {n}" for label, n in sorted(result.created.items())) or "—"
            out.write(self.style.SUCCESS(_("苏仙区演示数据已载入（用时 %(s).1f 秒）。") % {"s": result.seconds}))
            out.write(_("新建：%(c)s") % {"c": created})
            if result.updated:
                out.write(_("更新：%(u)s") % {"u": "、".join(f"{k} {v}" for k, v in sorted(result.updated.items()))})
        else:
            out.write(
                self.style.SUCCESS(
                    _("苏仙区演示数据已是最新，未作任何改动（用时 %(s).1f 秒）。") % {"s": result.seconds}
                )
            )
        for line in report.summary_lines():
            out.write(f"  {line}")
        out.write("")
        out.write(_("演示账号："))
        for username, role, scope in report.account_lines():
            out.write(f"  {username:<17} {_pad(role, 16)} {scope}")
        out.write(self._password_line(result))

    def _password_line(self, result: LoadResult) -> str:
        if result.password_source == PasswordSource.ENV:
            return _("密码：环境变量 %(var)s 的值。") % {"var": PASSWORD_ENV}
        if result.password_source == PasswordSource.GENERATED:
            if len(result.password_set_on) < len(report.DEMO_ACCOUNTS):
                return _("新建账号的密码：%(pw)s（已有账号保留原密码；可用 --reset 或设置 %(var)s 统一重设）") % {
                    "pw": result.password,
                    "var": PASSWORD_ENV,
                }
            return _("密码（随机生成，仅显示这一次）：%(pw)s") % {"pw": result.password}
        return _("密码未改变（账号已存在）；如需重设，请设置 %(var)s 或使用 --reset。") % {"var": PASSWORD_ENV}
