from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fugong.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        # Connects the audit receivers of sign-in, sign-out and failed sign-in.
        from . import signals  # noqa: F401
