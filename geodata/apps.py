"""Natural resources and spatial geography libraries (自然资源和空间地理库)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeodataConfig(AppConfig):
    name = "geodata"
    verbose_name = _("Natural resources and spatial geography")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from hub.records.events import records_written

        from .divisions import clear_cache
        from .models import Division

        def division_changed(**kwargs):
            clear_cache()

        def batch_written(dataset=None, **kwargs):
            if dataset == Division.dataset_code:
                clear_cache()

        post_save.connect(division_changed, sender=Division, weak=False, dispatch_uid="geo-div-save")
        post_delete.connect(division_changed, sender=Division, weak=False, dispatch_uid="geo-div-del")
        records_written.connect(batch_written, weak=False, dispatch_uid="geodata-division-batch")
