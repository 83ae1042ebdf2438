"""`import_employees --enterprise USCC FILE [--dry-run] [--strict] [--json] [--user USERNAME]` (interfaces.md).

Exit 0 when the file was processed, 2 when it could not be read or the enterprise is unknown (reason on
stderr), 1 on --strict with invalid rows. Without --user the import runs as the system (district-wide); with
it, as that user: their role must allow importing and the enterprise must be in their scope (else it is
"unknown", exactly as for a missing one).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _

from fugong.core import figure_store
from fugong.core.excel import UnreadableFile
from fugong.core.identifiers import IdentifierError, validate_uscc
from fugong.core.import_command import EXIT_STRICT, EXIT_UNREADABLE, ImportCommand
from fugong.enterprises.models import Enterprise
from fugong.workforce.importers import EmployeeImporter
from fugong.workforce.records import ConcurrentEditError


class Command(ImportCommand):
    help = "Import an enterprise's roster (员工花名册) from .xlsx/.xls/.csv, keyed on the ID number."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--enterprise", required=True, help="统一社会信用代码 of the enterprise")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options["user"])
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

        self.report(result, options)

    def _enterprise(self, raw: str) -> Enterprise:
        try:
            uscc = validate_uscc(raw).code
        except IdentifierError as exc:
            raise CommandError(exc.message, returncode=EXIT_UNREADABLE) from None
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            raise CommandError(_("企业不存在或无权访问"), returncode=EXIT_UNREADABLE)
        return enterprise
