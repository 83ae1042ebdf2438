from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "fugong.supplies"
    label = "supplies"
    verbose_name = _("防疫物资")

    def ready(self) -> None:
        from . import wording  # noqa: F401 — registers the sentences this app stores
