from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "hub.quality"
    label = "quality"
    verbose_name = _("Data quality")

    def ready(self):
        from . import receivers

        receivers.connect()
