from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fugong.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        # Each app contributes its figure keys in <app>/figures.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("figures")
