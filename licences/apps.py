from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "licences"
    verbose_name = _("Electronic licence library")

    def ready(self):
        from . import checks, signals  # noqa: F401
