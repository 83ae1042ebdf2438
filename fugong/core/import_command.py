"""What the spreadsheet import commands share (`import_enterprises`, `import_employees`; interfaces.md): the
common options, the --user look-up, the exit codes and the report printed after a run.

Exit 0 when the file was processed, 2 when it could not be read (reason on stderr), 1 on --strict with invalid
rows. Each command adds its own arguments and builds and runs its importer.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

EXIT_STRICT = 1
EXIT_UNREADABLE = 2
ERRORS_SHOWN = 50


class ImportCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the spreadsheet (.xlsx, .xls, or .csv in UTF-8 or GBK)")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        parser.add_argument("--strict", action="store_true", help="write nothing unless every row is valid")
        parser.add_argument("--json", action="store_true", help="print one JSON object with counts and errors")
        parser.add_argument("--user", help="import as this user (their scope and permissions); default: system")

    def actor(self, username: str | None) -> Any:
        """The active user named by --user; None (the system) without it."""
        if not username:
            return None
        actor = get_user_model().objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(_("没有启用的用户“%(u)s”") % {"u": username}, returncode=EXIT_UNREADABLE)
        return actor

    def report(self, result: Any, options: dict[str, Any]) -> None:
        """Counts and the first errors (or one JSON object with --json); exit 1 on --strict with invalid rows."""
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(
                _("数据行 %(rows)d，新增 %(created)d，更新 %(updated)d，未变化 %(unchanged)d，拒绝 %(rejected)d")
                % result.as_json()
            )
            if not result.written:
                self.stdout.write(
                    _("未写入任何数据（%(why)s）") % {"why": "--dry-run" if options["dry_run"] else "--strict"}
                )
            for error in result.errors[:ERRORS_SHOWN]:
                self.stdout.write(_("  第%(row)d行 %(column)s：%(message)s") % error)
            if len(result.errors) > ERRORS_SHOWN:
                extra = len(result.errors) - ERRORS_SHOWN
                self.stdout.write(_("  …另有 %(n)d 条错误（用 --json 查看全部）") % {"n": extra})
        if options["strict"] and result.rejected:
            message = _("%(n)d 行无效，未写入任何数据（--strict）") % {"n": result.rejected}
            raise CommandError(message, returncode=EXIT_STRICT)
