"""`import_employees --enterprise USCC FILE [--dry-run] [--strict] [--json] [--user USERNAME]` (interfaces.md).

Exit 0 when the file was processed, 2 when it could not be read or the enterprise is unknown (reason on
stderr), 1 on --strict with invalid rows. Without --user the import runs as the system (district-wide); with
it, as that user: their role must allow importing and the enterprise must be in their scope (else it is
"unknown", exactly as for a missing one).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _

from fugong.core import figure_store
from fugong.core.excel import UnreadableFile
from fugong.core.identifiers import IdentifierError, validate_uscc
from fugong.enterprises.models import Enterprise
from fugong.workforce.importers import EmployeeImporter
from fugong.workforce.records import ConcurrentEditError

EXIT_STRICT = 1
EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = "Import an enterprise's roster (员工花名册) from .xlsx/.xls/.csv, keyed on the ID number."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the spreadsheet (.xlsx, .xls, or .csv in UTF-8 or GBK)")
        parser.add_argument("--enterprise", required=True, help="统一社会信用代码 of the enterprise")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        parser.add_argument("--strict", action="store_true", help="write nothing unless every row is valid")
        parser.add_argument("--json", action="store_true", help="print one JSON object with counts and errors")
        parser.add_argument("--user", help="import as this user (their scope and permissions); default: system")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(_("没有启用的用户“%(u)s”") % {"u": options["user"]}, returncode=EXIT_UNREADABLE)
        enterprise = self._enterprise(options["enterprise"])
        try:
            importer = EmployeeImporter(
                actor,
                enterprise,
                dry_run=options["dry_run"],
                strict=options["strict"],
                note=f"import_employees {options['file']}"[:300],
            )
            result = importer.run(options["file"], options["file"])
            figure_store.mark_changed()  # rows were written in bulk, past the model signals
        except UnreadableFile as exc:
            raise CommandError(exc.message, returncode=EXIT_UNREADABLE) from None
        except Http404:
            raise CommandError(_("企业不存在或无权访问"), returncode=EXIT_UNREADABLE) from None
        except PermissionDenied:
            message = _("用户“%(u)s”没有导入员工花名册的权限") % {"u": options["user"]}
            raise CommandError(message, returncode=EXIT_UNREADABLE) from None
        except ConcurrentEditError:
            message = _("导入期间有员工档案被他人修改，未写入任何数据，请重新导入")
            raise CommandError(message, returncode=EXIT_STRICT) from None

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
            for error in result.errors[:50]:
                self.stdout.write(_("  第%(row)d行 %(column)s：%(message)s") % error)
            if len(result.errors) > 50:
                self.stdout.write(_("  …另有 %(n)d 条错误（用 --json 查看全部）") % {"n": len(result.errors) - 50})
        if options["strict"] and result.rejected:
            message = _("%(n)d 行无效，未写入任何数据（--strict）") % {"n": result.rejected}
            raise CommandError(message, returncode=EXIT_STRICT)

    def _enterprise(self, raw: str) -> Enterprise:
        try:
            uscc = validate_uscc(raw).code
        except IdentifierError as exc:
            raise CommandError(exc.message, returncode=EXIT_UNREADABLE) from None
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            raise CommandError(_("企业不存在或无权访问"), returncode=EXIT_UNREADABLE)
        return enterprise
