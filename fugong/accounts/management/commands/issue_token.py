"""`issue_token USERNAME`: print a new API bearer token for that user (interfaces.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fugong.accounts.models import User
from fugong.accounts.tokens import do_issue_token


class Command(BaseCommand):
    help = _("为用户签发一个新的API令牌并打印（令牌只显示这一次）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户不存在：%(username)s") % {"username": username}, returncode=1)
        if not user.is_active:
            raise CommandError(_("用户已停用，不能签发令牌：%(username)s") % {"username": username}, returncode=1)
        # The token alone on stdout, so a script can capture it; the reminder goes to stderr.
        self.stdout.write(do_issue_token(None, user))
        self.stderr.write(_("请妥善保管：令牌只显示这一次，系统只保存其摘要。"))
