"""`import_enterprises FILE [--dry-run] [--strict] [--json] [--user USERNAME]` (interfaces.md).

Exit 0 when the file was processed, 2 when it could not be read (reason on stderr), 1 on --strict with
invalid rows. Without --user the import runs as the system (district-wide); with it, as that user, in their
scope and with their role's permission.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from fugong.core import figure_store
from fugong.core.excel import UnreadableFile
from fugong.core.import_command import EXIT_STRICT, EXIT_UNREADABLE, ImportCommand
from fugong.enterprises.importers import EnterpriseImporter
from fugong.enterprises.services import ConcurrentEditError


class Command(ImportCommand):
    help = "Import the enterprise registry (企业台账) from .xlsx/.xls/.csv, keyed on 统一社会信用代码."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options["user"])
        try:
            importer = EnterpriseImporter(
                actor,
                dry_run=options["dry_run"],
                strict=options["strict"],
                note=f"import_enterprises {options['file']}"[:300],
            )
            result = importer.run(options["file"], options["file"])
            figure_store.mark_changed()  # rows were written in bulk, past the model signals
        except UnreadableFile as exc:
            raise CommandError(exc.message, returncode=EXIT_UNREADABLE) from None
        except PermissionDenied:
            message = _("用户“%(u)s”没有导入企业台账的权限") % {"u": options["user"]}
            raise CommandError(message, returncode=EXIT_UNREADABLE) from None
        except ConcurrentEditError:
            message = _("导入期间有企业被他人修改，未写入任何数据，请重新导入")
            raise CommandError(message, returncode=EXIT_STRICT) from None

        self.report(result, options)
