from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "hub.records"
    label = "records"
    verbose_name = _("Records")

    def ready(self):
        from . import checks, signals  # noqa: F401
