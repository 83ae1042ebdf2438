from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "fugong.enterprises"
    label = "enterprises"
    verbose_name = _("企业台账")

    def ready(self) -> None:
        from . import wording  # noqa: F401 — registers the sentences this app stores
