from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fugong.screening"
    label = "screening"
    verbose_name = _("排查与健康监测")

    def ready(self) -> None:
        from . import signals, wording  # noqa: F401 — wording registers the sentences this app stores

        signals.connect()
