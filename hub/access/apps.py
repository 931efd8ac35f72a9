from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "hub.access"
    label = "access"
    verbose_name = _("Governed access")

    def ready(self):
        from . import schema  # noqa: F401  (registers the OpenAPI auth extension)
