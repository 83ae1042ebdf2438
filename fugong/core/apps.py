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

        # Any saved or deleted record of the apps behind the figures makes the figure snapshots dirty.
        from django.db.models.signals import post_delete, post_save

        from .figure_store import on_model_change

        post_save.connect(on_model_change, dispatch_uid="fugong.figures.save")
        post_delete.connect(on_model_change, dispatch_uid="fugong.figures.delete")
        from django_tasks.signals import task_finished

        from .figure_store import on_task_finished

        task_finished.connect(on_task_finished, dispatch_uid="fugong.figures.task")
