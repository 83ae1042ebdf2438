from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "fugong.workforce"
    label = "workforce"
    verbose_name = _("员工档案（一人一档）")

    def ready(self) -> None:
        from . import wording  # noqa: F401 — registers the sentences this app stores
